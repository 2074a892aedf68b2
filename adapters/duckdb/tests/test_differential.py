"""The DuckDB store against the in-memory reference, step by step (hypothesis).

The kit's comparison state machine drives both stores with the same random calls and
compares every result, every error and (through ``raw_index``) every stored key.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, settings

from jido_persistence_conformance import UrlStoreFactory
from jido_persistence_conformance.stateful import run_state_machine


def test_duckdb_matches_the_reference_adapter(tmp_path: Path) -> None:
    factory = UrlStoreFactory("duckdb:////{tmp}/store.duckdb", tmp_path)
    try:
        run_state_machine(
            factory,
            settings=settings(
                max_examples=12,
                stateful_step_count=30,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
    finally:
        factory.cleanup()
