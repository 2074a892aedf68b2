"""The directory's FTS5 trigram name index: the same answers as the scan and as the
reference store, for every name and query; upgrade from version 2; no FTS5."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jido_persistence.errors import ConfigurationError
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Participant, ParticipantType, Room, RoomType
from jido_persistence_sqlite import _schema
from jido_persistence_sqlite._schema import MIGRATIONS, SCHEMA_VERSION
from jido_persistence_sqlite.adapter import SQLiteAdapter

# Letters that casefold to several (ß, ﬁ), quotes and FTS5/LIKE syntax, a space.
ALPHABET = st.sampled_from(list("abAB ßsSﬁfi\"'*%_\\-:()^Σσς"))
NAMES = st.text(ALPHABET, max_size=8)
QUERIES = st.text(ALPHABET, min_size=0, max_size=5)


def _names_in(store: SQLiteAdapter | MemoryAdapter, query: str) -> tuple[list[str], list[str]]:
    people = [p.id for p in store.directory_search("participant", {"name": query})]
    rooms = [r.id for r in store.directory_search("room", {"name": query})]
    return people, rooms


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(st.one_of(st.none(), NAMES), min_size=1, max_size=6),
    renames=st.lists(st.one_of(st.none(), NAMES), max_size=3),
    deleted=st.integers(min_value=0, max_value=5),
    queries=st.lists(QUERIES, min_size=1, max_size=3),
    data=st.data(),
)
def test_the_index_answers_as_the_scan_and_the_reference(
    tmp_path_factory: pytest.TempPathFactory,
    names: list[str | None],
    renames: list[str | None],
    deleted: int,
    queries: list[str],
    data: st.DataObject,
) -> None:
    """Saves, renames (the upsert's UPDATE) and deletes keep the index in step; the
    indexed search, the scan and the memory reference agree on every query, short ones
    (no trigram) included."""
    path = tmp_path_factory.mktemp("names") / "store.sqlite3"
    reference = MemoryAdapter()
    with SQLiteAdapter(path=str(path)) as store:
        assert store._db.name_index
        for target in (store, reference):
            for index, name in enumerate(names):
                identity = {} if name is None else {"name": name}
                target.save_participant(
                    Participant(id=f"p{index}", type=ParticipantType.HUMAN, identity=identity)
                )
                target.save_room(Room(id=f"r{index}", type=RoomType.GROUP, name=name))
            for index, name in enumerate(renames):
                target.save_room(Room(id=f"r{index}", type=RoomType.GROUP, name=name))
            if deleted < len(names):
                target.delete_participant(f"p{deleted}")
                target.delete_room(f"r{deleted}")
        for name in [*names, *renames]:
            if name:  # a piece of a stored name, in another case: a query that matches
                start = data.draw(st.integers(0, len(name) - 1))
                end = data.draw(st.integers(start + 1, len(name)))
                queries.append(name[start:end].upper())
        for query in queries:
            indexed = _names_in(store, query)
            store._db.name_index = False
            scanned = _names_in(store, query)
            store._db.name_index = True
            assert indexed == scanned == _names_in(reference, query)


def test_a_long_query_is_answered_through_its_rarest_trigrams(store: SQLiteAdapter) -> None:
    """The plan of a query of three characters or more reads the FTS table, asking for
    the two rarest of its trigrams only; a trigram in no name answers without a query."""
    for index in range(30):
        store.save_participant(
            Participant(
                id=f"p{index}", type=ParticipantType.HUMAN, identity={"name": f"user {index:03d}"}
            )
        )
    found = store._sql_name_filter("participant", "user 012")
    assert found is not None
    conditions, params = found
    assert params == ['"012" AND " 01"', "user 012"]
    plan = store._db.all(
        "EXPLAIN QUERY PLAN SELECT doc FROM participants WHERE " + " AND ".join(conditions),
        tuple(params),
    )
    assert "name_trigrams" in str(plan)
    assert store._sql_name_filter("participant", "user 9x9") is None
    short = store._sql_name_filter("participant", "us")
    assert short is not None
    assert "name_trigrams" not in " ".join(short[0])


def _version_2_store(path: Path) -> None:
    with sqlite3.connect(path, isolation_level=None) as raw:
        for steps in MIGRATIONS[:2]:
            for statement in steps:
                assert isinstance(statement, str)
                raw.execute(statement)
        raw.execute("PRAGMA user_version = 2")
        room = Room(id="r", type=RoomType.GROUP, name="Straße")
        raw.execute(
            "INSERT INTO rooms VALUES (?, 0, ?, ?)", ("r", "strasse", room.model_dump_json())
        )
        person = Participant(id="p", type=ParticipantType.HUMAN, identity={"name": "ÆON Flux"})
        raw.execute(
            "INSERT INTO participants VALUES (?, ?, ?)",
            ("p", "æon flux", person.model_dump_json()),
        )


def test_a_version_2_store_gains_the_index_of_its_names(store_path: Path) -> None:
    _version_2_store(store_path)
    with SQLiteAdapter(path=str(store_path)) as store:
        assert store._db.name_index
        assert [r.id for r in store.directory_search("room", {"name": "STRASS"})] == ["r"]
        assert [p.id for p in store.directory_search("participant", {"name": "on fl"})] == ["p"]
    with sqlite3.connect(store_path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("SELECT count(*) FROM name_rows").fetchone()[0] == 2


def test_without_fts5_the_store_scans_and_gains_the_index_later(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SQLite without FTS5 opens and searches by scan; a SQLite with it then adds the
    index (filled from the names written meanwhile); a store with the index refuses a
    SQLite without FTS5 by name, since its triggers could not run."""
    monkeypatch.setattr(_schema, "has_fts5", lambda conn: False)
    with SQLiteAdapter(path=str(store_path)) as store:
        assert not store._db.name_index
        store.save_room(Room(id="r", type=RoomType.GROUP, name="Weekly sync"))
        assert [r.id for r in store.directory_search("room", {"name": "KLY S"})] == ["r"]
    monkeypatch.undo()
    with SQLiteAdapter(path=str(store_path)) as store:
        assert store._db.name_index
        assert [r.id for r in store.directory_search("room", {"name": "KLY S"})] == ["r"]
    monkeypatch.setattr(_schema, "has_fts5", lambda conn: False)
    with pytest.raises(ConfigurationError, match="FTS5"):
        SQLiteAdapter(path=str(store_path))


def test_the_unicode_refresh_of_the_folds_reindexes(store_path: Path) -> None:
    with SQLiteAdapter(path=str(store_path)) as store:
        store.save_room(Room(id="r", type=RoomType.GROUP, name="Straße"))
    with sqlite3.connect(store_path) as raw:
        raw.execute("UPDATE rooms SET name_fold = 'stale'")
        raw.execute("UPDATE meta SET value = '1.0.0' WHERE key = 'unidata_version'")
    with SQLiteAdapter(path=str(store_path)) as store:
        assert [r.id for r in store.directory_search("room", {"name": "STRASSE"})] == ["r"]
        assert store.directory_search("room", {"name": "stale"}) == []
