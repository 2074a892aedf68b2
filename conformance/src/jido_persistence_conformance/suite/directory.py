"""Directory: ``directory_search`` filters and ``directory_lookup`` (contract 4)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import AmbiguousLookup, NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import DirectoryTarget, Participant, ParticipantType, Room, RoomType
from jido_persistence_conformance import strategies
from jido_persistence_conformance._support import canonical_all, ids, kit_settings

__all__ = ["DirectoryTests"]

NAMES: list[Any] = [
    "straße",
    "STRASSE",
    "100%",
    "a_b",
    "back\\slash",
    "st*r",
    'O\'Brien "quoted"',
    "",
    "ǅemal",
    "e\u0301",
    5,
    None,
    ["list"],
]
QUERY_NAMES = ["strasse", "ß", "%", "_", "\\", "*", "'", '"', "", "Ǆ", "ǆ", "\u0301", "x", "E"]


def _person(person_id: str, name: Any = None, **external_ids: str) -> Participant:
    identity = {} if name is None else {"name": name}
    return Participant(
        id=person_id, type=ParticipantType.HUMAN, identity=identity, external_ids=external_ids
    )


class DirectoryTests:
    """Directory search and lookup over participants and rooms."""

    def test_name_filter_is_a_casefolded_literal_substring(self, store: PersistenceAdapter) -> None:
        """``name`` matches ``query.casefold() in name.casefold()``; wildcards are literal.

        Troubleshooting: ``%``, ``_``, ``\\`` and ``*`` are ordinary characters, and
        casefold is not lower ("STRASSE" matches "straße").  Usual mistakes: SQL
        ``LIKE``/``ILIKE`` without escaping (``%`` matches everything), ``lower()``
        instead of ``casefold()``, or a fold computed by the database.
        """
        store.save_participant(_person("p:strasse", "straße"))
        store.save_participant(_person("p:percent", "100%"))
        store.save_participant(_person("p:under", "a_b"))
        store.save_participant(_person("p:back", "back\\slash"))
        store.save_participant(_person("p:star", "st*r"))
        store.save_room(Room(id="room:strasse", type=RoomType.GROUP, name="Hauptstraße"))
        store.save_room(Room(id="room:plain", type=RoomType.GROUP, name="plain"))

        def search(name: str) -> list[str]:
            return ids(store.directory_search("participant", {"name": name}))

        assert search("STRASSE") == ["p:strasse"]
        assert search("%") == ["p:percent"]
        assert search("_") == ["p:under"]
        assert search("\\") == ["p:back"]
        assert search("*") == ["p:star"]
        assert search("a%b") == []
        rooms = store.directory_search(DirectoryTarget.ROOM, {"name": "STRASSE"})
        assert ids(rooms) == ["room:strasse"]

    def test_non_string_names_never_match(self, store: PersistenceAdapter) -> None:
        """A name that is not a ``str`` never matches; ``""`` matches every ``str`` name.

        Troubleshooting: ``identity["name"]`` is free JSON; ``5``, ``None``, lists and a
        missing name never match a ``name`` filter, but match a query without one.
        Usual mistakes: casting the JSON value to text (``"5"`` matches "5"), or
        treating ``""`` as "no filter".
        """
        store.save_participant(_person("p:str", "five"))
        store.save_participant(_person("p:empty", ""))
        store.save_participant(_person("p:int", 5))
        store.save_participant(_person("p:list", ["five"]))
        store.save_participant(_person("p:none"))
        store.save_room(Room(id="room:named", type=RoomType.GROUP, name="x"))
        store.save_room(Room(id="room:unnamed", type=RoomType.GROUP))
        assert ids(store.directory_search("participant", {"name": ""})) == ["p:empty", "p:str"]
        assert ids(store.directory_search("participant", {"name": "5"})) == []
        assert ids(store.directory_search("participant", {"name": "five"})) == ["p:str"]
        assert len(store.directory_search("participant", {})) == 5
        assert len(store.directory_search("participant", {"name": None})) == 5
        assert ids(store.directory_search("room", {"name": ""})) == ["room:named"]

    def test_id_and_participant_key_filters(self, store: PersistenceAdapter) -> None:
        """``id`` is equality (normalised); ``channel`` + ``external_id`` match external_ids.

        Troubleshooting: both key parts must be given for participants (one alone
        matches nothing); ``bridge_id`` is ignored; unknown query keys are ignored.
        Usual mistakes: matching on channel alone, or filtering by ``bridge_id``.
        """
        store.save_participant(_person("p:1", "Ann", slack="U1", tg="7"))
        store.save_participant(_person("5", "Bob", slack="U2"))
        assert ids(store.directory_search("participant", {"id": 5})) == ["5"]
        assert ids(store.directory_search("participant", {"id": "p:1", "name": "ann"})) == ["p:1"]
        assert ids(store.directory_search("participant", {"id": "p:1", "name": "bob"})) == []
        key = {"channel": "tg", "external_id": 7}
        assert ids(store.directory_search("participant", key)) == ["p:1"]
        assert ids(store.directory_search("participant", {**key, "bridge_id": "x"})) == ["p:1"]
        assert store.directory_search("participant", {"channel": "slack"}) == []
        assert store.directory_search("participant", {"external_id": "U1"}) == []
        assert len(store.directory_search("participant", {"unknown": "ignored"})) == 2

    def test_room_key_filter_uses_current_bindings(self, store: PersistenceAdapter) -> None:
        """Rooms match a full ``(channel, bridge_id, external_id)`` key bound to them now.

        Troubleshooting: the key must currently point at the room (not merely appear
        in ``Room.external_bindings``); a partial key matches nothing.  Usual
        mistakes: reading ``external_bindings``, or matching a room whose key moved.
        """
        store.save_room(
            Room(id="room:1", type=RoomType.GROUP, external_bindings={"slack": {"b": "C1"}})
        )
        store.save_room(Room(id="room:2", type=RoomType.GROUP))
        store.create_room_binding("room:2", "slack", "b", "C2")
        key = {"channel": "slack", "bridge_id": "b", "external_id": "C2"}
        assert ids(store.directory_search("room", key)) == ["room:2"]
        assert store.directory_search("room", {**key, "external_id": "C1"}) == []
        assert store.directory_search("room", {"channel": "slack", "bridge_id": "b"}) == []
        assert store.directory_search("room", {"external_id": "C2"}) == []
        store.create_room_binding("room:1", "slack", "b", "C2")
        assert ids(store.directory_search("room", key)) == ["room:1"]

    def test_results_sorted_by_id_and_limited_after_filtering(
        self, store: PersistenceAdapter
    ) -> None:
        """Results are sorted by id (code point); ``limit`` applies after filtering.

        Troubleshooting: filter, sort, then cut.  Usual mistakes: ``LIMIT`` before the
        name filter runs in Python, or ``limit=0`` meaning no limit.
        """
        for person_id in ("b", "B", "é", "a", "c"):
            store.save_participant(_person(person_id, "match" if person_id != "a" else "other"))
        assert ids(store.directory_search("participant", {"name": "match"})) == ["B", "b", "c", "é"]
        assert ids(store.directory_search("participant", {"name": "match"}, limit=2)) == ["B", "b"]
        assert store.directory_search("participant", {"name": "match"}, limit=0) == []
        assert len(store.directory_search("participant", {}, limit=2**63 - 1)) == 5

    def test_lookup_one_none_or_ambiguous(self, store: PersistenceAdapter) -> None:
        """``directory_lookup``: one match returns it; none is NotFound; several AmbiguousLookup.

        Troubleshooting: NotFound carries the target as entity and the query as key;
        AmbiguousLookup holds the first 100 matches sorted by id and ``truncated``
        when there were more.  Usual mistakes: returning the first match, or
        listing every match.
        """
        for index in range(102):
            store.save_participant(_person(f"p:{index:03d}", "many"))
        store.save_participant(_person("p:solo", "solo"))
        assert store.directory_lookup("participant", {"name": "SOLO"}).id == "p:solo"
        query = {"name": "nobody"}
        with pytest.raises(NotFound) as missing:
            store.directory_lookup(DirectoryTarget.ROOM, query)
        assert (missing.value.entity, missing.value.key) == ("room", query)
        with pytest.raises(AmbiguousLookup) as many:
            store.directory_lookup("participant", {"name": "many"})
        assert ids(many.value.matches) == [f"p:{index:03d}" for index in range(100)]
        assert many.value.truncated is True
        with pytest.raises(AmbiguousLookup) as two:
            store.directory_lookup("participant", {"id": None, "name": "MANY", "channel": None})
        assert two.value.truncated is True
        store.save_participant(_person("p:twin", "solo"))
        with pytest.raises(AmbiguousLookup) as pair:
            store.directory_lookup("participant", {"name": "solo"})
        assert ids(pair.value.matches) == ["p:solo", "p:twin"]
        assert pair.value.truncated is False

    @kit_settings(max_examples=30)
    @given(
        people=st.lists(
            strategies.participants(participant_ids=strategies.ids(max_size=8)), max_size=6
        ),
        names=st.lists(st.sampled_from(NAMES), min_size=6, max_size=6),
        query_name=st.sampled_from(QUERY_NAMES) | strategies.difficult_text(max_size=4),
        limit=st.none() | st.integers(min_value=0, max_value=4),
    )
    def test_search_agrees_with_the_reference(
        self,
        store: PersistenceAdapter,
        reference: MemoryAdapter,
        people: list[Participant],
        names: list[Any],
        query_name: str,
        limit: int | None,
    ) -> None:
        """For any participants and name query, results equal the reference adapter's.

        Troubleshooting: the property covers combining marks, title-case digraphs
        (``ǅ``), right-to-left text and quotes.  Usual mistake: normalising Unicode
        (NFC/NFKC) in the fold, which Python's ``casefold`` does not do.
        """
        for person, name in zip(people, names, strict=False):
            renamed = person.model_copy(update={"identity": {**person.identity, "name": name}})
            room = Room(
                id=person.id,
                type=RoomType.GROUP,
                name=name if isinstance(name, str) else None,
                inserted_at=datetime(2024, 1, 1, tzinfo=UTC),
            )
            for target in (store, reference):
                target.save_participant(renamed)
                target.save_room(room)
        query = {"name": query_name}
        expected = canonical_all(reference.directory_search("participant", query, limit=limit))
        assert canonical_all(store.directory_search("participant", query, limit=limit)) == expected
        rooms = {"name": query_name}
        assert canonical_all(store.directory_search("room", rooms)) == canonical_all(
            reference.directory_search("room", rooms)
        )
