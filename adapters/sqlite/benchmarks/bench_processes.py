"""Save throughput of 8 processes writing one SQLite file: the adapter against raw sqlite3.

``uv run python adapters/sqlite/benchmarks/bench_processes.py [--processes 8]
[--messages 200] [--rounds 3] [--synchronous full|normal]``

Each round starts ``--processes`` forked writers on a fresh file, released together by a
barrier; each saves ``--messages`` messages of its own, one ``save_message`` call each
(a bot writing as messages arrive).  The adapter's writers use ``SQLiteAdapter``; the raw
writers run the adapter's own schema, statements and settings on a plain ``sqlite3``
connection (``BEGIN IMMEDIATE``, the upsert, ``COMMIT``; the same WAL and ``synchronous``,
SQLite's own busy handler with a 60 s timeout).  Adapter and raw rounds alternate, so
both see the same machine load.  Prints messages per second (median over rounds) and
the ratio adapter/raw.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import statistics
import tempfile
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path

from jido_persistence.models import Message, MessageRole, TextPart
from jido_persistence.sqlkit_rows import message_row
from jido_persistence_sqlite import _statements as sql
from jido_persistence_sqlite.adapter import SQLiteAdapter


def _messages(writer: int, count: int) -> list[Message]:
    return [
        Message(
            id=f"w{writer}:{index:06d}",
            room_id=f"room:{index % 10}",
            sender_id=f"p:{writer}",
            role=MessageRole.USER,
            content=[TextPart(text=f"message {index} of writer {writer}")],
            external_id=f"E{writer}-{index}",
            metadata={"channel": "slack", "bridge_id": "b1"},
        )
        for index in range(count)
    ]


def _adapter_writer(path: str, writer: int, count: int, sync: str, start: Barrier) -> None:
    messages = _messages(writer, count)
    with SQLiteAdapter(path=path, synchronous=sync) as store:
        start.wait()
        for message in messages:
            store.save_message(message)


def _raw_writer(path: str, writer: int, count: int, sync: str, start: Barrier) -> None:
    messages = _messages(writer, count)
    # SQLite's own busy handler for the whole wait: with 8 writers on a loaded machine a
    # writer can starve in it for seconds (its sleeps grow to 100 ms while newcomers
    # poll every millisecond), so the raw writers get a minute, not the adapter's 5 s.
    conn = sqlite3.connect(path, timeout=60.0, isolation_level=None)
    conn.execute(f"PRAGMA synchronous = {sync.upper()}")
    start.wait()
    for message in messages:
        conn.execute(sql.BEGIN_WRITE)
        conn.execute(sql.MESSAGE_UPSERT, message_row(message))
        conn.execute(sql.COMMIT)
    conn.close()


def _round(kind: str, processes: int, count: int, sync: str, directory: Path) -> float:
    path = str(directory / f"{kind}-{time.monotonic_ns()}.sqlite3")
    SQLiteAdapter(path=path).close()  # the same schema for both: the adapter's migrations
    context = multiprocessing.get_context("fork")
    start = context.Barrier(processes + 1)
    target = _adapter_writer if kind == "adapter" else _raw_writer
    workers = [
        context.Process(target=target, args=(path, writer, count, sync, start))
        for writer in range(processes)
    ]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise SystemExit(f"a {kind} writer failed with exit code {worker.exitcode}")
    elapsed = time.perf_counter() - began
    with sqlite3.connect(path) as check:
        stored = check.execute("SELECT count(*) FROM messages").fetchone()[0]
    if stored != processes * count:
        raise SystemExit(f"{kind}: {stored} messages stored, expected {processes * count}")
    return processes * count / elapsed


def main() -> None:
    """Run the rounds and print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--synchronous", choices=["full", "normal"], default="full")
    args = parser.parse_args()
    rates: dict[str, list[float]] = {"adapter": [], "raw": []}
    with tempfile.TemporaryDirectory(prefix="jido-sqlite-bench-") as temporary:
        for _ in range(args.rounds):
            for kind in ("adapter", "raw"):
                rate = _round(
                    kind, args.processes, args.messages, args.synchronous, Path(temporary)
                )
                rates[kind].append(rate)
    adapter, raw = (statistics.median(rates[kind]) for kind in ("adapter", "raw"))
    print(
        f"{args.processes} processes x {args.messages} save_message, "
        f"synchronous={args.synchronous}, sqlite {sqlite3.sqlite_version}"
    )
    for kind, median in (("adapter", adapter), ("raw", raw)):
        rounds = ", ".join(f"{rate:.0f}" for rate in rates[kind])
        print(f"  {kind:8} {median:9.0f} messages/s  (rounds: {rounds})")
    print(f"  adapter/raw throughput ratio {adapter / raw:.2f}")


if __name__ == "__main__":
    main()
