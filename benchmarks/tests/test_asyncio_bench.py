"""bench-async's harness works (on the memory store); no timing is asserted here."""

from __future__ import annotations

import asyncio

from jido_persistence.aio import open_async_store
from jido_persistence_bench.asyncio_bench import TASKS, measure_store, render_markdown


def test_one_round_on_memory_counts_every_call_and_reports_it() -> None:
    figure = asyncio.run(
        measure_store("memory", lambda: open_async_store("memory://"), rounds=1, calls_per_task=8)
    )
    assert figure.target == "memory"
    assert figure.native is False
    assert figure.calls == TASKS * 8
    assert figure.calls_per_second > 0
    assert figure.max_stall_ms >= figure.p99_stall_ms >= 0
    text = render_markdown(
        {
            "parameters": {"tasks": TASKS, "calls_per_task": 8, "rounds": 1, "pool": 8},
            "idle_loop": {"max_stall_ms": 0.1, "p99_stall_ms": 0.05},
            "figures": [figure.__dict__],
            "postgres_native_over_threads": None,
            "raw_postgres": None,
        }
    )
    assert "| memory | no |" in text
