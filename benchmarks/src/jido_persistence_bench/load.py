"""Building a store from a :class:`~.dataset.Dataset` before it is measured (never timed).

An adapter may offer a bulk-load path: a method ``bulk_load(records)`` taking an
iterable of models (:class:`Room`, :class:`Participant`, :class:`Thread`,
:class:`Message`) and storing them as the matching ``save_*`` callbacks would.
Without one, the store is built with plain callbacks in a tight loop: rooms with
their binding (``save_room`` + ``create_room_binding``), participants through
``get_or_create_participant_by_external_id`` (so that their platform keys exist),
threads, then messages in insertion order.  Either way the result is the same
store, and the build time is recorded apart from every per-call figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Final

from jido_persistence import PersistenceAdapter
from jido_persistence.models import Message, Participant, Room, Thread
from jido_persistence_bench.dataset import (
    BRIDGE_ID,
    CHANNEL,
    Dataset,
    participant_external_id,
    room_external_id,
)

__all__ = ["BULK_LOAD_METHOD", "load_store", "records"]

BULK_LOAD_METHOD: Final = "bulk_load"
"""The name of the optional bulk-load method of an adapter."""

Progress = Callable[[int, int], None]


def records(data: Dataset) -> Iterator[Room | Participant | Thread | Message]:
    """Every record of ``data``: rooms, participants, threads, then messages."""
    yield from (data.room(index) for index in range(data.rooms))
    yield from (data.participant(index) for index in range(data.participants))
    yield from (data.thread(index) for index in range(data.threads))
    yield from data.messages()


def _with_progress(items: Iterable[Message], total: int, progress: Progress) -> Iterator[Message]:
    step = max(1, total // 100)
    for done, item in enumerate(items, 1):
        if done % step == 0:
            progress(done, total)
        yield item


def load_store(store: PersistenceAdapter, data: Dataset, progress: Progress) -> bool:
    """Fill the empty ``store`` with ``data``; return ``True`` if a bulk path was used.

    ``progress(done, total)`` is called about a hundred times with the number of
    messages stored so far.
    """
    bulk = getattr(store, BULK_LOAD_METHOD, None)
    if callable(bulk):
        bulk(records(data))
        for index in range(data.rooms):
            store.create_room_binding(
                data.room(index).id, CHANNEL, BRIDGE_ID, room_external_id(index)
            )
        progress(data.size, data.size)
        return True
    for index in range(data.rooms):
        room = store.save_room(data.room(index))
        store.create_room_binding(room.id, CHANNEL, BRIDGE_ID, room_external_id(index))
    for index in range(data.participants):
        store.get_or_create_participant_by_external_id(
            CHANNEL, participant_external_id(index), data.participant_attrs(index)
        )
    for index in range(data.threads):
        store.save_thread(data.thread(index))
    save = store.save_message
    for message in _with_progress(data.messages(), data.size, progress):
        save(message)
    return False
