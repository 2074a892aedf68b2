"""How much the PostgreSQL adapter adds over raw psycopg, at 10k and 100k messages.

For each stored size the script creates a fresh schema, bulk-loads the messages with
COPY (not timed), then times four callbacks against raw psycopg running the same SQL
statement with the same parameters on the same pooled connection (the pool holds one
connection, so both sides also share its prepared statements):

- ``save_message``: the adapter's one upsert (autocommit) of a new message;
- ``get_message``: by id;
- ``get_message_by_external_id``: the most recently saved holder of a key;
- ``get_messages``: the latest page (50) of a room, sent by the server as one JSON
  array.

The raw side executes the statement and fetches the row(s) (the record's JSON text);
the adapter side also validates arguments, serialises or parses the pydantic model
and checks a connection out of the pool: that is the overhead measured.  Blocks of
raw and adapter calls alternate, and each figure is the median of the block means.

A second part times the directory's name search with the trigram index (escaped
``LIKE``) and without it (``strpos``, a scan) on the same participants.

Usage::

    uv run python adapters/postgres/benchmarks/bench_overhead.py \\
        --url postgresql://postgres@127.0.0.1:5432/test --sizes 10000 100000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from jido_persistence.models import Message, Participant, TextPart
from jido_persistence.urls import StoreUrl
from jido_persistence_postgres._options import with_schema
from jido_persistence_postgres._rows import message_row, participant_row
from jido_persistence_postgres.adapter import PostgresAdapter

ROOMS = 100
PAGE = 50
BLOCKS = 10


def make_message(index: int, room: int, start: datetime) -> Message:
    """A typical chat message with an external id key."""
    return Message(
        id=f"m{index:08}",
        room_id=f"room{room:03}",
        sender_id=f"user{index % 37}",
        role="user",
        content=[TextPart(text=f"hello number {index}, how are you today?")],
        external_id=f"ext{index}",
        metadata={"channel": "slack", "bridge_id": "b1", "n": index},
        status="sent",
        inserted_at=start + timedelta(milliseconds=index),
        updated_at=start + timedelta(milliseconds=index),
    )


@contextmanager
def fresh_store(url: str) -> Iterator[PostgresAdapter]:
    """A store in a new schema with a one-connection pool; dropped afterwards."""
    store_url = with_schema(url, "jp_bench_" + uuid.uuid4().hex[:8])
    store = PostgresAdapter(
        **PostgresAdapter.url_options(StoreUrl.parse(store_url)),
        min_size=1,
        max_size=1,
    )
    try:
        yield store
    finally:
        store.close()
        PostgresAdapter.destroy_store(store_url)


def bulk_load(store: PostgresAdapter, count: int) -> list[Message]:
    """COPY ``count`` messages spread over the rooms; return a sample of them."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    schema = store._sql.schema
    sample: list[Message] = []
    with store._db.pool.connection() as conn:
        with (
            conn.cursor() as cursor,
            cursor.copy(
                f"COPY {schema}.messages (id, room_id, thread_id, inserted_at, key_channel,"
                " key_bridge_id, key_external_id, save_seq, doc) FROM STDIN"
            ) as copy,
        ):
            for index in range(count):
                message = make_message(index, index % ROOMS, start)
                row = message_row(message)
                copy.write_row((*row[:7], index + 1, row[7]))
                if index % max(1, count // 2000) == 0:
                    sample.append(message)
        conn.execute(f"SELECT setval({store._sql.sequence}, %s)", (count + 1,))
        conn.execute(f"VACUUM ANALYZE {schema}.messages")
    return sample


Raw = Callable[[Any, int], object]


def timed_blocks(
    raw: Raw,
    modelled: Raw,
    adapter: Callable[[int], object],
    store: PostgresAdapter,
    operations: int,
) -> list[tuple[float, float]]:
    """Wall and client-CPU microseconds per call of raw, raw + pydantic and the adapter.

    Blocks of the three variants alternate; each figure is the median of block means.
    """
    per_block = max(1, operations // BLOCKS)
    walls: list[list[float]] = [[], [], []]
    cpus: list[list[float]] = [[], [], []]
    counter = 0

    def block(variant: Callable[[int], object], slot: int) -> None:
        nonlocal counter
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(per_block):
            variant(counter)
            counter += 1
        walls[slot].append((time.perf_counter() - wall) / per_block * 1e6)
        cpus[slot].append((time.process_time() - cpu) / per_block * 1e6)

    for _ in range(BLOCKS):
        for slot, variant in enumerate((raw, modelled)):
            with store._db.pool.connection() as conn:
                block(lambda index, variant=variant, conn=conn: variant(conn, index), slot)
        block(adapter, 2)
    return [(statistics.median(walls[slot]), statistics.median(cpus[slot])) for slot in range(3)]


def measure(store: PostgresAdapter, count: int, operations: int) -> dict[str, dict[str, float]]:
    """The four workloads on a store holding ``count`` messages."""
    sample = bulk_load(store, count)
    statements = store._sql
    rng = random.Random(7)
    ids = [m.id for m in sample]
    keys = [("slack", "b1", m.external_id) for m in sample]
    start = datetime(2030, 1, 1, tzinfo=UTC)
    new_messages = [
        make_message(10**7 + index, index % ROOMS, start) for index in range(3 * operations + 3)
    ]
    new_rows = [message_row(m) for m in new_messages]
    room = "room007"
    # warm up the prepared statements on the one connection
    store.get_message(ids[0])
    store.get_message_by_external_id(*keys[0])  # type: ignore[arg-type]
    store.get_messages(room, limit=PAGE)
    store.save_message(new_messages[-1])

    def pick(items: list[Any], index: int) -> Any:
        return items[(index * 7919 + rng.randrange(3)) % len(items)]

    def one(conn: Any, query: str, params: Any) -> Message:
        return Message.model_validate_json(conn.execute(query, params).fetchone()[0])

    page = {"room": room, "limit": PAGE}
    workloads: dict[str, tuple[Raw, Raw, Callable[[int], object]]] = {
        "save_message": (
            lambda conn, i: conn.execute(statements.message_upsert, new_rows[i]),
            lambda conn, i: conn.execute(statements.message_upsert, message_row(new_messages[i])),
            lambda i: store.save_message(new_messages[i]),
        ),
        "get_message": (
            lambda conn, i: conn.execute(statements.message_get, (pick(ids, i),)).fetchone(),
            lambda conn, i: one(conn, statements.message_get, (pick(ids, i),)),
            lambda i: store.get_message(pick(ids, i)),
        ),
        "get_message_by_external_id": (
            lambda conn, i: conn.execute(statements.message_by_key, pick(keys, i)).fetchone(),
            lambda conn, i: one(conn, statements.message_by_key, pick(keys, i)),
            lambda i: store.get_message_by_external_id(*pick(keys, i)),
        ),
        "get_messages_latest_page": (
            lambda conn, i: conn.execute(statements.messages_latest, page).fetchall(),
            lambda conn, i: [
                Message.model_validate_json(row[0])
                for row in reversed(conn.execute(statements.messages_latest, page).fetchall())
            ],
            lambda i: store.get_messages(room, limit=PAGE),
        ),
    }
    results: dict[str, dict[str, float]] = {}
    for name, (raw, modelled, adapter) in workloads.items():
        (raw_us, raw_cpu), (modelled_us, modelled_cpu), (adapter_us, adapter_cpu) = timed_blocks(
            raw, modelled, adapter, store, operations
        )
        results[name] = {
            "raw_us": round(raw_us, 1),
            "raw_pydantic_us": round(modelled_us, 1),
            "adapter_us": round(adapter_us, 1),
            "ratio": round(adapter_us / raw_us, 3),
            "ratio_pydantic": round(adapter_us / modelled_us, 3),
            "raw_cpu_us": round(raw_cpu, 1),
            "raw_pydantic_cpu_us": round(modelled_cpu, 1),
            "adapter_cpu_us": round(adapter_cpu, 1),
        }
    return results


def measure_name_search(store: PostgresAdapter, count: int, queries: int) -> dict[str, float]:
    """Milliseconds per directory name search, trigram index versus strpos scan."""
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    schema = store._sql.schema
    with store._db.pool.connection() as conn:
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY {schema}.participants (id, name_fold, doc) FROM STDIN") as copy,
        ):
            for index in range(count):
                name = f"{words[index % 8]} {words[(index // 8) % 8]} {index:06}"
                participant = Participant(id=f"p{index:07}", type="human", identity={"name": name})
                copy.write_row(participant_row(participant))
        conn.execute(f"VACUUM ANALYZE {schema}.participants")
    probes = [f"{index * 7919 % count:06}" for index in range(queries)]
    timings: dict[str, float] = {}
    available = store._db.name_search
    for method in ("trigram", "strpos"):
        if method == "trigram" and available != "trigram":
            continue
        store._db.name_search = method
        store.directory_search("participant", {"name": probes[0]}, limit=10)
        began = time.perf_counter()
        for probe in probes:
            store.directory_search("participant", {"name": probe}, limit=10)
        timings[f"{method}_ms"] = round((time.perf_counter() - began) / queries * 1e3, 3)
    store._db.name_search = available
    return timings


def main() -> None:
    """Run the benchmark and print a table (and JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--operations", type=int, default=3000)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--json", help="also write the figures to this file")
    arguments = parser.parse_args()
    report: dict[str, Any] = {}
    for size in arguments.sizes:
        with fresh_store(arguments.url) as store:
            report[str(size)] = measure(store, size, arguments.operations)
    with fresh_store(arguments.url) as store:
        report["name_search"] = measure_name_search(store, arguments.participants, 200)
    print(
        f"{'workload':27} {'stored':>7} {'raw':>7} {'raw+model':>9} {'adapter':>8}"
        f" {'ad/raw':>7} {'ad/raw+model':>12}   client CPU raw / raw+model / adapter"
    )
    for size in arguments.sizes:
        for name, f in report[str(size)].items():
            print(
                f"{name:27} {size:>7} {f['raw_us']:>7} {f['raw_pydantic_us']:>9}"
                f" {f['adapter_us']:>8} {f['ratio']:>7} {f['ratio_pydantic']:>12}"
                f"   {f['raw_cpu_us']} / {f['raw_pydantic_cpu_us']} / {f['adapter_cpu_us']}"
            )
    print("(wall-clock microseconds per call; medians of interleaved blocks)")
    print(
        f"directory name search, {arguments.participants} participants (ms per query):",
        report["name_search"],
    )
    if arguments.json:
        with open(arguments.json, "w", encoding="utf-8") as output:
            json.dump(report, output, indent=2)


if __name__ == "__main__":
    main()
