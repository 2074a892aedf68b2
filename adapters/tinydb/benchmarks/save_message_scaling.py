"""Per-call cost of ``save_message`` on the TinyDB adapter, and what it compares with.

Run: ``uv run python adapters/tinydb/benchmarks/save_message_scaling.py [--quick]``

Measures, in one run, in a temporary directory on the current file system:

1. ``save_message`` with 1k and with 100k messages already stored (``fsync`` and
   ``flush`` durability) and the ratio of the two (goal: at most 1.5).  Stores are
   built through the bulk loader, which is not counted.
2. stdlib sqlite3 with ``PRAGMA synchronous=FULL`` doing single-row inserts, one
   transaction each, on tables with the same 1k / 100k rows (rollback journal and WAL).
3. stock TinyDB ``JSONStorage`` inserts at small sizes only (it rewrites the whole
   file on every insert).
4. One compaction at 100k messages, and the file size per 100k messages as a journal
   (before compaction) and as a snapshot (after).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tinydb import TinyDB
from tinydb.storages import JSONStorage

from jido_persistence.models import Message
from jido_persistence_tinydb import TinyDBAdapter
from jido_persistence_tinydb._files import journal_path

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def messages(start: int, count: int, rooms: int = 100) -> Iterator[Message]:
    """Realistic small chat messages spread over ``rooms`` rooms."""
    for number in range(start, start + count):
        at = EPOCH + timedelta(seconds=number)
        yield Message(
            id=f"msg_{number:09d}",
            room_id=f"room_{number % rooms}",
            sender_id=f"user_{number % 37}",
            role="user",
            content=[{"type": "text", "text": f"hello number {number}, how are you today?"}],
            external_id=f"ext_{number}",
            metadata={"channel": "slack", "bridge_id": "bridge_1"},
            status="sent",
            inserted_at=at,
            updated_at=at,
        )


def per_call(calls: list[Callable[[], object]]) -> dict[str, float]:
    """Milliseconds per call: mean, median, p99."""
    times = []
    for call in calls:
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return summary(times)


def summary(times: list[float]) -> dict[str, float]:
    """Mean, median and p99 of ``times`` (milliseconds)."""
    times = sorted(times)
    return {
        "mean": statistics.fmean(times),
        "median": statistics.median(times),
        "p99": times[max(0, int(len(times) * 0.99) - 1)],
    }


def interleaved(
    small: Callable[[int], object], large: Callable[[int], object], saves: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Time ``saves`` calls on each store, alternating, so both see the same disk noise."""
    times: tuple[list[float], list[float]] = ([], [])
    for number in range(saves):
        for side, call in enumerate((small, large)):
            started = time.perf_counter()
            call(number)
            times[side].append((time.perf_counter() - started) * 1000)
    return summary(times[0]), summary(times[1])


def tinydb_adapter(
    directory: Path, small: int, large: int, saves: int, durability: str
) -> tuple[dict[str, float], dict[str, float]]:
    """save_message timings on stores already holding ``small`` and ``large`` messages."""
    stores = []
    for stored in (small, large):
        store = TinyDBAdapter(
            path=directory / f"adapter-{durability}-{stored}.json", durability=durability
        )
        store.bulk_save_messages(messages(0, stored))
        stores.append(store)
    batches = [list(messages(stored, saves)) for stored in (small, large)]
    try:
        return interleaved(
            lambda n: stores[0].save_message(batches[0][n]),
            lambda n: stores[1].save_message(batches[1][n]),
            saves,
        )
    finally:
        for store in stores:
            store.close()


def sqlite_inserts(
    directory: Path, small: int, large: int, saves: int, mode: str
) -> tuple[dict[str, float], dict[str, float]]:
    """Single-row inserts, each its own transaction, synchronous=FULL."""

    def row(message: Message) -> tuple[str, str, str, str]:
        doc = message.model_dump(mode="json")
        return (message.id, message.room_id, doc["inserted_at"], json.dumps(doc))

    connections = []
    for stored in (small, large):
        connection = sqlite3.connect(directory / f"sqlite-{mode}-{stored}.db", isolation_level=None)
        connection.execute(f"PRAGMA journal_mode={mode}")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute(
            "CREATE TABLE messages (id TEXT PRIMARY KEY, room_id TEXT, inserted_at TEXT, doc TEXT)"
        )
        connection.execute("CREATE INDEX by_room ON messages (room_id, inserted_at, id)")
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO messages VALUES (?, ?, ?, ?)", (row(m) for m in messages(0, stored))
        )
        connection.execute("COMMIT")
        connections.append(connection)
    batches = [list(messages(stored, saves)) for stored in (small, large)]
    insert = "INSERT OR REPLACE INTO messages VALUES (?, ?, ?, ?)"
    try:
        return interleaved(
            lambda n: connections[0].execute(insert, row(batches[0][n])),
            lambda n: connections[1].execute(insert, row(batches[1][n])),
            saves,
        )
    finally:
        for connection in connections:
            connection.close()


def stock_tinydb(directory: Path, stored: int, saves: int) -> dict[str, float]:
    """Stock TinyDB with JSONStorage: every insert rewrites the whole file."""
    database = TinyDB(directory / f"stock-{stored}.json", storage=JSONStorage)
    table = database.table("messages")
    table.insert_multiple(m.model_dump(mode="json") for m in messages(0, stored))
    batch = list(messages(stored, saves))
    try:
        return per_call([lambda m=m: table.insert(m.model_dump(mode="json")) for m in batch])
    finally:
        database.close()


def sizes_and_compaction(directory: Path, count: int) -> dict[str, float]:
    """Journal bytes for ``count`` saves, snapshot bytes after compaction, its duration."""
    path = directory / "sizes.json"
    store = TinyDBAdapter(
        path=path, durability="flush", compact_min_bytes=10**12, compact_on_close=False
    )
    for message in messages(0, count):
        store.save_message(message)
    journal_bytes = journal_path(path).stat().st_size
    started = time.perf_counter()
    with store._lock:
        store._files.compact()
    compaction = time.perf_counter() - started
    store.close()
    started = time.perf_counter()
    TinyDBAdapter(path=path).close()
    reopen = time.perf_counter() - started
    return {
        "journal_bytes": journal_bytes,
        "snapshot_bytes": path.stat().st_size,
        "compaction_seconds": compaction,
        "open_seconds": reopen,
    }


def main() -> None:
    """Run every measurement and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300, help="timed calls per figure")
    parser.add_argument("--large", type=int, default=100_000, help="the large store size")
    parser.add_argument("--quick", action="store_true", help="10k instead of 100k, 100 saves")
    options = parser.parse_args()
    large = 10_000 if options.quick else options.large
    saves = 100 if options.quick else options.saves
    small = 1_000

    def show(label: str, figures: dict[str, float]) -> None:
        print(
            f"{label:<48} mean {figures['mean']:8.3f} ms  median {figures['median']:8.3f} ms"
            f"  p99 {figures['p99']:8.3f} ms",
            flush=True,
        )

    with tempfile.TemporaryDirectory(dir=Path.cwd()) as temporary:
        directory = Path(temporary)
        print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, {saves} saves")
        for durability in ("fsync", "flush"):
            at_small, at_large = tinydb_adapter(directory, small, large, saves, durability)
            show(f"tinydb adapter {durability}, {small} stored", at_small)
            show(f"tinydb adapter {durability}, {large} stored", at_large)
            print(
                f"{'  ratio (large/small)':<48} median "
                f"{at_large['median'] / at_small['median']:.2f}  mean "
                f"{at_large['mean'] / at_small['mean']:.2f}"
            )
        for mode in ("DELETE", "WAL"):
            at_small, at_large = sqlite_inserts(directory, small, large, saves, mode)
            show(f"sqlite3 synchronous=FULL {mode}, {small} stored", at_small)
            show(f"sqlite3 synchronous=FULL {mode}, {large} stored", at_large)
        for stored in (100, 1_000):
            show(f"stock TinyDB JSONStorage, {stored} stored", stock_tinydb(directory, stored, 50))
        figures = sizes_and_compaction(directory, large)
        scale = 100_000 / large
        journal_mb = figures["journal_bytes"] * scale / 1e6
        snapshot_mb = figures["snapshot_bytes"] * scale / 1e6
        print(f"journal per 100k messages (before compaction) {journal_mb:8.1f} MB")
        print(f"snapshot per 100k messages (after compaction)  {snapshot_mb:8.1f} MB")
        print(f"one compaction at {large} messages: {figures['compaction_seconds']:.2f} s")
        # With compact_ratio=1 the journal grows to the snapshot's size between two
        # compactions: that many writes share the cost of one.
        writes_between = figures["snapshot_bytes"] / (figures["journal_bytes"] / large)
        amortised = figures["compaction_seconds"] * 1000 / writes_between
        print(f"  amortised over {writes_between:.0f} writes: {amortised:.3f} ms per write")
        print(f"open (load + replay) at {large} messages: {figures['open_seconds']:.2f} s")


if __name__ == "__main__":
    main()
