"""Building a store from a :class:`~.dataset.Dataset` before it is measured (never timed).

A store whose adapter has the enumeration group (contract 9.2, every bundled adapter)
is built by ``import_records`` of the dataset as export records
(:func:`~.interchange.dataset_records`: rooms, participants, bindings, threads,
messages, then every key), streamed: one bulk path per backend (PostgreSQL ``COPY``,
DuckDB's Appender, SQLite ``executemany``, one TinyDB journal batch), the same store
the callbacks build.  Otherwise an adapter may offer a bulk-load path: a method
``bulk_load(records)`` taking an iterable of models (:class:`Room`, :class:`Thread`,
:class:`Message`) and storing them as the matching ``save_*`` callbacks would;
bindings and participants, whose keys only their callbacks write, are then made
through those callbacks.  An adapter may instead offer the optional bulk message
path of the core, :class:`~jido_persistence.bulk.SupportsBulkSaveMessages`
(``bulk_save_messages``: DuckDB's and TinyDB's): the messages then go in through it,
everything else through the callbacks.  Without any, the store is built with plain
callbacks in a tight loop: rooms with their binding (``save_room`` +
``create_room_binding``), participants through
``get_or_create_participant_by_external_id`` (so that their platform keys exist),
threads, then messages in insertion order.  Every path gives the same store, and the
build time is recorded apart from every per-call figure.

``threads > 1`` makes the callbacks from several threads at once (every adapter
is thread-safe, and a server such as PostgreSQL then overlaps the commits); the
store is the same, since the order of records depends on their timestamps only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Final, Literal, get_args

from jido_persistence import PersistenceAdapter, SupportsBulkSaveMessages
from jido_persistence.models import Message, Room, Thread
from jido_persistence.records import Record
from jido_persistence_bench.dataset import (
    BRIDGE_ID,
    CHANNEL,
    Dataset,
    participant_external_id,
    room_external_id,
)
from jido_persistence_bench.interchange import dataset_records

__all__ = [
    "BUILD_PATHS",
    "BULK_LOAD_METHOD",
    "BuildPath",
    "build_path_of",
    "load_store",
    "record_count",
    "records",
]

BuildPath = Literal["import", "bulk_load", "bulk_messages", "callbacks"]
"""How a store was built: ``import_records`` of the export records, the adapter's
``bulk_load``, ``bulk_save_messages`` for the messages (callbacks for the rest), or
callbacks only."""

BUILD_PATHS: Final[tuple[BuildPath, ...]] = get_args(BuildPath)
"""Every build path, the preferred first."""

BULK_LOAD_METHOD: Final = "bulk_load"
"""The name of the optional bulk-load method of an adapter."""

Progress = Callable[[int, int], None]
"""Receives ``(records stored so far, records in all)`` about a hundred times."""

_CHUNK: Final = 64


def records(data: Dataset) -> Iterator[Room | Thread | Message]:
    """The records of ``data`` a bulk load takes: rooms, threads, then messages.

    Room bindings and participants (with their platform keys) are made through
    the callbacks that write keys, whatever the path.
    """
    yield from (data.room(index) for index in range(data.rooms))
    yield from (data.thread(index) for index in range(data.threads))
    yield from data.messages()


Step = tuple[str, int]
"""A record to store: its kind (``room``, ``participant``, ``thread``, ``message``) and index."""


def record_count(data: Dataset) -> int:
    """How many export records :func:`~.interchange.dataset_records` yields for ``data``:
    rooms, participants, bindings, threads and messages, and a key of each but a thread's
    root key, one per room."""
    return 4 * data.rooms + 2 * (data.participants + data.threads + data.size)


def build_path_of(store: PersistenceAdapter) -> BuildPath:
    """The path :func:`load_store` takes for ``store`` by default (the first it offers)."""
    if store.capabilities.enumeration:
        return "import"
    if callable(getattr(store, BULK_LOAD_METHOD, None)):
        return "bulk_load"
    if _message_loader(store) is not None:
        return "bulk_messages"
    return "callbacks"


def _counted(records: Iterable[Record], total: int, progress: Progress) -> Iterator[Record]:
    step = max(1, total // 100)
    for done, record in enumerate(records, 1):
        yield record
        if done % step == 0:
            progress(done, total)


def _message_loader(store: PersistenceAdapter) -> Callable[[Iterable[Message]], int] | None:
    """The store's bulk message method, when it offers one (used without ``bulk_load``)."""
    if isinstance(store, SupportsBulkSaveMessages):
        return store.bulk_save_messages
    return None


def _steps(data: Dataset, *, messages: bool = True) -> Iterator[Step]:
    for kind, count in (
        ("room", data.rooms),
        ("participant", data.participants),
        ("thread", data.threads),
        ("message", data.size if messages else 0),
    ):
        yield from ((kind, index) for index in range(count))


def _store(store: PersistenceAdapter, data: Dataset, steps: list[Step]) -> int:
    for kind, index in steps:
        if kind == "message":
            store.save_message(data.message(index))
        elif kind == "participant":
            store.get_or_create_participant_by_external_id(
                CHANNEL, participant_external_id(index), data.participant_attrs(index)
            )
        elif kind == "thread":
            store.save_thread(data.thread(index))
        else:
            room = store.save_room(data.room(index))
            store.create_room_binding(room.id, CHANNEL, BRIDGE_ID, room_external_id(index))
    return len(steps)


def _chunks(steps: Iterable[Step]) -> Iterator[list[Step]]:
    iterator = iter(steps)
    while chunk := list(islice(iterator, _CHUNK)):
        yield chunk


def load_store(
    store: PersistenceAdapter,
    data: Dataset,
    progress: Progress,
    *,
    threads: int = 1,
    path: BuildPath | None = None,
) -> BuildPath:
    """Fill the empty ``store`` with ``data`` and return the path taken: ``path``, or
    by default :func:`build_path_of` the store (``import`` for every bundled adapter).

    ``progress(done, total)`` is called about a hundred times with the number of
    records stored so far (export records when importing; through callbacks otherwise:
    messages that ``bulk_save_messages`` stores are not counted); it may raise to
    abandon the build (an import then leaves the store empty).  ``threads`` applies
    to the callbacks.
    """
    chosen = build_path_of(store) if path is None else path
    if chosen == "import":
        total = record_count(data)
        store.import_records(_counted(dataset_records(data), total, progress))
        progress(total, total)
    elif chosen == "bulk_load":
        _bulk_load(store, data, progress)
    else:
        _by_callbacks(store, data, progress, threads, messages=chosen == "callbacks")
    return chosen


def _bulk_load(store: PersistenceAdapter, data: Dataset, progress: Progress) -> None:
    total = data.rooms + data.participants + data.threads + data.size
    getattr(store, BULK_LOAD_METHOD)(records(data))
    for index in range(data.rooms):
        store.create_room_binding(data.room(index).id, CHANNEL, BRIDGE_ID, room_external_id(index))
    _store(store, data, [("participant", index) for index in range(data.participants)])
    progress(total, total)


def _by_callbacks(
    store: PersistenceAdapter, data: Dataset, progress: Progress, threads: int, *, messages: bool
) -> None:
    loader = None if messages else _message_loader(store)
    if not messages and loader is None:
        raise TypeError(f"{type(store).__name__} offers no bulk_save_messages")
    total = data.rooms + data.participants + data.threads + (data.size if messages else 0)
    # Without the messages, progress (and the runner's build-time projection from it)
    # counts only the records the callbacks store.
    step = max(1, total // 100)
    done = reported = 0
    steps = _steps(data, messages=messages)
    done += _store(store, data, list(islice(steps, data.rooms)))
    pool = ThreadPoolExecutor(max_workers=threads) if threads > 1 else None
    try:
        chunks = _chunks(steps)
        counts: Iterator[int]
        if pool is None:
            counts = (_store(store, data, chunk) for chunk in chunks)
        else:
            counts = pool.map(lambda chunk: _store(store, data, chunk), chunks)
        for count in counts:
            done += count
            if done - reported >= step:
                reported = done
                progress(done, total)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    if loader is not None:
        loader(data.messages())
    progress(total, total)
