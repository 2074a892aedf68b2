"""Enumeration: keyset pages with ``after=`` (contract 9.2, first bullet, and 9.6).

``list_rooms`` and ``list_threads`` take ``after=``; ``list_participants`` and
``list_onboardings`` are new.  Every rule is one test; the paging property runs on
stores built by hypothesis and checks each record is visited exactly once.  The
tests run on stores declaring ``capabilities.enumeration``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import CursorNotFound, InvalidCursor, InvalidLimit, NotSupported
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Participant, ParticipantType, Room, RoomType, Thread
from jido_persistence_conformance._support import (
    HUGE,
    canonical,
    canonical_all,
    capability,
    ids,
    kit_settings,
    unique_id,
)

__all__ = ["EnumerationTests"]

T0 = datetime(2024, 1, 1, tzinfo=UTC)
MIN = datetime.min.replace(tzinfo=UTC)
MAX = datetime.max.replace(tzinfo=UTC)
STAMPS: Final = (MIN, T0, T0, T0 + timedelta(microseconds=1), MAX)
"""Few timestamps, with a tie and the extremes, so pages split inside ties."""
TRAP_IDS: Final = ("B", "a", "room:1", "é", "😀", "Z")
"""Ids whose code-point order differs from a case-insensitive or locale order."""

Lister = Callable[..., list[Any]]


def _room(room_id: str, stamp: datetime = T0) -> Room:
    return Room(id=room_id, type=RoomType.GROUP, inserted_at=stamp)


def _thread(thread_id: str, room_id: str = "room:1", stamp: datetime = T0) -> Thread:
    return Thread(id=thread_id, room_id=room_id, inserted_at=stamp, updated_at=stamp)


def _participant(participant_id: str) -> Participant:
    return Participant(id=participant_id, type=ParticipantType.HUMAN)


def _key(record: Any) -> str:
    return str(record["onboarding_id"] if isinstance(record, dict) else record.id)


def _listers(store: PersistenceAdapter, room_id: str = "room:1") -> dict[str, Lister]:
    """The four enumerations of ``store``, each as ``lister(limit=, after=)``."""
    return {
        "list_rooms": store.list_rooms,
        "list_threads": lambda **kwargs: store.list_threads(room_id, **kwargs),
        "list_participants": store.list_participants,
        "list_onboardings": store.list_onboardings,
    }


def _walk(lister: Lister, limit: int, bound: int) -> list[Any]:
    """Every record ``lister`` pages through with ``after=`` the last id of each page;
    at most ``bound`` pages (a cursor that never advances fails, not hangs)."""
    seen: list[Any] = []
    after: str | None = None
    for _ in range(bound):
        page = lister(limit=limit, after=after)
        assert len(page) <= limit, f"a page of {len(page)} records for limit={limit}"
        if not page:
            return seen
        seen.extend(page)
        after = _key(page[-1])
    raise AssertionError(f"paging did not end within {bound} pages: the cursor does not advance")


def _fill(store: PersistenceAdapter) -> None:
    """Three records of each kind, with ties, in an order unlike their ids."""
    for room_id, stamp in (("room:b", T0), ("room:a", T0), ("A", MAX), ("room:1", MIN)):
        store.save_room(_room(room_id, stamp))
    for thread_id, stamp in (("t:b", T0), ("t:a", T0), ("T", MIN)):
        store.save_thread(_thread(thread_id, stamp=stamp))
    store.save_thread(_thread("t:other", room_id="room:2"))
    for participant_id in ("p:b", "P", "p:a"):
        store.save_participant(_participant(participant_id))
    for onboarding_id in ("o:b", "O", "o:a"):
        store.save_onboarding({"onboarding_id": onboarding_id, "step": 1})


class EnumerationTests:
    """Keyset pages over rooms, threads, participants and onboarding flows."""

    @capability("enumeration")
    def test_list_participants_sorted_by_id(self, store: PersistenceAdapter) -> None:
        """Rule 9.2 (order): ``list_participants`` gives the first ``limit``
        participants by id, in code-point order.

        Troubleshooting: compare ids by code point (``COLLATE "C"`` in SQL).  Usual
        mistake: the database's default collation, which sorts ``"a"`` before ``"B"``.
        """
        for participant_id in TRAP_IDS:
            store.save_participant(_participant(participant_id))
        assert ids(store.list_participants(limit=HUGE)) == sorted(TRAP_IDS)
        assert ids(store.list_participants(limit=2)) == sorted(TRAP_IDS)[:2]
        assert ids(store.list_participants()) == sorted(TRAP_IDS)
        assert store.list_participants(limit=0) == []

    @capability("enumeration")
    def test_list_onboardings_sorted_by_id_and_copied(self, store: PersistenceAdapter) -> None:
        """Rule 9.2 (order): ``list_onboardings`` gives the flows by onboarding id, each
        exactly as saved, as copies (changing a result changes nothing stored).

        Troubleshooting: the same copy rule as ``get_onboarding``.  Usual mistake:
        returning the store's own dicts.
        """
        flows = {key: {"onboarding_id": key, "n": [1, 2.5, None]} for key in TRAP_IDS}
        for flow in flows.values():
            store.save_onboarding(flow)
        listed = store.list_onboardings(limit=HUGE)
        assert [flow["onboarding_id"] for flow in listed] == sorted(TRAP_IDS)
        assert canonical_all(listed) == canonical_all(flows[key] for key in sorted(TRAP_IDS))
        listed[0]["n"].append("changed")
        assert canonical(store.list_onboardings(limit=1)[0]) == canonical(
            flows[sorted(TRAP_IDS)[0]]
        )

    @capability("enumeration")
    def test_list_rooms_and_threads_keep_their_order(self, store: PersistenceAdapter) -> None:
        """Rule 9.2 (order): rooms and threads page in ``(inserted_at, id)`` order, ties
        broken by id, ``datetime.min`` first; without ``after=`` they answer as in 1.2.

        Troubleshooting: the keyset is the pair, not ``inserted_at`` alone.  Usual
        mistake: ``WHERE inserted_at > cursor.inserted_at``, which skips the rest of
        a tie.
        """
        _fill(store)
        assert ids(store.list_rooms(limit=HUGE)) == ["room:1", "room:a", "room:b", "A"]
        assert ids(store.list_rooms(limit=2)) == ["room:1", "room:a"]
        assert ids(store.list_rooms(limit=2, after="room:a")) == ["room:b", "A"]
        assert ids(store.list_threads("room:1", limit=HUGE)) == ["T", "t:a", "t:b"]
        assert ids(store.list_threads("room:1", limit=1, after="t:a")) == ["t:b"]
        assert ids(store.list_threads("room:1", after="t:b")) == []

    @capability("enumeration")
    def test_after_gives_the_records_after_the_cursor(self, store: PersistenceAdapter) -> None:
        """Rule 9.2 (``after``): ``after=`` the id of the last record of a page gives the
        next page, strictly after it, for each of the four enumerations.

        Troubleshooting: a strict comparison on the whole order key.  Usual mistakes:
        ``>=`` (the cursor comes back), or an offset instead of a keyset.
        """
        _fill(store)
        for name, lister in _listers(store).items():
            everything = lister(limit=HUGE)
            keys = [_key(record) for record in everything]
            for index, cursor in enumerate(keys):
                page = [_key(record) for record in lister(limit=HUGE, after=cursor)]
                assert page == keys[index + 1 :], f"{name}(after={cursor!r})"
                short = [_key(record) for record in lister(limit=1, after=cursor)]
                assert short == keys[index + 1 : index + 2], f"{name}(limit=1, after={cursor!r})"

    @capability("enumeration")
    def test_after_must_name_a_record_of_the_scope(self, store: PersistenceAdapter) -> None:
        """Rule 9.2 (cursor exists): an ``after=`` naming no record of the scope raises
        CursorNotFound, also with ``limit=0``; a thread of another room is outside
        ``list_threads``' scope, and a deleted record is no cursor.

        Troubleshooting: look the cursor up in the scope first (as ``get_messages``
        does).  Usual mistakes: answering ``[]``, or comparing with an absent row.
        """
        _fill(store)
        for name, lister in _listers(store).items():
            for limit in (0, 1, HUGE):
                with pytest.raises(CursorNotFound):
                    lister(limit=limit, after="missing")
                assert name
        with pytest.raises(CursorNotFound):
            store.list_threads("room:1", after="t:other")
        with pytest.raises(CursorNotFound):
            store.list_participants(after="room:1")
        store.delete_room("room:a")
        with pytest.raises(CursorNotFound):
            store.list_rooms(after="room:a")

    @capability("enumeration")
    def test_after_must_be_a_non_empty_string(self, store: PersistenceAdapter) -> None:
        """Rule 9.6 (cursor shape): an ``after=`` that is ``""`` or not a ``str`` (or holds
        U+0000 or a lone surrogate) raises InvalidCursor, before its existence is checked.

        Troubleshooting: the core checks the shape; then the adapter looks the cursor
        up.  Usual mistake: ``after=""`` treated as "no cursor".
        """
        _fill(store)
        for lister in _listers(store).values():
            for bad in ("", 5, b"room:1", ["room:1"], "a\x00b", "\ud800", True):
                with pytest.raises(InvalidCursor):
                    lister(limit=10, after=bad)

    @capability("enumeration")
    def test_limit_is_checked_before_the_cursor(self, store: PersistenceAdapter) -> None:
        """Rule 9.2 with section 3: a bad limit raises InvalidLimit whatever the cursor,
        and a page with ``limit=0`` and an existing cursor is ``[]``.

        Troubleshooting: the order is limit, cursor shape, cursor existence, as for
        ``get_messages``.  Usual mistake: answering CursorNotFound for a bad limit.
        """
        _fill(store)
        for lister in _listers(store).values():
            for limit in (-1, True, 2**63, "10", None):
                for after in (None, "", "missing"):
                    with pytest.raises(InvalidLimit):
                        lister(limit=limit, after=after)
        assert store.list_rooms(limit=0, after="room:a") == []
        assert store.list_participants(limit=0, after="P") == []

    @capability("enumeration")
    @kit_settings(max_examples=15)
    @given(
        rooms=st.lists(st.tuples(st.sampled_from(TRAP_IDS), st.sampled_from(STAMPS)), max_size=8),
        participants=st.lists(st.sampled_from(TRAP_IDS), max_size=6),
        onboardings=st.lists(st.sampled_from(TRAP_IDS), max_size=6),
        limit=st.integers(1, 4),
    )
    def test_paging_visits_every_record_once(
        self,
        store: PersistenceAdapter,
        reference: MemoryAdapter,
        rooms: list[tuple[str, datetime]],
        participants: list[str],
        onboardings: list[str],
        limit: int,
    ) -> None:
        """Rule 9.2 (paging): paging with ``after=`` the last id of each page visits every
        record exactly once, in order, for stores built by hypothesis (ties, re-saves
        that move a record in the order, extreme timestamps); the walk is bounded.

        Each store is compared with the reference adapter given the same writes (both
        are shared by the examples, so earlier ones count too).

        Troubleshooting: a keyset on the full order key, compared strictly.  Usual
        mistakes: a record at a page boundary seen twice or never (``>=``, or a
        comparison of ``inserted_at`` alone), or an index that still holds a re-saved
        record's old position.
        """
        scope = unique_id("room")
        for target in (store, reference):
            for index, (room_id, stamp) in enumerate(rooms):
                target.save_room(_room(room_id, stamp))
                target.save_thread(_thread(f"{room_id}:{index % 3}", room_id=scope, stamp=stamp))
            for participant_id in participants:
                target.save_participant(_participant(participant_id))
            for onboarding_id in onboardings:
                target.save_onboarding({"onboarding_id": onboarding_id})
        mine, theirs = _listers(store, scope), _listers(reference, scope)
        for name, lister in mine.items():
            everything = canonical_all(theirs[name](limit=HUGE))
            walked = canonical_all(_walk(lister, limit, bound=len(everything) + 2))
            assert walked == everything, f"{name} paged by {limit} differs from the full list"
            assert canonical_all(lister(limit=HUGE)) == everything, f"{name} differs"

    def test_enumeration_group_answers_as_its_flag_says(self, store: PersistenceAdapter) -> None:
        """Rule 9 (groups): with ``capabilities.enumeration`` false, ``list_participants``
        and ``list_onboardings`` raise NotSupported; with it true they answer, and
        ``list_rooms``/``list_threads`` take ``after=``.

        Troubleshooting: the flag is derived from the methods the class implements.
        Usual mistake: implementing the new listings but not ``after=`` on the old ones.
        """
        store.save_room(_room("room:1"))
        store.save_thread(_thread("t:1"))
        if not store.capabilities.enumeration:
            with pytest.raises(NotSupported):
                store.list_participants()
            with pytest.raises(NotSupported):
                store.list_onboardings()
            return
        assert store.list_participants() == []
        assert store.list_onboardings() == []
        assert store.list_rooms(after="room:1") == []
        assert store.list_threads("room:1", after="t:1") == []
