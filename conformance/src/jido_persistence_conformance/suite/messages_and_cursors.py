"""Messages: round trips, ``(inserted_at, id)`` order, cursors, limits (contract 2-4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import CursorNotFound, InvalidCursor, InvalidLimit, NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message
from jido_persistence_conformance import strategies
from jido_persistence_conformance._paging import Direction, walk_pages
from jido_persistence_conformance._support import (
    HUGE,
    canonical,
    canonical_all,
    ids,
    kit_settings,
    message,
    raw_index_or_none,
    unique_id,
)

__all__ = ["MessagesAndCursorsTests"]

T0 = datetime(2024, 1, 1, tzinfo=UTC)
MIN = datetime.min.replace(tzinfo=UTC)
MAX = datetime.max.replace(tzinfo=UTC)
TIMESTAMPS: list[datetime | None] = [None, MIN, T0, T0 + timedelta(microseconds=1), MAX]
ID_POOL = ["a", "B", "é", "m1", "m10", "m2", "😀", "Z"]


def _save_all(store: PersistenceAdapter, messages: list[Message]) -> None:
    for item in messages:
        store.save_message(item)


def _page_through(
    store: PersistenceAdapter, reference: MemoryAdapter, direction: Direction
) -> None:
    """Page one room of ties and ``None`` timestamps by 5 in ``direction``, bounded."""
    stored = [message(f"m{i:02d}", inserted_at=T0 + timedelta(i // 3)) for i in range(20)]
    stored += [message(f"n{i}", inserted_at=None) for i in range(4)]
    _save_all(store, stored)
    _save_all(reference, stored)
    order = ids(reference.get_messages("room:1", limit=HUGE))
    # Without a cursor the newest page comes back, so forwards starts after the oldest.
    start, scope = (None, order) if direction == "before" else (order[0], order[1:])

    def fetch(cursor: str | None) -> list[Message]:
        cursor = cursor if cursor is not None else start
        kwargs = {} if cursor is None else {direction: cursor}
        return store.get_messages("room:1", limit=5, **kwargs)

    assert walk_pages(fetch, scope, direction=direction) == scope


class MessagesAndCursorsTests:
    """Messages and ``get_messages``: ordering, scope, cursors and limits."""

    @kit_settings()
    @given(item=strategies.messages())
    def test_message_round_trips_exactly(self, store: PersistenceAdapter, item: Message) -> None:
        """``save_message`` returns its argument; ``get_message`` gives it back type-exactly.

        Troubleshooting: content parts (including custom parts with extra fields),
        JSON maps and ``None`` timestamps must all survive.  Usual mistakes: a
        ``jsonb`` column, dropping unknown keys of a ``CustomPart``, or storing
        ``None`` ``inserted_at`` as "now".
        """
        assert store.save_message(item) == item
        assert canonical(store.get_message(item.id)) == canonical(item)

    def test_json_values_round_trip_type_exactly(self, store: PersistenceAdapter) -> None:
        """Metadata keeps every JSON type: ``1e16``, ``-0.0``, 64-bit ints, bools, nesting.

        Troubleshooting: the kit compares ``json.dumps(x, sort_keys=True)``, so
        ``1.0`` must not come back as ``1``, ``True`` not as ``1``, and ``-0.0`` keeps
        its sign.  Usual mistakes: PostgreSQL ``jsonb`` (normalises numbers), a JSON
        library that writes ``1e16`` as an int, or a float column for integers.
        """
        metadata: dict[str, Any] = {
            "float_big": 1e16,
            "negative_zero": -0.0,
            "float_one": 1.0,
            "int_one": 1,
            "int_max": 2**63 - 1,
            "int_min": -(2**63),
            "true": True,
            "false": False,
            "null": None,
            "text": "é 😀 \\ % _ ' \" \u202e",
            "nested": {"list": [1, 1.5, "x", [], {}], "empty": ""},
        }
        item = message("m:json", metadata=metadata, reactions={"👍": ["p:1"]}, inserted_at=T0)
        store.save_message(item)
        assert canonical(store.get_message("m:json").metadata) == canonical(metadata)
        assert canonical(store.get_message("m:json")) == canonical(item)

    def test_get_unknown_message_raises_not_found(self, store: PersistenceAdapter) -> None:
        """``get_message`` of an unknown id raises NotFound("message", id).

        Troubleshooting: ``.entity`` is ``"message"``.  Usual mistake: ``None``.
        """
        with pytest.raises(NotFound) as caught:
            store.get_message("m:missing")
        assert (caught.value.entity, caught.value.key) == ("message", "m:missing")

    def test_message_for_unknown_room_is_accepted(self, store: PersistenceAdapter) -> None:
        """A message whose room does not exist is stored (no referential checks).

        Troubleshooting: saves never check references.  Usual mistake: a foreign
        key from messages to rooms.
        """
        store.save_message(message("m:1", room_id="room:nowhere", inserted_at=T0))
        assert ids(store.get_messages("room:nowhere")) == ["m:1"]

    def test_order_puts_none_first_and_breaks_ties_by_id(self, store: PersistenceAdapter) -> None:
        """``get_messages`` orders by ``(inserted_at, id)``, ``None`` first, ties by code point.

        Troubleshooting: ``None`` timestamps sort before every datetime, including
        ``datetime.min``; equal timestamps sort by id compared by code point.  Usual
        mistakes: SQL ``ORDER BY inserted_at`` without ``NULLS FIRST`` (PostgreSQL puts
        NULLs last), a locale collation on ``id``, or a sentinel for ``None`` that
        equals ``datetime.min``.
        """
        stored = [
            message("b", inserted_at=T0),
            message("a", inserted_at=T0),
            message("é", inserted_at=T0),
            message("B", inserted_at=T0),
            message("z", inserted_at=None),
            message("y", inserted_at=None),
            message("min", inserted_at=MIN),
            message("max", inserted_at=MAX),
        ]
        _save_all(store, stored)
        expected = ["y", "z", "min", "B", "a", "b", "é", "max"]
        assert ids(store.get_messages("room:1", limit=HUGE)) == expected

    def test_no_cursor_returns_the_newest_oldest_first(self, store: PersistenceAdapter) -> None:
        """Without a cursor, ``get_messages`` returns the newest ``limit``, oldest first.

        Troubleshooting: take the last ``limit`` of the ordering, then return them in
        ascending order.  Usual mistakes: returning the oldest ``limit``, or the newest
        in descending order (``ORDER BY ... DESC LIMIT n`` without reversing).
        """
        _save_all(store, [message(f"m{i}", inserted_at=T0 + timedelta(i)) for i in range(6)])
        assert ids(store.get_messages("room:1", limit=3)) == ["m3", "m4", "m5"]
        assert store.get_messages("room:1", limit=0) == []
        for limit in (5, 6, 7, 11, 12, HUGE):
            assert ids(store.get_messages("room:1", limit=limit)) == [
                f"m{i}" for i in range(max(0, 6 - limit), 6)
            ], f"limit={limit}"

    def test_default_limit_is_50(self, store: PersistenceAdapter) -> None:
        """``get_messages(room_id)`` returns the newest 50.

        Troubleshooting: the default limit is 50.  Usual mistake: no default limit.
        """
        _save_all(store, [message(f"m{i:02d}", inserted_at=T0 + timedelta(i)) for i in range(51)])
        assert ids(store.get_messages("room:1")) == [f"m{i:02d}" for i in range(1, 51)]

    def test_cursors_are_exclusive(self, store: PersistenceAdapter) -> None:
        """``before``: the newest ``limit`` strictly before; ``after``: the oldest strictly after.

        Troubleshooting: the cursor message itself is never returned, and both
        directions return oldest first.  Usual mistakes: ``<=`` instead of ``<``
        (cursor off by one), or ``after`` returning the newest page after the cursor.
        """
        _save_all(store, [message(f"m{i}", inserted_at=T0 + timedelta(i)) for i in range(8)])
        assert ids(store.get_messages("room:1", before="m5", limit=2)) == ["m3", "m4"]
        assert ids(store.get_messages("room:1", after="m2", limit=2)) == ["m3", "m4"]
        for limit in (3, 4, 5, 9):
            assert ids(store.get_messages("room:1", before="m3", limit=limit)) == ["m0", "m1", "m2"]
            assert ids(store.get_messages("room:1", after="m4", limit=limit)) == ["m5", "m6", "m7"]
        assert ids(store.get_messages("room:1", before="m0")) == []
        assert ids(store.get_messages("room:1", after="m7")) == []
        assert store.get_messages("room:1", after="m2", limit=0) == []

    def test_cursor_ties_are_resolved_by_id(self, store: PersistenceAdapter) -> None:
        """A cursor among equal timestamps splits them by id, not by timestamp alone.

        Troubleshooting: compare the pair ``(inserted_at, id)``, not just
        ``inserted_at``, or messages sharing the cursor's timestamp are lost or
        repeated.  Usual mistake: ``WHERE inserted_at < cursor.inserted_at``.
        """
        _save_all(store, [message(name, inserted_at=T0) for name in ("a", "b", "c", "d")])
        store.save_message(message("n", inserted_at=None))
        assert ids(store.get_messages("room:1", before="c")) == ["n", "a", "b"]
        assert ids(store.get_messages("room:1", after="b")) == ["c", "d"]
        assert ids(store.get_messages("room:1", after="n")) == ["a", "b", "c", "d"]

    @kit_settings(max_examples=30)
    @given(
        stored=st.lists(
            strategies.messages(
                room_ids=["r"], message_ids=ID_POOL, thread_ids=["t1", "t2"], timestamps=TIMESTAMPS
            ),
            max_size=12,
        ),
        limit=st.integers(min_value=0, max_value=5) | st.just(HUGE),
        cursor=st.none()
        | st.tuples(st.sampled_from(["before", "after"]), st.sampled_from(ID_POOL)),
        thread=st.sampled_from([None, "t1", "t2"]),
    )
    def test_get_messages_agrees_with_the_reference(
        self,
        store: PersistenceAdapter,
        stored: list[Message],
        limit: int,
        cursor: tuple[str, str] | None,
        thread: str | None,
    ) -> None:
        """For any messages, scope, cursor and limit, pages equal the reference adapter's.

        Troubleshooting: this property combines ordering (``None`` first, ties by id),
        thread scope, exclusive cursors, ``CursorNotFound`` for a cursor outside the
        scope, and limits.  Usual mistakes: a cursor looked up in the whole room when
        ``thread_id`` is given, or a re-saved message whose old position stays indexed.
        """
        room = unique_id("room")
        reference = MemoryAdapter()
        for item in stored:
            moved = item.model_copy(update={"room_id": room})
            store.save_message(moved)
            reference.save_message(moved)
        kwargs: dict[str, Any] = {"limit": limit, "thread_id": thread}
        if cursor is not None:
            kwargs[cursor[0]] = cursor[1]
        try:
            expected: list[str] | type[Exception] = canonical_all(
                reference.get_messages(room, **kwargs)
            )
        except CursorNotFound:
            expected = CursorNotFound
        if expected is CursorNotFound:
            with pytest.raises(CursorNotFound):
                store.get_messages(room, **kwargs)
        else:
            assert canonical_all(store.get_messages(room, **kwargs)) == expected

    def test_paging_backwards_visits_every_message_once(
        self, store: PersistenceAdapter, reference: MemoryAdapter
    ) -> None:
        """Paging with ``before=`` the first id of each page visits every message once,
        each page strictly older than the previous one.

        Troubleshooting: with ties and ``None`` timestamps in the data, a cursor
        comparison on the full ``(inserted_at, id)`` key is needed, and the cursor
        message itself is never on the next page.  Usual mistakes: ``<=`` instead of
        ``<`` (the page repeats its cursor, which the kit reports at the first
        repeated page instead of looping forever), or losing messages that share the
        cursor's timestamp.
        """
        _page_through(store, reference, "before")

    def test_paging_forwards_visits_every_message_once(
        self, store: PersistenceAdapter, reference: MemoryAdapter
    ) -> None:
        """Paging with ``after=`` the last id of each page visits every later message once,
        each page strictly newer than the previous one.

        Troubleshooting: as for ``before=``, in the other direction: ``after=`` gives
        the oldest ``limit`` strictly after the cursor.  Usual mistakes: ``>=``
        instead of ``>``, or ``after=`` returning the newest page after the cursor.
        """
        _page_through(store, reference, "after")

    def test_thread_scope(self, store: PersistenceAdapter) -> None:
        """``thread_id`` restricts the page to that thread; ``None`` means any thread.

        Troubleshooting: the scope is the room (and the thread when given).  Usual
        mistake: ignoring ``thread_id``, or matching ``thread_id`` across rooms.
        """
        store.save_message(message("m1", inserted_at=T0, thread_id="t"))
        store.save_message(message("m2", inserted_at=T0 + timedelta(1)))
        store.save_message(message("m3", room_id="room:2", inserted_at=T0, thread_id="t"))
        store.save_message(message("m4", inserted_at=T0 + timedelta(2), thread_id="t"))
        store.save_message(message("m5", inserted_at=T0 + timedelta(3), thread_id="t"))
        assert ids(store.get_messages("room:1", thread_id="t")) == ["m1", "m4", "m5"]
        assert ids(store.get_messages("room:1")) == ["m1", "m2", "m4", "m5"]
        # Cursors page inside the thread: m2 (another thread) is skipped both ways.
        assert ids(store.get_messages("room:1", thread_id="t", after="m1", limit=1)) == ["m4"]
        assert ids(store.get_messages("room:1", thread_id="t", before="m5")) == ["m1", "m4"]
        assert ids(store.get_messages("room:2", thread_id="t")) == ["m3"]
        assert store.get_messages("room:1", thread_id="other") == []
        assert store.get_messages("room:none") == []

    def test_cursor_must_lie_in_the_scope(self, store: PersistenceAdapter) -> None:
        """A cursor that names no message of the room (and thread) raises ``CursorNotFound``.

        Troubleshooting: the cursor must be a message inside the scope.  Usual
        mistakes: using the timestamp of a message from another room or thread,
        or returning ``[]`` for an unknown cursor.
        """
        store.save_message(message("m1", inserted_at=T0, thread_id="t"))
        store.save_message(message("m2", inserted_at=T0))
        store.save_message(message("x1", room_id="room:2", inserted_at=T0))
        cases: list[dict[str, Any]] = [
            {"before": "unknown"},
            {"after": "x1"},
            {"before": "m2", "thread_id": "t"},
        ]
        for kwargs in cases:
            with pytest.raises(CursorNotFound):
                store.get_messages("room:1", **kwargs)
        with pytest.raises(CursorNotFound):
            store.get_messages("room:none", before="m1")

    def test_arguments_are_checked_in_order(self, store: PersistenceAdapter) -> None:
        """Checks run in the order limit, cursor shape, cursor existence.

        Troubleshooting: a bad limit wins over a bad cursor, a malformed cursor wins
        over an unknown one.  Both cursors, ``""`` or a non-string cursor raise
        ``InvalidCursor``.  Usual mistake: looking the cursor up before validating.
        """
        store.save_message(message("m1", inserted_at=T0))
        with pytest.raises(InvalidLimit):
            store.get_messages("room:1", limit=-1, before="unknown", after="unknown")
        with pytest.raises(InvalidLimit):
            store.get_messages("room:1", limit=True)
        with pytest.raises(InvalidCursor):
            store.get_messages("room:1", before="unknown", after="unknown")
        with pytest.raises(InvalidCursor):
            store.get_messages("room:1", before="m1", after="m1")
        malformed: list[Any] = ["", 1, b"m1", "m\x00"]
        for bad in malformed:
            with pytest.raises(InvalidCursor):
                store.get_messages("room:1", before=bad)
            with pytest.raises(InvalidCursor):
                store.get_messages("room:1", after=bad)
        with pytest.raises(CursorNotFound):
            store.get_messages("room:1", before="unknown")

    def test_resave_moves_a_message_between_rooms_and_threads(
        self, store: PersistenceAdapter
    ) -> None:
        """Re-saving a message in another room or thread leaves no stale index entry.

        Troubleshooting: indexes follow the latest saved version.  Usual mistakes: a
        separate room or thread index that is appended to but never cleaned, so the
        message shows up in both scopes, or a changed ``inserted_at`` leaving the old
        sort key behind.
        """
        store.save_message(message("m1", inserted_at=T0, thread_id="t1"))
        store.save_message(message("m1", room_id="room:2", inserted_at=T0, thread_id="t2"))
        assert store.get_messages("room:1") == []
        assert store.get_messages("room:1", thread_id="t1") == []
        assert ids(store.get_messages("room:2", thread_id="t2")) == ["m1"]
        store.save_message(message("m1", room_id="room:2", inserted_at=None))
        assert ids(store.get_messages("room:2")) == ["m1"]
        assert store.get_messages("room:2", thread_id="t2") == []
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["row_counts"]["messages"] == 1

    def test_delete_message_is_idempotent_and_complete(self, store: PersistenceAdapter) -> None:
        """``delete_message`` removes the message from every scope; again is no error.

        Troubleshooting: delete removes the row and every index entry.  Usual
        mistake: a thread index or external-id index entry left behind.
        """
        store.save_message(
            message(
                "m1",
                inserted_at=T0,
                thread_id="t",
                external_id="E1",
                metadata={"channel": "slack", "bridge_id": "b"},
            )
        )
        assert store.delete_message("m1") is None
        store.delete_message("m1")
        store.delete_message("m:never")
        assert store.get_messages("room:1") == []
        assert store.get_messages("room:1", thread_id="t") == []
        with pytest.raises(NotFound):
            store.get_message_by_external_id("slack", "b", "E1")
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["message_keys"] == {}
            assert raw["row_counts"]["messages"] == 0
