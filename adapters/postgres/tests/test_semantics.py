"""Exact semantics in SQL: literal directory matches, exact JSON, extreme datetimes, races."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, NoReturn

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jido_persistence import open_store
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message, Participant, Room, Thread
from jido_persistence_postgres.adapter import PostgresAdapter

TRAPS = {
    "big": 1e16,
    "negative_zero": -0.0,
    "int_max": 2**63 - 1,
    "int_min": -(2**63),
    "not_quite_int": 9007199254740993,
    "float_int": 2.0,
    "tiny": 5e-324,
    "huge": 1.7976931348623157e308,
    "bool": True,
    "null": None,
    "nested": [{"a": -0.0, "b": [1e16, 0.1]}],
    "text": "'; DROP TABLE rooms; --\\u0000 is not NUL",
}


@pytest.fixture(params=["trigram", "strpos"])
def name_search_store(
    request: pytest.FixtureRequest,
    store: PostgresAdapter,
    missing_requirement: Callable[[str], NoReturn],
) -> PostgresAdapter:
    """The store, matching names through the trigram index path or through strpos."""
    if request.param == "trigram" and store._db.name_search != "trigram":
        missing_requirement("the pg_trgm extension is not available on this server")
    store._db.name_search = request.param
    return store


NAMES = ["100%", "100 percent", "a_b", "axb", "a\\b", "a\\\\b", "Straße", "STRASSE", "*", "ﬁle"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("%", ["100%"]),
        ("0%", ["100%"]),
        ("_", ["a_b"]),
        ("a_b", ["a_b"]),
        ("\\", ["a\\b", "a\\\\b"]),
        ("a\\b", ["a\\b"]),
        ("\\\\", ["a\\\\b"]),
        ("strasse", ["STRASSE", "Straße"]),
        ("FILE", ["ﬁle"]),
        ("*", ["*"]),
        ("", NAMES),
    ],
)
def test_the_directory_matches_names_literally_and_casefolded(
    name_search_store: PostgresAdapter, query: str, expected: list[str]
) -> None:
    for index, name in enumerate(NAMES):
        name_search_store.save_participant(
            Participant(id=f"p{index:02}", type="human", identity={"name": name})
        )
        name_search_store.save_room(Room(id=f"r{index:02}", type="group", name=name))
    name_search_store.save_participant(Participant(id="nameless", type="human"))
    name_search_store.save_room(Room(id="unnamed", type="group"))
    wanted = sorted(expected, key=NAMES.index)
    participants = name_search_store.directory_search("participant", {"name": query})
    rooms = name_search_store.directory_search("room", {"name": query})
    assert sorted(p.identity["name"] for p in participants) == sorted(wanted)
    assert sorted(str(r.name) for r in rooms) == sorted(wanted)


names = st.text(alphabet=st.sampled_from("aAbß%_\\*İi̇Σ\u03c3ςﬁF "), max_size=6)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=st.lists(names, max_size=6), query=names)
def test_the_directory_name_match_agrees_with_the_reference(
    name_search_store: PostgresAdapter, stored: list[str], query: str
) -> None:
    reference = MemoryAdapter()
    name_search_store._db.run(
        "clear", lambda conn: conn.execute(f"DELETE FROM {name_search_store._sql.schema}.rooms")
    )
    for index, name in enumerate(stored):
        room = Room(id=f"r{index}", type="group", name=name)
        name_search_store.save_room(room)
        reference.save_room(room)
    found = name_search_store.directory_search("room", {"name": query}, limit=3)
    assert found == reference.directory_search("room", {"name": query}, limit=3)


def test_json_values_that_jsonb_would_change_round_trip_type_exactly(
    store: PostgresAdapter,
) -> None:
    message = Message(
        room_id="r",
        sender_id="u",
        role="tool",
        metadata=TRAPS,
        content=[{"type": "tool_result", "tool_use_id": "t", "content": TRAPS}],
    )
    store.save_message(message)
    store.save_onboarding({"onboarding_id": "o", **TRAPS})
    again = store.get_message(message.id)
    assert json.dumps(again.model_dump(mode="json"), sort_keys=True) == json.dumps(
        message.model_dump(mode="json"), sort_keys=True
    )
    flow = store.get_onboarding("o")
    assert json.dumps(flow, sort_keys=True) == json.dumps(
        {"onboarding_id": "o", **TRAPS}, sort_keys=True
    )
    assert str(flow["negative_zero"]) == "-0.0"
    assert isinstance(flow["big"], float)
    assert isinstance(flow["int_max"], int)


def test_extreme_datetimes_round_trip_and_sort(store: PostgresAdapter) -> None:
    low = datetime.min.replace(tzinfo=UTC)
    high = datetime.max.replace(tzinfo=UTC)
    for message_id, inserted_at in (("high", high), ("none", None), ("low", low)):
        store.save_message(
            Message(
                id=message_id,
                room_id="r",
                sender_id="u",
                role="user",
                inserted_at=inserted_at,
                updated_at=inserted_at,
            )
        )
    assert [m.id for m in store.get_messages("r")] == ["none", "low", "high"]
    assert [m.id for m in store.get_messages("r", before="high")] == ["none", "low"]
    assert [m.id for m in store.get_messages("r", after="none")] == ["low", "high"]
    assert store.get_message("low").inserted_at == low
    assert store.get_message("high").updated_at == high
    assert store.get_message("high").inserted_at.tzinfo is UTC  # type: ignore[union-attr]
    thread = Thread(room_id="r", inserted_at=low, updated_at=high)
    store.save_thread(thread)
    assert store.get_thread(thread.id) == thread


def test_results_do_not_depend_on_the_session_time_zone(
    fresh_url: Callable[..., str],
) -> None:
    url = fresh_url(options="-c TimeZone=Pacific/Chatham")
    moment = datetime(2024, 2, 29, 23, 30, tzinfo=UTC)
    with open_store(url) as store:
        assert isinstance(store, PostgresAdapter)
        for index in range(3):
            store.save_room(Room(id=f"r{index}", type="group", inserted_at=moment))
        assert [room.inserted_at for room in store.list_rooms()] == [moment] * 3
        with store._db.pool.connection() as conn:
            row = conn.execute("SHOW TimeZone").fetchone()
        assert row == ("UTC",)


def get_or_create_once(url: str, index: int, wait_for_start: Callable[[], None]) -> str:
    """Open the store, wait for the others, then race for one room and one participant."""
    with open_store(url) as store:
        store.list_rooms()
        wait_for_start()
        room = store.get_or_create_room_by_external_binding(
            "slack", 7, "C42", {"type": "group", "id": f"room-{index}", "name": str(index)}
        )
        person = store.get_or_create_participant_by_external_id(
            "slack", "U1", {"type": "human", "id": f"person-{index}"}
        )
        return f"{room.id} {person.id}"


def test_eight_processes_racing_get_or_create_make_one_room_and_one_binding(
    store: PostgresAdapter, store_url: str, race: Callable[..., list[str]]
) -> None:
    results = race(get_or_create_once, 8, store_url)
    assert len(set(results)) == 1
    room_id, participant_id = results[0].split()
    assert room_id in {f"room-{i}" for i in range(8)}
    index = store.raw_index()
    assert index["room_binding_keys"] == {("slack", "7", "C42"): room_id}
    assert index["participant_keys"] == {("slack", "U1"): participant_id}
    assert index["row_counts"]["rooms"] == 1
    assert index["row_counts"]["room_bindings"] == 1
    assert index["row_counts"]["participants"] == 1
    assert [b.room_id for b in store.list_room_bindings(room_id)] == [room_id]


def test_threads_racing_get_or_create_with_a_stale_key_make_one_room(
    store: PostgresAdapter,
) -> None:
    store.get_or_create_room_by_external_binding("tg", 1, 2, {"type": "group", "id": "dead"})
    store.save_room(Room(id="keeper", type="group"))
    store._db.run(
        "kill",
        lambda conn: conn.execute(f"DELETE FROM {store._sql.schema}.rooms WHERE id = 'dead'"),
    )
    barrier = threading.Barrier(8)
    results: list[str] = []

    def call(index: int) -> None:
        barrier.wait()
        room = store.get_or_create_room_by_external_binding(
            "tg", "1", 2, {"type": "group", "id": f"new-{index}"}
        )
        results.append(room.id)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    index = store.raw_index()
    assert index["room_binding_keys"] == {("tg", "1", "2"): results[0]}
    assert index["row_counts"]["rooms"] == 2
    # The dead room keeps its own binding record; the winner has one.
    assert index["row_counts"]["room_bindings"] == 2


@pytest.fixture
def two_stores(store_url: str) -> Iterator[tuple[PostgresAdapter, PostgresAdapter]]:
    """Two instances on one schema."""
    first, second = open_store(store_url), open_store(store_url)
    assert isinstance(first, PostgresAdapter)
    assert isinstance(second, PostgresAdapter)
    yield first, second
    first.close()
    second.close()


def test_two_instances_see_each_others_writes_and_latest_saved_holder(
    two_stores: tuple[PostgresAdapter, PostgresAdapter],
) -> None:
    first, second = two_stores
    key = {"channel": "tg", "bridge_id": 9}
    first.save_message(
        Message(id="a", room_id="r", sender_id="u", role="user", external_id="x", metadata=key)
    )
    second.save_message(
        Message(id="b", room_id="r", sender_id="u", role="user", external_id="x", metadata=key)
    )
    assert first.get_message_by_external_id("tg", 9, "x").id == "b"
    first.save_message(first.get_message("a"))
    assert second.get_message_by_external_id("tg", "9", "x").id == "a"
    second.delete_message("a")
    assert first.get_message_by_external_id("tg", 9, "x").id == "b"


@pytest.mark.parametrize(("flag", "threshold"), [("true", 0), ("false", None)])
def test_prepared_statements_follow_the_option(
    fresh_url: Callable[..., str], flag: str, threshold: int | None
) -> None:
    with open_store(fresh_url(prepared_statements=flag)) as store:
        assert isinstance(store, PostgresAdapter)
        store.save_room(Room(id="r", type="group"))
        assert store.get_room("r").id == "r"
        with store._db.pool.connection() as conn:
            assert conn.prepare_threshold == threshold


def test_the_name_search_is_never_prepared(fresh_url: Callable[..., str]) -> None:
    """A prepared name search gets a generic plan after five runs, which cannot see the
    pattern and scans the primary key in id order (about 9x slower at 10,000
    participants than the trigram index): it runs unprepared, planned for its pattern,
    while other statements stay prepared."""
    with open_store(fresh_url(pool_min=1, pool_max=1)) as store:
        assert isinstance(store, PostgresAdapter)
        for index in range(20):
            store.save_participant(
                Participant(id=f"p{index:02d}", type="human", identity={"name": f"User {index}"})
            )
        for index in range(10):
            assert [p.id for p in store.directory_search("participant", {"name": f"r {index}"})]
        with store._db.pool.connection() as conn:
            prepared = [
                str(row[0])
                for row in conn.execute(
                    "SELECT statement FROM pg_prepared_statements", prepare=False
                ).fetchall()
            ]
    assert any("participants" in statement for statement in prepared)
    assert not any("name_fold LIKE" in statement for statement in prepared)


def _fastupdate(store: PostgresAdapter) -> dict[str, bool]:
    schema = store.options.schema

    def work(conn: Any) -> dict[str, bool]:
        rows = conn.execute(
            "SELECT c.relname, 'fastupdate=off' = ANY(coalesce(c.reloptions, '{}'))"
            " FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n"
            " ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname LIKE %s",
            (schema, "%_name_trigram"),
            prepare=False,
        ).fetchall()
        return {str(name): bool(off) for name, off in rows}

    return store._db.run("test", work)


def test_the_trigram_indexes_have_no_pending_list(store_url: str) -> None:
    """New entries go straight into the GIN index (``fastupdate = off``): with a pending
    list, a store just filled prices the index above a scan until it is vacuumed.  An
    index created before (``fastupdate`` on) is switched at the next open; then a name
    search in a store of 10,000 participants written since plans through the index."""
    with open_store(store_url) as store:
        assert isinstance(store, PostgresAdapter)
        if store._db.name_search != "trigram":
            pytest.skip("pg_trgm is not available on this server")
        assert _fastupdate(store) == {"rooms_name_trigram": True, "participants_name_trigram": True}
        schema = store.options.schema

        def older(conn: Any) -> None:
            for table in ("rooms", "participants"):
                conn.execute(
                    f'ALTER INDEX "{schema}".{table}_name_trigram SET (fastupdate = on)',
                    prepare=False,
                )

        store._db.run("test", older)
        assert set(_fastupdate(store).values()) == {False}
    with open_store(store_url) as store:
        assert isinstance(store, PostgresAdapter)
        assert set(_fastupdate(store).values()) == {True}

        def fill_and_plan(conn: Any) -> str:
            conn.execute(
                f'INSERT INTO "{schema}".participants (id, name_fold, doc)'
                " SELECT 'p' || lpad(i::text, 5, '0'), 'user ' || lpad(i::text, 5, '0'),"
                " json_build_object('id', i) FROM generate_series(0, 9999) AS i",
                prepare=False,
            )
            conn.execute(f'ANALYZE "{schema}".participants', prepare=False)
            plan = conn.execute(
                f'EXPLAIN SELECT doc FROM "{schema}".participants'
                " WHERE name_fold LIKE '%user 01234%' ORDER BY id",
                prepare=False,
            ).fetchall()
            return "\n".join(str(row[0]) for row in plan)

        assert "participants_name_trigram" in store._db.run("test", fill_and_plan)
