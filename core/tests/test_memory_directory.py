"""Directory search and lookup in the memory adapter, against a Python oracle."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jido_persistence.errors import AmbiguousLookup, NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import DirectoryTarget, Participant, Room

ABSENT = object()
NAME_ALPHABET = "aAsSß%_\\*İi\u0131ﬁ .é\u0301Σ\u03c3ς"
names = st.text(alphabet=NAME_ALPHABET, max_size=6)
name_values = st.one_of(names, st.none(), st.integers(-3, 3), st.just(["x"]), st.just(ABSENT))


def oracle_name_match(value: Any, query: str | None) -> bool:
    if query is None:
        return True
    return isinstance(value, str) and query.casefold() in value.casefold()


def participant(participant_id: str, name: Any = ABSENT, **external_ids: str) -> Participant:
    identity = {} if name is ABSENT else {"name": name}
    return Participant(
        id=participant_id, type="human", identity=identity, external_ids=external_ids
    )


@settings(max_examples=100)
@given(
    people=st.dictionaries(
        st.text(alphabet="abcAB", min_size=1, max_size=3), name_values, max_size=8
    ),
    query=st.none() | names,
    limit=st.none() | st.integers(0, 9),
)
def test_participant_name_filter_matches_the_oracle(
    people: dict[str, Any], query: str | None, limit: int | None
) -> None:
    store = MemoryAdapter()
    for participant_id, name in people.items():
        store.save_participant(participant(participant_id, name))
    found = store.directory_search("participant", {"name": query}, limit=limit)
    expected = sorted(
        (
            participant_id
            for participant_id, name in people.items()
            if oracle_name_match(None if name is ABSENT else name, query)
        ),
    )
    assert [p.id for p in found] == expected[:limit]


@settings(max_examples=100)
@given(
    rooms=st.dictionaries(
        st.text(alphabet="abcAB", min_size=1, max_size=3), st.none() | names, max_size=8
    ),
    query=st.none() | names,
    limit=st.none() | st.integers(0, 9),
)
def test_room_name_filter_matches_the_oracle(
    rooms: dict[str, str | None], query: str | None, limit: int | None
) -> None:
    store = MemoryAdapter()
    for room_id, name in rooms.items():
        store.save_room(Room(id=room_id, type="group", name=name))
    found = store.directory_search(DirectoryTarget.ROOM, {"name": query}, limit=limit)
    expected = sorted(room_id for room_id, name in rooms.items() if oracle_name_match(name, query))
    assert [room.id for room in found] == expected[:limit]


@pytest.mark.parametrize(
    ("name", "query", "matches"),
    [
        ("Straße", "STRASSE", True),
        ("STRASSE", "straße", True),
        ("Strasse", "STRAß", True),
        ("50% off", "%", True),
        ("50 off", "%", False),
        ("a_b", "_", True),
        ("ab", "_", False),
        ("a\\b", "\\", True),
        ("ab", "\\", False),
        ("a*b", "*", True),
        ("ab", "a*b", False),
        ("ab", "a%b", False),
        ("ΣΊΣΥΦΟΣ", "σίσυφος", True),
        ("anything", "", True),
        ("", "", True),
    ],
)
def test_name_matching_is_a_casefolded_literal_substring(
    store: MemoryAdapter, name: str, query: str, matches: bool
) -> None:
    store.save_room(Room(id="r", type="group", name=name))
    store.save_participant(participant("p", name))
    assert [r.id for r in store.directory_search("room", {"name": query})] == (
        ["r"] if matches else []
    )
    assert [p.id for p in store.directory_search("participant", {"name": query})] == (
        ["p"] if matches else []
    )


def test_non_string_names_never_match(store: MemoryAdapter) -> None:
    store.save_participant(participant("int", 5))
    store.save_participant(participant("none", None))
    store.save_participant(participant("absent"))
    store.save_participant(participant("list", ["a"]))
    store.save_participant(participant("str", "a"))
    store.save_room(Room(id="unnamed", type="group"))
    assert [p.id for p in store.directory_search("participant", {"name": ""})] == ["str"]
    assert [p.id for p in store.directory_search("participant", {"name": "5"})] == []
    assert store.directory_search("room", {"name": ""}) == []
    everyone = store.directory_search("participant", {})
    assert [p.id for p in everyone] == ["absent", "int", "list", "none", "str"]


def test_id_filter_is_exact_and_normalised(store: MemoryAdapter) -> None:
    store.save_participant(participant("5", "five"))
    store.save_participant(participant("50", "fifty"))
    assert [p.id for p in store.directory_search("participant", {"id": 5})] == ["5"]
    assert [p.id for p in store.directory_search("participant", {"id": "5", "name": "FIV"})] == [
        "5"
    ]
    assert store.directory_search("participant", {"id": "5", "name": "fifty"}) == []
    assert store.directory_search("participant", {"id": "missing"}) == []


def test_participant_external_id_filter(store: MemoryAdapter) -> None:
    store.save_participant(participant("p1", "Ada", slack="U1", tg="7"))
    store.save_participant(participant("p2", "Bob", slack="U2"))
    search = store.directory_search
    assert [p.id for p in search("participant", {"channel": "slack", "external_id": "U1"})] == [
        "p1"
    ]
    assert [p.id for p in search("participant", {"channel": "tg", "external_id": 7})] == ["p1"]
    assert [
        p.id
        for p in search("participant", {"channel": "slack", "external_id": "U1", "bridge_id": "x"})
    ] == ["p1"]
    assert [p.id for p in search("participant", {"bridge_id": "x"})] == ["p1", "p2"]
    assert search("participant", {"channel": "slack"}) == []
    assert search("participant", {"external_id": "U1"}) == []
    assert search("participant", {"channel": "slack", "external_id": "u1"}) == []
    assert search("participant", {"channel": "slack", "external_id": "U1", "name": "bob"}) == []
    assert [p.id for p in search("participant", {"channel": None, "name": "a", "other": 1})] == [
        "p1"
    ]


def test_room_key_filter_follows_the_binding_key(store: MemoryAdapter) -> None:
    store.save_room(Room(id="r1", type="group", name="one", external_bindings={"x": {"y": "z"}}))
    store.save_room(Room(id="r2", type="group", name="two"))
    store.create_room_binding("r1", "slack", 5, "C")
    search = store.directory_search
    full = {"channel": "slack", "bridge_id": "5", "external_id": "C"}
    assert [r.id for r in search("room", full)] == ["r1"]
    assert [r.id for r in search("room", {**full, "bridge_id": 5})] == ["r1"]
    assert search("room", {**full, "name": "two"}) == []
    assert search("room", {"channel": "x", "bridge_id": "y", "external_id": "z"}) == []
    for partial in (
        {"channel": "slack"},
        {"channel": "slack", "bridge_id": "5"},
        {"bridge_id": "5", "external_id": "C"},
        {"external_id": "C"},
    ):
        assert search("room", partial) == []
    store.create_room_binding("r2", "slack", 5, "C")
    assert [r.id for r in search("room", full)] == ["r2"]
    store.delete_room("r2")
    assert search("room", full) == []


def test_results_are_sorted_by_code_point_and_limited_after_filtering(
    store: MemoryAdapter,
) -> None:
    for participant_id in ["b", "a", "B", "é", "e", "Z"]:
        store.save_participant(participant(participant_id, "x"))
    store.save_participant(participant("A", "other"))
    found = store.directory_search("participant", {"name": "x"})
    assert [p.id for p in found] == ["B", "Z", "a", "b", "e", "é"]
    assert [p.id for p in store.directory_search("participant", {"name": "x"}, limit=2)] == [
        "B",
        "Z",
    ]
    assert store.directory_search("participant", {"name": "x"}, limit=0) == []


# --- lookup -----------------------------------------------------------------------------


def test_lookup_one(store: MemoryAdapter) -> None:
    ada = store.save_participant(participant("p1", "Ada"))
    store.save_participant(participant("p2", "Bob"))
    assert store.directory_lookup("participant", {"name": "ada"}) == ada
    room = store.save_room(Room(id="r", type="group", name="Lobby"))
    assert store.directory_lookup(DirectoryTarget.ROOM, {"name": "LOB"}) == room


@pytest.mark.parametrize("target", ["participant", "room", DirectoryTarget.ROOM])
def test_lookup_none(store: MemoryAdapter, target: Any) -> None:
    query = {"name": "nobody", "ignored": object()}
    with pytest.raises(NotFound) as caught:
        store.directory_lookup(target, query)
    assert caught.value.entity == str(DirectoryTarget(target).value)
    assert caught.value.key is query


@pytest.mark.parametrize(
    ("count", "truncated"), [(2, False), (100, False), (101, True), (150, True)]
)
def test_lookup_ambiguous(store: MemoryAdapter, count: int, truncated: bool) -> None:
    for index in reversed(range(count)):
        store.save_room(Room(id=f"r{index:03}", type="group", name="same"))
    store.save_room(Room(id="other", type="group", name="different"))
    with pytest.raises(AmbiguousLookup) as caught:
        store.directory_lookup("room", {"name": "same"})
    assert caught.value.truncated is truncated
    assert [room.id for room in caught.value.matches] == [
        f"r{index:03}" for index in range(min(count, 100))
    ]
