"""Running one store: skipped over budget, failures recorded, workers isolated."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from jido_persistence_bench.runner import Job, run_one
from jido_persistence_bench.targets import resolve_targets
from jido_persistence_bench.timing import Method
from jido_persistence_bench.worker import run_isolated

METHOD = Method(rounds=1, warmup_calls=1, round_ns=1, min_calls=1, max_calls=1)


def test_a_build_projected_over_its_budget_is_skipped_with_the_reason() -> None:
    [memory] = resolve_targets(["memory"])
    record = run_one(Job(memory, 5_000, METHOD, build_budget=1e-9), lambda text: None)
    assert record["status"] == "skipped"
    assert record["error"] is not None
    assert "over the 0 s budget" in record["error"]
    assert record["operations"] == {}


def test_a_store_that_cannot_open_is_an_error_record_not_a_crash(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "s.json"
    [_, tinydb] = resolve_targets([f"tinydb:///{missing}"])
    steps: list[str] = []
    record = run_isolated(Job(tinydb, 100, METHOD), steps.append, timeout=120)
    assert record["status"] == "error"
    assert record["error"] is not None
    assert "ConfigurationError" in record["error"] or "StorageError" in record["error"]
    assert steps == ["building the store"]


def _scratch_directories() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("jido-bench-*"))


def test_a_worker_that_outlives_its_timeout_is_stopped_and_its_files_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A temporary directory of this test's own (the worker inherits TMPDIR): benchmark
    # runs elsewhere on the machine, or in another xdist worker, create and remove
    # their own scratch directories in the shared one meanwhile.
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    # A store that can never be built, however fast the machine: TinyDB on a FIFO
    # blocks forever in its first read (the FIFO is open for writing by that same
    # read-write handle, so it never reaches end of file).
    fifo = tmp_path / "never-ready.json"
    os.mkfifo(fifo)
    [_, tinydb] = resolve_targets([f"tinydb:///{fifo}"])
    before = _scratch_directories()
    steps: list[str] = []
    # The timeout only has to cover the worker's start-up, to reach its first step (its
    # imports alone took 5 s at a load average of 13).
    record = run_isolated(Job(tinydb, 100, METHOD), steps.append, timeout=15)
    assert steps == ["building the store"]
    assert _scratch_directories() <= before
    assert record["status"] == "error"
    assert record["error"] is not None
    assert "15 s timeout" in record["error"]
