"""Adapter overhead against raw DuckDB: the same single-row statements, same connection.

Run: ``uv run python adapters/duckdb/benchmarks/bench_overhead.py [--sizes 1000 10000 100000]``

For each store size the store is bulk-loaded with SQL (not timed): messages spread
over 10 rooms, each with an external-id key.  Then, interleaving adapter and raw
batches, it times per call:

- ``save_message``: a new message (adapter) vs the same two statements with
  ready-made parameters (raw): the primary-key read and the plain ``INSERT``;
- ``get_message``: by id, the adapter returning a ``Message`` vs ``fetchone()``;
- ``get_message_by_external_id``: the key lookup;
- ``get_messages`` (latest page of 50 in a room of size/10) vs the same ``SELECT``.

It prints the median microseconds per call and the median ratio adapter/raw of
neighbouring batches.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jido_persistence.models import Message
from jido_persistence_duckdb import _statements as sql
from jido_persistence_duckdb._tables import MESSAGES
from jido_persistence_duckdb.adapter import DuckDBAdapter

ROOMS = 10
BATCH = 20
ROUNDS = 25


def bulk_load(store: DuckDBAdapter, size: int) -> None:
    """Insert ``size`` messages straight into the table, as the adapter would store them."""
    cursor = store._db.cursor()
    cursor.execute(
        f"""INSERT INTO {MESSAGES.table}
        SELECT 'bulk-' || i, 'room-' || (i % {ROOMS}), 'sender-' || (i % 37), 'user',
               '[{{"type":"text","text":"hello"}}]', NULL, 'ext-' || i, NULL, NULL, NULL, NULL,
               'sent', '{{}}', '{{}}', '{{"channel":"tg","bridge_id":"b1"}}',
               make_timestamptz(1700000000000000 + i * 1000),
               make_timestamptz(1700000000000000 + i * 1000),
               1700000000000000 + i * 1000,
               '["tg","b1","ext-' || i || '"]',
               nextval('jp_save_seq')
        FROM range(?) AS t(i)""",
        [size],
    )
    cursor.execute("CHECKPOINT")


def _timed(call: Callable[[int], Any], start: int) -> float:
    began = time.perf_counter()
    for index in range(start, start + BATCH):
        call(index)
    return (time.perf_counter() - began) / BATCH * 1e6


def measure(
    adapter_call: Callable[[int], Any], raw_call: Callable[[int], Any]
) -> tuple[float, float, float]:
    """Median microseconds per call of each, and the median of the per-round ratios.

    Adapter and raw batches alternate (and swap order every round), so load that
    changes during the run hits both alike; the median ratio of neighbouring batches
    is the figure that resists a noisy machine.
    """
    adapter_times, raw_times, ratios = [], [], []
    for round_number in range(ROUNDS):
        offset = round_number * BATCH * 2
        if round_number % 2:
            raw_us = _timed(raw_call, offset + BATCH)
            adapter_us = _timed(adapter_call, offset)
        else:
            adapter_us = _timed(adapter_call, offset)
            raw_us = _timed(raw_call, offset + BATCH)
        adapter_times.append(adapter_us)
        raw_times.append(raw_us)
        ratios.append(adapter_us / raw_us)
    return statistics.median(adapter_times), statistics.median(raw_times), statistics.median(ratios)


def run(size: int, directory: Path, threads: int | None) -> list[tuple[str, float, float, float]]:
    """Measure every operation on a store of ``size`` messages."""
    store = DuckDBAdapter(path=str(directory / f"bench-{size}.duckdb"), threads=threads)
    try:
        bulk_load(store, size)
        cursor = store._db.cursor()
        room = "room-3"
        total = ROUNDS * BATCH * 2
        messages = [
            Message(
                id=f"new-{index}",
                room_id="room-new",
                sender_id="s",
                role="user",
                content=[{"type": "text", "text": "hi"}],
                external_id=f"new-ext-{index}",
                metadata={"channel": "tg", "bridge_id": "b1"},
            )
            for index in range(total)
        ]
        raw_params = [store._message_params(message) for message in messages]
        results = []
        results.append(
            (
                "save_message",
                *measure(
                    lambda i: store.save_message(messages[i]),
                    lambda i: (
                        cursor.execute(MESSAGES.exists_sql, [messages[i].id]).fetchone(),
                        cursor.execute(MESSAGES.insert_sql, raw_params[i]),
                    ),
                ),
            )
        )
        results.append(
            (
                "get_message",
                *measure(
                    lambda i: store.get_message(f"bulk-{i * 7 % size}"),
                    lambda i: cursor.execute(sql.GET_MESSAGE, [f"bulk-{i * 7 % size}"]).fetchone(),
                ),
            )
        )
        results.append(
            (
                "get_message_by_external_id",
                *measure(
                    lambda i: store.get_message_by_external_id("tg", "b1", f"ext-{i * 7 % size}"),
                    lambda i: cursor.execute(
                        sql.MESSAGE_BY_KEY, [f'["tg","b1","ext-{i * 7 % size}"]']
                    ).fetchall(),
                ),
            )
        )
        results.append(
            (
                "get_messages (latest 50)",
                *measure(
                    lambda i: store.get_messages(room, limit=50),
                    lambda i: cursor.execute(sql.LATEST_PAGE[False], [room, 50]).fetchall(),
                ),
            )
        )
        return results
    finally:
        store.close()


def main() -> None:
    """Parse the sizes and print one table per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads option")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        print(f"{'stored':>8} {'operation':<28} {'adapter us':>11} {'raw us':>9} {'ratio':>6}")
        for size in arguments.sizes:
            for name, adapter_us, raw_us, ratio in run(size, Path(directory), arguments.threads):
                print(f"{size:>8} {name:<28} {adapter_us:>11.1f} {raw_us:>9.1f} {ratio:>6.2f}")


if __name__ == "__main__":
    main()
