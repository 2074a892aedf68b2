"""The retention benchmarks run end to end on small stores and check their own work."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from jido_persistence.cli import main
from jido_persistence_bench.retention import ROUNDS, bench_delete_oldest, bench_erase_scaling
from jido_persistence_bench.targets import resolve_targets


def test_delete_oldest_times_the_adapter_and_its_raw_baseline() -> None:
    memory = resolve_targets(["memory"])[0]
    figure = bench_delete_oldest(memory, 500)
    assert figure.raw == "dict"
    assert len(figure.seconds) == len(figure.raw_seconds) == 3
    assert figure.ratio is not None
    assert figure.ratio > 0


def test_erase_scaling_reports_each_store_size_against_the_smallest(tmp_path: Path) -> None:
    tinydb = resolve_targets(["tinydb"])[1]
    figures = bench_erase_scaling(tinydb, (100, 200))
    assert [(f.workload, f.size) for f in figures] == [
        ("erase (delete)", 100),
        ("erase (redact)", 100),
        ("erase (delete)", 200),
        ("erase (redact)", 200),
    ]
    assert figures[0].ratio == figures[1].ratio == 1.0
    assert all(len(f.seconds) == ROUNDS for f in figures)


def test_the_command_prints_and_writes_the_tables(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "bench-retention",
            "memory",
            "--room-size",
            "300",
            "--rooms",
            "100",
            "--json",
            str(tmp_path / "figures.json"),
            "--markdown",
            str(tmp_path / "tables.md"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "erase_participant" in result.output
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert {figure["workload"] for figure in figures} == {
        "delete oldest 10%",
        "erase (delete)",
        "erase (redact)",
    }
    assert "| memory | dict | 30 of 300 |" in (tmp_path / "tables.md").read_text()
    assert CliRunner().invoke(main, ["bench-retention", "--rooms", "5"]).exit_code == 2
