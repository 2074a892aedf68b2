"""Bulk export and import (contract 9.2) against the raw bulk path of each backend.

- **import**: ``import_records`` of a :class:`~.dataset.Dataset` as export records
  (:func:`dataset_records`: rooms, participants, room bindings, threads, messages and
  every key record, in export order) into a fresh, empty store, against the raw bulk
  baseline (:mod:`.bulk_raw`) loading the same messages into an empty table of its
  backend, in the same run, round by round interleaved.
- **export**: iterating ``export_records()`` of that store to the end, against the raw
  baseline streaming its table back as :class:`Message` objects.

Figures are records (adapter) or rows (raw) per second, and the time ratio adapter /
raw for the same dataset: nearly every record of the dataset is a message or its key,
so the ratio says what the adapter's bulk path costs beyond the backend's own (goal:
within 1.3x).  :func:`peak_rss` runs one phase (import of a generated stream of
records, or export to nowhere) in a process of its own and reports its peak RSS, so
that the memory an export or import needs can be compared across store sizes.

Builds (the records handed to ``import_records``) are lists made before the clock
starts; the peak-RSS phases stream them instead.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from jido_persistence import PersistenceAdapter, open_store
from jido_persistence.models import ImportReport, Message, RoomBinding
from jido_persistence.records import (
    BindingKeyRecord,
    MessageKeyRecord,
    MessageRecord,
    ParticipantKeyRecord,
    ParticipantRecord,
    Record,
    RoomBindingRecord,
    RoomRecord,
    ThreadExternalKeyRecord,
    ThreadRecord,
    ThreadRootKeyRecord,
)
from jido_persistence.registry import get_adapter
from jido_persistence_bench.bulk_raw import BULK_BASELINE_OF, BULK_BASELINES
from jido_persistence_bench.dataset import (
    BRIDGE_ID,
    CHANNEL,
    Dataset,
    message_external_id,
    participant_external_id,
    room_external_id,
)
from jido_persistence_bench.targets import Target, store_url

__all__ = [
    "GOAL",
    "ROUNDS",
    "BulkFigure",
    "bench_bulk",
    "dataset_records",
    "exporter",
    "importer",
    "peak_rss",
]

ROUNDS: Final = 3
"""Fresh stores imported (and exported) per target; figures are medians."""

GOAL: Final = 1.3
"""The adapter's bulk path should take at most this many times the raw path's time."""

Phase = Literal["import", "export"]


def _binding(data: Dataset, index: int) -> RoomBinding:
    room = data.room(index)
    return RoomBinding(
        id=f"binding-{index:03d}",
        room_id=room.id,
        channel=CHANNEL,
        bridge_id=BRIDGE_ID,
        external_room_id=room_external_id(index),
        inserted_at=room.inserted_at,
    )


def dataset_records(data: Dataset) -> Iterator[Record]:
    """The records an export of ``data``'s store lists, generated one at a time.

    Rooms, participants and room bindings, threads and messages in save order, then
    the keys: binding keys, participant keys, and the message and thread keys with
    the holder each resolves to (every thread of a room has the room's first message
    as root, so the room's root key resolves to its last thread).
    """
    yield from (RoomRecord(record=data.room(index)) for index in range(data.rooms))
    yield from (
        ParticipantRecord(record=data.participant(index)) for index in range(data.participants)
    )
    yield from (RoomBindingRecord(record=_binding(data, index)) for index in range(data.rooms))
    yield from (ThreadRecord(record=data.thread(index)) for index in range(data.threads))
    yield from (MessageRecord(record=message) for message in data.messages())
    for index in range(data.rooms):
        yield BindingKeyRecord(
            channel=CHANNEL,
            bridge_id=BRIDGE_ID,
            external_id=room_external_id(index),
            room_id=data.room(index).id,
        )
    for index in range(data.participants):
        yield ParticipantKeyRecord(
            channel=CHANNEL,
            external_id=participant_external_id(index),
            participant_id=data.participant(index).id,
        )
    for index in range(data.size):
        yield MessageKeyRecord(
            channel=CHANNEL,
            bridge_id=BRIDGE_ID,
            external_id=message_external_id(index),
            message_id=data.message(index).id,
        )
    for index in range(data.threads):
        thread = data.thread(index)
        assert thread.external_thread_id is not None
        yield ThreadExternalKeyRecord(
            room_id=thread.room_id,
            external_thread_id=thread.external_thread_id,
            thread_id=thread.id,
        )
    for room in range(data.rooms):
        last = data.thread(data.threads - data.rooms + room)
        assert last.root_message_id is not None
        yield ThreadRootKeyRecord(
            room_id=last.room_id, root_message_id=last.root_message_id, thread_id=last.id
        )


@dataclass
class BulkFigure:
    """One target's import and export figures beside its raw bulk baseline.

    ``*_seconds`` are the whole dataset's (every record kind); ``message_*_seconds``
    the messages' alone: importing only the message records into a fresh store, and
    the part of the full export from its first message record to the record after its
    last: the same rows as the raw baseline's.
    """

    target: str
    raw: str
    messages: int
    records: int
    import_seconds: list[float] = field(default_factory=list)
    export_seconds: list[float] = field(default_factory=list)
    message_import_seconds: list[float] = field(default_factory=list)
    message_export_seconds: list[float] = field(default_factory=list)
    raw_import_seconds: list[float] = field(default_factory=list)
    raw_export_seconds: list[float] = field(default_factory=list)

    @staticmethod
    def _median(seconds: list[float]) -> float:
        return statistics.median(seconds) if seconds else float("nan")

    def rate(self, which: str) -> float:
        """Records (or rows) per second of ``which``: ``import``, ``export`` (every
        record), ``message_import``, ``message_export``, ``raw_import`` or
        ``raw_export`` (messages), median round."""
        count = self.records if which in ("import", "export") else self.messages
        return count / self._median(getattr(self, f"{which}_seconds"))

    def ratio(self, phase: Phase, *, messages_only: bool = False) -> float:
        """Adapter time / raw time of ``phase`` (medians): for the whole dataset, or
        for its messages alone (the raw baseline's rows)."""
        mine = f"message_{phase}_seconds" if messages_only else f"{phase}_seconds"
        return self._median(getattr(self, mine)) / self._median(
            getattr(self, f"raw_{phase}_seconds")
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data, with the rates and ratios."""
        data = asdict(self)
        for which in (
            "import",
            "export",
            "message_import",
            "message_export",
            "raw_import",
            "raw_export",
        ):
            data[f"{which}_per_second"] = self.rate(which)
        for phase in ("import", "export"):
            data[f"{phase}_ratio"] = self.ratio(phase)
            data[f"message_{phase}_ratio"] = self.ratio(phase, messages_only=True)
        return data


def exporter(store: PersistenceAdapter) -> Callable[[], Iterator[Record]]:
    """The store's ``export_records`` (its hook ``_export_records`` on a core that does
    not yet guard the group)."""
    found: Callable[[], Iterator[Record]] | None = getattr(store, "export_records", None)
    return found if found is not None else getattr(store, "_export_records")  # noqa: B009


def importer(store: PersistenceAdapter) -> Callable[[Iterable[Record]], ImportReport]:
    """The store's ``import_records`` (or its hook, as :func:`exporter`)."""
    found: Callable[[Iterable[Record]], ImportReport] | None = getattr(
        store, "import_records", None
    )
    return found if found is not None else getattr(store, "_import_records")  # noqa: B009


def _timed_import(store: PersistenceAdapter, records: list[Record]) -> float:
    started = time.perf_counter()
    importer(store)(records)
    return time.perf_counter() - started


def _timed_export(store: PersistenceAdapter) -> tuple[float, float, int]:
    """The export's seconds, its message records' seconds, and its record count."""
    count = 0
    first = last = None
    started = time.perf_counter()
    for record in exporter(store)():
        count += 1
        if record.kind == "message":
            if first is None:
                first = time.perf_counter()
        elif first is not None and last is None:
            last = time.perf_counter()
    ended = time.perf_counter()
    messages = 0.0 if first is None else (last or ended) - first
    return ended - started, messages, count


def _adapter_round(
    target: Target, directory: Path, unique: str, records: list[Record]
) -> tuple[float, float, float, int]:
    """Import ``records`` into a fresh store and export it: (import seconds, export
    seconds, message export seconds, records exported)."""
    url = store_url(target, directory, unique)
    try:
        with open_store(url) as store:
            imported = _timed_import(store, records)
            exported, messages, count = _timed_export(store)
        return imported, exported, messages, count
    finally:
        get_adapter(target.adapter).load().destroy_store(url)


def _message_import(target: Target, directory: Path, unique: str, records: list[Record]) -> float:
    url = store_url(target, directory, unique)
    try:
        with open_store(url) as store:
            return _timed_import(store, records)
    finally:
        get_adapter(target.adapter).load().destroy_store(url)


def _raw_round(
    name: str, target: Target, directory: Path, messages: list[Message]
) -> tuple[float, float]:
    baseline = BULK_BASELINES[name](directory, target.raw_options)
    try:
        started = time.perf_counter()
        baseline.import_messages(messages)
        imported = time.perf_counter() - started
        started = time.perf_counter()
        count = sum(1 for _ in baseline.export_messages())
        exported = time.perf_counter() - started
        if count != len(messages):
            raise AssertionError(f"raw {name} exported {count} rows, not {len(messages)}")
        return imported, exported
    finally:
        baseline.close()


def bench_bulk(target: Target, messages: int, rounds: int = ROUNDS) -> BulkFigure:
    """Import and export a ``messages``-message dataset ``rounds`` times into fresh stores
    of ``target``, each round beside the raw bulk baseline of its backend."""
    raw = BULK_BASELINE_OF.get(target.adapter)
    if raw is None:
        raise ValueError(f"no raw bulk baseline for the {target.adapter} adapter")
    data = Dataset(messages)
    records = list(dataset_records(data))
    rows = list(data.messages())
    only_messages: list[Record] = [MessageRecord(record=message) for message in rows]
    figure = BulkFigure(target=target.label, raw=raw, messages=messages, records=len(records))
    for round_number in range(rounds):
        with tempfile.TemporaryDirectory(prefix="jido-bench-bulk-") as name:
            directory = Path(name)
            unique = f"jp_bench_bulk_{round_number}"
            imported, exported, message_export, count = _adapter_round(
                target, directory, unique, records
            )
            figure.import_seconds.append(imported)
            figure.export_seconds.append(exported)
            figure.message_export_seconds.append(message_export)
            figure.records = count
            figure.message_import_seconds.append(
                _message_import(target, directory, unique + "_m", only_messages)
            )
            raw_imported, raw_exported = _raw_round(raw, target, directory, rows)
            figure.raw_import_seconds.append(raw_imported)
            figure.raw_export_seconds.append(raw_exported)
    return figure


def _peak_rss_bytes() -> int:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _rss_phase(phase: Phase, url: str, messages: int) -> dict[str, Any]:
    """Run one phase in this process; its peak RSS before and after."""
    with open_store(url) as store:
        before = _peak_rss_bytes()
        started = time.perf_counter()
        if phase == "import":
            count = importer(store)(dataset_records(Dataset(messages))).records
        else:
            count = sum(1 for _ in exporter(store)())
        seconds = time.perf_counter() - started
    return {
        "phase": phase,
        "messages": messages,
        "records": count,
        "seconds": seconds,
        "rss_before_bytes": before,
        "peak_rss_bytes": _peak_rss_bytes(),
    }


def peak_rss(phase: Phase, url: str, messages: int) -> dict[str, Any]:
    """Run ``phase`` (``import`` into the empty store at ``url`` of a generated stream of
    a ``messages``-message dataset, or ``export`` of it to nowhere) in a process of its
    own; its figures, with the process's peak RSS."""
    code = (
        "import json, sys; from jido_persistence_bench.interchange import _rss_phase; "
        "print(json.dumps(_rss_phase(sys.argv[1], sys.argv[2], int(sys.argv[3]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, phase, url, str(messages)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the {phase} phase failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
