"""``jido-persistence bench-async``: what a store costs an asyncio program.

Two figures per async store, measured with 100 concurrent tasks calling it:

- **throughput**: calls per second of the 100 tasks together, each task looping over a
  bot's mix (read a room, save a message, read the latest page, get-or-create a
  participant);
- **event-loop stall**: a ticker task sleeps 1 ms again and again while the tasks run;
  the largest gap between two ticks beyond the 1 ms asked for (and the 99th
  percentile) is how long the loop could not run anything else.

The baseline, measured in the same run: the ticker on an idle loop (its gaps are the
loop's own noise).  PostgreSQL is measured twice in the same run, natively
(``open_async_store``: psycopg's async pool, no threads) and through the thread facade
over the synchronous adapter (``AsyncStore(open_store(url))``), with the same number of
connections (``max_size``/``pool_max``) and worker threads; the report gives the
native/threaded throughput ratio.  Each figure is the median of ``--rounds`` rounds.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

import click

from jido_persistence.aio import AsyncStore, open_async_store
from jido_persistence.models import Message, MessageRole, Room, RoomType
from jido_persistence.registry import open_store

__all__ = ["Figure", "bench_async", "measure_store", "render_markdown"]

TASKS: Final = 100
"""Concurrent tasks calling the store."""

TICK_S: Final = 0.001
"""The ticker's sleep."""

POOL: Final = 8
"""Connections of either PostgreSQL pool, and worker threads of the thread facade."""

PG_VARIABLE: Final = "JIDO_PERSISTENCE_TEST_POSTGRES_URL"


@dataclass(frozen=True)
class Figure:
    """One async store's figures (medians over the rounds)."""

    target: str
    native: bool
    calls_per_second: float
    max_stall_ms: float
    p99_stall_ms: float
    calls: int


OpenStore = Callable[[], Awaitable[AsyncStore]]


async def _ticker(stop: asyncio.Event, gaps: list[float]) -> None:
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(TICK_S)
        now = time.perf_counter()
        gaps.append(max(0.0, now - last - TICK_S))
        last = now


async def _one_task(store: AsyncStore, index: int, calls: int, counted: list[int]) -> None:
    room_id = f"room:{index % 10}"
    for step in range(calls // 4):
        await store.get_room(room_id)
        await store.save_message(
            Message(
                id=f"m:{index}:{step}:{uuid.uuid4().hex[:6]}",
                room_id=room_id,
                sender_id=f"p:{index}",
                role=MessageRole.USER,
            )
        )
        await store.get_messages(room_id, limit=10)
        await store.get_or_create_participant_by_external_id(
            "bench", f"U{index}", {"type": "human"}
        )
        counted[0] += 4


async def _round(store: AsyncStore, calls_per_task: int) -> tuple[float, list[float], int]:
    stop = asyncio.Event()
    gaps: list[float] = []
    counted = [0]
    ticker = asyncio.create_task(_ticker(stop, gaps))
    await asyncio.sleep(0)
    started = time.perf_counter()
    await asyncio.gather(*(_one_task(store, i, calls_per_task, counted) for i in range(TASKS)))
    elapsed = time.perf_counter() - started
    stop.set()
    await ticker
    return counted[0] / elapsed, gaps, counted[0]


async def _idle_round(duration_s: float) -> list[float]:
    stop = asyncio.Event()
    gaps: list[float] = []
    ticker = asyncio.create_task(_ticker(stop, gaps))
    await asyncio.sleep(duration_s)
    stop.set()
    await ticker
    return gaps


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _p99(gaps: list[float]) -> float:
    if len(gaps) < 2:
        return gaps[0] if gaps else 0.0
    return statistics.quantiles(gaps, n=100, method="inclusive")[98]


async def measure_store(
    target: str, opener: OpenStore, *, rounds: int, calls_per_task: int
) -> Figure:
    """Open the store, warm it up, and measure ``rounds`` rounds of :data:`TASKS` tasks."""
    store = await opener()
    try:
        for index in range(10):
            await store.save_room(Room(id=f"room:{index}", type=RoomType.GROUP))
        await _round(store, 4)  # warm-up: connections, prepared statements, caches
        rates: list[float] = []
        stalls: list[float] = []
        p99s: list[float] = []
        total = 0
        for _ in range(rounds):
            rate, gaps, calls = await _round(store, calls_per_task)
            rates.append(rate)
            stalls.append(max(gaps, default=0.0))
            p99s.append(_p99(gaps))
            total += calls
        return Figure(
            target=target,
            native=store.capabilities.native_async,
            calls_per_second=round(statistics.median(rates), 1),
            max_stall_ms=_ms(statistics.median(stalls)),
            p99_stall_ms=_ms(statistics.median(p99s)),
            calls=total,
        )
    finally:
        await store.aclose()


def _openers(directory: Path) -> list[tuple[str, OpenStore]]:
    """(name, opener) of every async store measured here."""

    async def threaded(url: str) -> AsyncStore:
        return AsyncStore(await asyncio.to_thread(open_store, url), max_workers=POOL)

    openers: list[tuple[str, OpenStore]] = [
        ("memory", lambda: open_async_store("memory://", max_workers=POOL)),
        (
            "tinydb",
            lambda: open_async_store(f"tinydb:///{directory}/bench.json", max_workers=POOL),
        ),
        (
            "duckdb",
            lambda: open_async_store(f"duckdb:///{directory}/bench.duckdb", max_workers=POOL),
        ),
    ]
    base = os.environ.get(PG_VARIABLE)
    if base:
        separator = "&" if "?" in base else "?"
        native_url = f"{base}{separator}schema=bench_native_{uuid.uuid4().hex[:8]}"
        native_url += f"&pool_min={POOL}&pool_max={POOL}"
        threaded_url = f"{base}{separator}schema=bench_thread_{uuid.uuid4().hex[:8]}"
        threaded_url += f"&min_size={POOL}&max_size={POOL}"
        openers.append(("postgres (threads)", lambda: threaded(threaded_url)))
        openers.append(("postgres (native)", lambda: open_async_store(native_url)))
    return openers


RAW_CALLS: Final = 3200


async def raw_postgres(base: str) -> dict[str, float]:
    """The raw driver's ceiling, same run: one prepared ``SELECT`` per call over
    :data:`POOL` connections, psycopg async (one loop) against sync psycopg in
    :data:`POOL` threads."""
    import threading

    import psycopg

    async def one_async(conn: psycopg.AsyncConnection[tuple[object, ...]], calls: int) -> None:
        for _ in range(calls):
            await (await conn.execute("SELECT %s::text", ("x",))).fetchone()

    conns = [
        await psycopg.AsyncConnection.connect(base, autocommit=True, prepare_threshold=0)
        for _ in range(POOL)
    ]
    try:
        await asyncio.gather(*(one_async(conn, 10) for conn in conns))
        started = time.perf_counter()
        await asyncio.gather(*(one_async(conn, RAW_CALLS // POOL) for conn in conns))
        async_rate = RAW_CALLS / (time.perf_counter() - started)
    finally:
        for conn in conns:
            await conn.close()

    def one_sync(conn: psycopg.Connection[tuple[object, ...]], calls: int) -> None:
        for _ in range(calls):
            conn.execute("SELECT %s::text", ("x",)).fetchone()

    def threaded() -> float:
        sync = [psycopg.connect(base, autocommit=True, prepare_threshold=0) for _ in range(POOL)]
        try:
            for conn in sync:
                one_sync(conn, 10)
            workers = [
                threading.Thread(target=one_sync, args=(conn, RAW_CALLS // POOL)) for conn in sync
            ]
            started = time.perf_counter()
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            return RAW_CALLS / (time.perf_counter() - started)
        finally:
            for conn in sync:
                conn.close()

    thread_rate = await asyncio.to_thread(threaded)
    return {
        "psycopg_async_calls_per_second": round(async_rate, 1),
        "psycopg_threads_calls_per_second": round(thread_rate, 1),
        "async_over_threads": round(async_rate / thread_rate, 2),
    }


def _drop_schemas() -> None:
    base = os.environ.get(PG_VARIABLE)
    if not base:
        return
    import psycopg

    with psycopg.connect(base.split("?", 1)[0], autocommit=True) as conn:
        rows = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_native\\_%' "
            "OR nspname LIKE 'bench\\_thread\\_%'"
        ).fetchall()
        for (name,) in rows:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')


async def run_all(rounds: int, calls_per_task: int) -> dict[str, object]:
    """Every figure of one run, with the idle baseline and the PostgreSQL ratio."""
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as directory:
        idle = await _idle_round(1.0)
        for name, opener in _openers(Path(directory)):
            figures.append(
                await measure_store(name, opener, rounds=rounds, calls_per_task=calls_per_task)
            )
    base = os.environ.get(PG_VARIABLE)
    raw = await raw_postgres(base.split("?", 1)[0]) if base else None
    by_name = {figure.target: figure for figure in figures}
    ratio = None
    if "postgres (native)" in by_name and "postgres (threads)" in by_name:
        native, threaded = by_name["postgres (native)"], by_name["postgres (threads)"]
        ratio = round(native.calls_per_second / threaded.calls_per_second, 2)
    return {
        "parameters": {
            "tasks": TASKS,
            "calls_per_task": calls_per_task,
            "rounds": rounds,
            "pool": POOL,
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        },
        "idle_loop": {"max_stall_ms": _ms(max(idle, default=0.0)), "p99_stall_ms": _ms(_p99(idle))},
        "figures": [asdict(figure) for figure in figures],
        "postgres_native_over_threads": ratio,
        "raw_postgres": raw,
    }


def render_markdown(result: dict[str, object]) -> str:
    """The run as a Markdown table (what ``--markdown`` writes)."""
    parameters = result["parameters"]
    idle = result["idle_loop"]
    assert isinstance(parameters, dict)
    assert isinstance(idle, dict)
    lines = [
        f"# asyncio: {parameters['tasks']} concurrent tasks, {parameters['calls_per_task']} "
        f"calls each, median of {parameters['rounds']} rounds",
        "",
        f"Idle loop (baseline): largest stall {idle['max_stall_ms']} ms, "
        f"p99 {idle['p99_stall_ms']} ms.",
        "",
        "| store | native | calls/s | largest stall (ms) | p99 stall (ms) |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    figures = result["figures"]
    assert isinstance(figures, list)
    for figure in figures:
        lines.append(
            f"| {figure['target']} | {'yes' if figure['native'] else 'no'} | "
            f"{figure['calls_per_second']:.0f} | {figure['max_stall_ms']} | "
            f"{figure['p99_stall_ms']} |"
        )
    ratio = result.get("postgres_native_over_threads")
    if ratio is not None:
        lines += ["", f"PostgreSQL native / thread facade throughput: **{ratio}x**."]
    raw = result.get("raw_postgres")
    if isinstance(raw, dict):
        lines += [
            "",
            "Raw driver, same run (one prepared SELECT per call, "
            f"{parameters['pool']} connections): psycopg async "
            f"{raw['psycopg_async_calls_per_second']:.0f} calls/s, sync psycopg in threads "
            f"{raw['psycopg_threads_calls_per_second']:.0f} calls/s: "
            f"**{raw['async_over_threads']}x**.",
        ]
    return "\n".join(lines) + "\n"


@click.command("bench-async")
@click.option("--rounds", default=3, show_default=True, help="Rounds per store (median).")
@click.option(
    "--calls-per-task", default=200, show_default=True, help="Calls each of the 100 tasks makes."
)
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write the figures.")
@click.option("--markdown", type=click.Path(path_type=Path), help="Write the Markdown table.")
def bench_async(
    rounds: int, calls_per_task: int, json_path: Path | None, markdown: Path | None
) -> None:
    """Throughput and event-loop stalls of every async store (100 concurrent tasks).

    PostgreSQL (when JIDO_PERSISTENCE_TEST_POSTGRES_URL is set) is measured natively
    and through the thread facade in the same run.
    """
    try:
        result = asyncio.run(run_all(rounds, calls_per_task))
    finally:
        _drop_schemas()
    text = render_markdown(result)
    click.echo(text)
    if json_path is not None:
        json_path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if markdown is not None:
        markdown.write_text(text, encoding="utf-8")
