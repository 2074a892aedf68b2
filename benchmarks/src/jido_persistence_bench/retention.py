"""Retention benchmarks (contract 9.3): ``delete_messages`` against the raw backend's
``DELETE ... WHERE``, and ``erase_participant`` as the store grows.

``jido-persistence bench-retention [NAME_OR_URL]...`` runs two workloads per target
(every adapter that can run here by default, as ``bench`` picks them):

- **delete oldest 10%**: one room of ``--room-size`` messages (100,000 by default);
  three successive ``delete_messages(room, before=cut)`` calls, each removing the
  next oldest 10% of the original room, timed against the same three cuts done by
  the target's raw baseline (:meth:`~.raw.RawBaseline.delete_before`, the backend's
  own ``DELETE ... WHERE room_id = ? AND inserted_at < ?``) on the same messages, in
  the same run.  The figure is the median of the three adapter/raw ratios.
- **erase scaling**: a participant with 1,000 messages spread over 100 rooms, in
  stores of 100, 1,000 and 10,000 rooms (five messages of other senders in each);
  ``erase_participant`` in both modes, five times each (the participant's messages
  are saved again, untimed, between calls).  The figure is the median time per store
  size and its ratio to the smallest store: a value near 1 means the erasure does not
  grow with the number of rooms.

Builds are never timed; every store is built through the core's ``save_messages``
(the adapter's bulk path when it has one) and reopened with its default options
before anything is measured.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Final, Literal

from jido_persistence import PersistenceAdapter, open_store, save_messages
from jido_persistence.models import Message, MessageRole, TextPart
from jido_persistence.registry import get_adapter
from jido_persistence_bench.raw import RAW_BASELINES
from jido_persistence_bench.targets import Target, store_url, with_query

__all__ = [
    "ERASE_ROOMS",
    "ROUNDS",
    "RetentionFigure",
    "bench_delete_oldest",
    "bench_erase_scaling",
    "room_messages",
]

Mode = Literal["delete", "redact"]
MODES: Final[tuple[Mode, ...]] = ("delete", "redact")
T0: Final = datetime(2024, 1, 1, tzinfo=UTC)
ROOM: Final = "room:big"
ERASED: Final = "p:erased"
ERASE_ROOMS: Final = (100, 1_000, 10_000)
"""Rooms in the stores of the erase-scaling workload."""
ERASED_MESSAGES: Final = 1_000
ERASED_IN_ROOMS: Final = 100
FILLER_PER_ROOM: Final = 5
CUTS: Final = 3
ROUNDS: Final = 5
RAW_OF: Final = {
    "memory": "dict",
    "tinydb": "tinydb-json",
    "duckdb": "duckdb",
    "postgres": "psycopg",
}
"""The raw baseline timed beside each bundled adapter."""


@dataclass
class RetentionFigure:
    """One measured figure: what, where, the seconds of each round, and the ratio."""

    workload: str
    target: str
    size: int
    seconds: list[float]
    raw: str | None = None
    raw_seconds: list[float] = field(default_factory=list)
    ratio: float | None = None
    """adapter / raw (delete), or this size / the smallest size (erase)."""
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return asdict(self)


def _message(index: int, room_id: str, sender_id: str) -> Message:
    at = T0 + timedelta(milliseconds=index)
    return Message(
        id=f"m{index:08d}",
        room_id=room_id,
        sender_id=sender_id,
        role=MessageRole.USER,
        content=[TextPart(text=f"message {index}")],
        external_id=f"E{index}",
        metadata={"channel": "slack", "bridge_id": "B1"},
        inserted_at=at,
        updated_at=at,
    )


def room_messages(size: int) -> Iterator[Message]:
    """One room of ``size`` messages, one millisecond apart, in id order."""
    return (_message(index, ROOM, f"p:{index % 50}") for index in range(size))


@contextmanager
def _built(
    target: Target, directory: Path, unique: str, messages: Iterator[Message]
) -> Iterator[PersistenceAdapter]:
    """A store of ``messages`` built untimed, reopened with its defaults when durable,
    and destroyed afterwards."""
    url = store_url(target, directory, unique)
    try:
        store = open_store(with_query(url, target.build_query))
        try:
            save_messages(store, messages)
            if store.capabilities.durable:
                store.close()
                store = open_store(url)
            yield store
        finally:
            store.close()
    finally:
        get_adapter(target.adapter).load().destroy_store(url)


def _timed(call: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def bench_delete_oldest(target: Target, size: int = 100_000) -> RetentionFigure:
    """``delete_messages`` of the oldest 10% of a ``size``-message room, three times,
    against the raw baseline's ``DELETE ... WHERE`` on the same data."""
    tenth = size // 10
    cuts = [T0 + timedelta(milliseconds=tenth * (step + 1)) for step in range(CUTS)]
    adapter_seconds: list[float] = []
    raw_seconds: list[float] = []
    raw_name = RAW_OF.get(target.adapter)
    with tempfile.TemporaryDirectory(prefix="jido-bench-retention-") as name:
        directory = Path(name)
        with _built(target, directory, "jp_bench_delete", room_messages(size)) as store:
            for cut in cuts:
                seconds, removed = _timed(partial(store.delete_messages, ROOM, before=cut))
                if removed != tenth:
                    raise AssertionError(f"{target.label}: deleted {removed}, not {tenth}")
                adapter_seconds.append(seconds)
        if raw_name is not None:
            raw_seconds = _raw_delete(raw_name, target, directory, size, cuts, tenth)
    ratios = [a / r for a, r in zip(adapter_seconds, raw_seconds, strict=False) if r > 0]
    return RetentionFigure(
        workload="delete oldest 10%",
        target=target.label,
        size=size,
        seconds=adapter_seconds,
        raw=raw_name,
        raw_seconds=raw_seconds,
        ratio=statistics.median(ratios) if ratios else None,
        note=f"{tenth:,} of {size:,} messages per call; median of {CUTS} successive cuts",
    )


def _raw_delete(
    name: str, target: Target, directory: Path, size: int, cuts: Sequence[datetime], tenth: int
) -> list[float]:
    factory, _ = RAW_BASELINES[name]
    baseline = factory(directory, target.raw_options)
    try:
        baseline.load(room_messages(size))
        seconds: list[float] = []
        for cut in cuts:
            elapsed, removed = _timed(partial(baseline.delete_before, ROOM, cut))
            if removed != tenth:
                raise AssertionError(f"raw {name}: deleted {removed}, not {tenth}")
            seconds.append(elapsed)
        return seconds
    finally:
        baseline.close()


def _erased_messages() -> list[Message]:
    per_room = ERASED_MESSAGES // ERASED_IN_ROOMS
    return [
        _message(10_000_000 + index, f"room:{index // per_room:05d}", ERASED)
        for index in range(ERASED_MESSAGES)
    ]


def _erase_store(rooms: int) -> Iterator[Message]:
    for index in range(rooms * FILLER_PER_ROOM):
        yield _message(index, f"room:{index % rooms:05d}", f"p:{index % 97}")
    yield from _erased_messages()


def bench_erase_scaling(
    target: Target, rooms: Sequence[int] = ERASE_ROOMS
) -> list[RetentionFigure]:
    """``erase_participant`` (delete, then redact) of 1,000 messages over 100 rooms, in
    stores of each number of ``rooms``; ratios are to the smallest store."""
    figures: list[RetentionFigure] = []
    with tempfile.TemporaryDirectory(prefix="jido-bench-erase-") as name:
        directory = Path(name)
        for count in rooms:
            unique = f"jp_bench_erase_{count}"
            with _built(target, directory, unique, _erase_store(count)) as store:
                for mode in MODES:
                    figures.append(
                        RetentionFigure(
                            workload=f"erase ({mode})",
                            target=target.label,
                            size=count,
                            seconds=_erase_rounds(store, mode),
                            note=(
                                f"{ERASED_MESSAGES:,} messages over {ERASED_IN_ROOMS} rooms; "
                                f"store of {count:,} rooms, "
                                f"{count * FILLER_PER_ROOM + ERASED_MESSAGES:,} messages"
                            ),
                        )
                    )
    for mode in MODES:
        same = [figure for figure in figures if figure.workload == f"erase ({mode})"]
        if same:
            smallest = statistics.median(same[0].seconds)
            for figure in same:
                figure.ratio = statistics.median(figure.seconds) / smallest
    return figures


def _erase_rounds(store: PersistenceAdapter, mode: Mode) -> list[float]:
    seconds: list[float] = []
    for _ in range(ROUNDS):
        save_messages(store, _erased_messages())
        elapsed, erasure = _timed(lambda: store.erase_participant(ERASED, messages=mode))
        changed = getattr(erasure, "messages", None)
        if changed != ERASED_MESSAGES:
            raise AssertionError(f"erase ({mode}) changed {changed}, not {ERASED_MESSAGES}")
        seconds.append(elapsed)
    return seconds
