"""Threads: round trips, per-room keys (latest saved holder), ``list_threads`` (contract 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import NotFound
from jido_persistence.models import Thread
from jido_persistence_conformance import strategies
from jido_persistence_conformance._support import (
    HUGE,
    canonical,
    ids,
    kit_settings,
    raw_index_or_none,
)

__all__ = ["ThreadsTests"]

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _thread(thread_id: str, room_id: str = "room:1", day: int = 0, **fields: Any) -> Thread:
    stamp = T0 + timedelta(days=day)
    return Thread(id=thread_id, room_id=room_id, inserted_at=stamp, updated_at=stamp, **fields)


class ThreadsTests:
    """Threads: exact round trips, external and root-message keys, listing order."""

    @kit_settings()
    @given(thread=strategies.threads())
    def test_thread_round_trips_exactly(self, store: PersistenceAdapter, thread: Thread) -> None:
        """``save_thread`` returns its argument; ``get_thread`` gives it back exactly.

        Troubleshooting: every optional key field and both timestamps must survive.
        Usual mistake: dropping ``updated_at`` or normalising it to ``inserted_at``.
        """
        assert store.save_thread(thread) == thread
        assert canonical(store.get_thread(thread.id)) == canonical(thread)

    def test_unknown_thread_keys_raise_not_found(self, store: PersistenceAdapter) -> None:
        """Unknown thread ids and keys raise NotFound with entity ``thread``.

        Troubleshooting: ``.key`` is the id, or ``(room_id, key)`` for the per-room
        lookups.  Usual mistake: returning ``None`` or the wrong entity name.
        """
        with pytest.raises(NotFound) as caught:
            store.get_thread("t:missing")
        assert (caught.value.entity, caught.value.key) == ("thread", "t:missing")
        with pytest.raises(NotFound) as caught:
            store.get_thread_by_external_id("room:1", "ext")
        assert (caught.value.entity, caught.value.key) == ("thread", ("room:1", "ext"))
        with pytest.raises(NotFound) as caught:
            store.get_thread_by_root_message("room:1", "m:1")
        assert (caught.value.entity, caught.value.key) == ("thread", ("room:1", "m:1"))

    def test_external_thread_id_is_normalised(self, store: PersistenceAdapter) -> None:
        """``get_thread_by_external_id(room, 123)`` finds the thread keyed ``"123"``.

        Troubleshooting: int external ids are normalised to their decimal string on
        read and write.  Usual mistake: comparing an int parameter with a text column.
        """
        store.save_thread(_thread("t:1", external_thread_id="123"))
        assert store.get_thread_by_external_id("room:1", 123).id == "t:1"
        assert store.get_thread_by_external_id("room:1", "123").id == "t:1"

    def test_keys_are_per_room(self, store: PersistenceAdapter) -> None:
        """The same external thread id or root message in two rooms names two threads.

        Troubleshooting: thread keys are ``(room_id, key)``.  Usual mistake: a unique
        index on ``external_thread_id`` alone.
        """
        store.save_thread(_thread("t:1", "room:1", external_thread_id="E", root_message_id="M"))
        store.save_thread(_thread("t:2", "room:2", external_thread_id="E", root_message_id="M"))
        assert store.get_thread_by_external_id("room:1", "E").id == "t:1"
        assert store.get_thread_by_external_id("room:2", "E").id == "t:2"
        assert store.get_thread_by_root_message("room:1", "M").id == "t:1"
        assert store.get_thread_by_root_message("room:2", "M").id == "t:2"

    def test_latest_saved_holder_wins_and_falls_back(self, store: PersistenceAdapter) -> None:
        """A key resolves to its most recently saved holder; re-keyed, to the next one.

        Troubleshooting: among the room's threads carrying a key, the one saved most
        recently wins (not the newest ``inserted_at``); when it is re-saved without the
        key, the key resolves to the previous holder.  Usual mistakes: a unique index
        that rejects the second thread, or a key table overwritten on save and deleted
        on re-key, so the older holder is lost.
        """
        store.save_thread(_thread("t:b", day=5, external_thread_id="E", root_message_id="M"))
        store.save_thread(_thread("t:a", day=1, external_thread_id="E", root_message_id="M"))
        assert store.get_thread_by_external_id("room:1", "E").id == "t:a"
        assert store.get_thread_by_root_message("room:1", "M").id == "t:a"
        store.save_thread(_thread("t:b", day=5, external_thread_id="E", root_message_id="M"))
        assert store.get_thread_by_external_id("room:1", "E").id == "t:b"
        store.save_thread(_thread("t:b", day=5))
        assert store.get_thread_by_external_id("room:1", "E").id == "t:a"
        assert store.get_thread_by_root_message("room:1", "M").id == "t:a"
        store.save_thread(_thread("t:a", day=1, external_thread_id="F"))
        with pytest.raises(NotFound):
            store.get_thread_by_external_id("room:1", "E")
        with pytest.raises(NotFound):
            store.get_thread_by_root_message("room:1", "M")
        assert store.get_thread_by_external_id("room:1", "F").id == "t:a"
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["thread_external_keys"] == {("room:1", "F"): "t:a"}
            assert raw["thread_root_keys"] == {}

    def test_resave_moves_thread_and_keys_to_another_room(self, store: PersistenceAdapter) -> None:
        """Re-saving a thread in another room moves its listing and its keys.

        Troubleshooting: a re-save replaces every index entry of the thread.  Usual
        mistake: the old room still lists the thread or still resolves its key.
        """
        store.save_thread(_thread("t:1", "room:1", external_thread_id="E", root_message_id="M"))
        store.save_thread(_thread("t:1", "room:2", external_thread_id="E", root_message_id="M"))
        assert store.list_threads("room:1") == []
        assert ids(store.list_threads("room:2")) == ["t:1"]
        with pytest.raises(NotFound):
            store.get_thread_by_external_id("room:1", "E")
        with pytest.raises(NotFound):
            store.get_thread_by_root_message("room:1", "M")
        assert store.get_thread_by_external_id("room:2", "E").id == "t:1"

    def test_list_threads_returns_the_oldest_first(self, store: PersistenceAdapter) -> None:
        """``list_threads`` returns the OLDEST ``limit`` threads in ``(inserted_at, id)`` order.

        Troubleshooting: unlike ``get_messages``, threads page from the oldest.  Ties
        are broken by id by code point.  Usual mistakes: reusing the messages query
        (newest first), or ``LIMIT 0`` meaning no limit.
        """
        for name, day in (("c", 2), ("b", 0), ("a", 0), ("B", 0), ("d", 1)):
            store.save_thread(_thread(name, day=day))
        store.save_thread(_thread("other", "room:2"))
        assert ids(store.list_threads("room:1")) == ["B", "a", "b", "d", "c"]
        assert ids(store.list_threads("room:1", limit=2)) == ["B", "a"]
        assert store.list_threads("room:1", limit=0) == []
        assert len(store.list_threads("room:1", limit=HUGE)) == 5
        assert store.list_threads("room:none") == []
