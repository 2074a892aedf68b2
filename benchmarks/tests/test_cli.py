"""The ``jido-persistence bench`` command end to end, at ``--quick`` sizes (no timing checks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jido_persistence.cli import main
from jido_persistence_bench import results
from jido_persistence_bench.cli import QUICK_SIZES
from jido_persistence_bench.targets import POSTGRES_URL_ENV
from jido_persistence_bench.workloads import RAW_OPERATIONS, WORKLOADS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _bench(*arguments: str) -> str:
    outcome = CliRunner().invoke(main, ["bench", *arguments], catch_exceptions=False)
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


def test_quick_run_of_every_adapter_writes_a_valid_document_a_plot_and_markdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(POSTGRES_URL_ENV, raising=False)
    json_path, png_path, markdown_path = tmp_path / "r.json", tmp_path / "r.png", tmp_path / "r.md"
    output = _bench(
        "--quick",
        "--json",
        str(json_path),
        "--plot",
        str(png_path),
        "--markdown",
        str(markdown_path),
    )
    document = results.load(json_path)
    targets = [run["target"] for run in document["runs"]]
    assert targets[0] == "memory"
    assert {"memory", "tinydb", "duckdb"} <= set(targets)
    assert sorted({run["size"] for run in document["runs"]}) == list(QUICK_SIZES)
    for run in document["runs"]:
        assert run["status"] == "ok", (run["target"], run["error"])
        required = {workload.name for workload in WORKLOADS if workload.capability is None}
        optional = {workload.name for workload in WORKLOADS if workload.capability is not None}
        assert set(run["operations"]) - optional == required
        if run["target"] in ("memory", "tinydb", "duckdb"):  # they have the ingest group
            assert optional <= set(run["operations"])
        assert run["raw"], run["target"]
        for figures in run["raw"].values():
            assert set(figures) == {workload.name for workload in RAW_OPERATIONS}
        assert run["peak_rss_bytes"] >= run["baseline_rss_bytes"] > 0
    assert "postgres" in document["skipped_targets"]
    assert document["parameters"]["quick"] is True
    assert document["parameters"]["isolated"] is True
    assert document["machine"]["cpu_count"] >= 1
    assert document["versions"]["jido-persistence"]
    assert png_path.read_bytes().startswith(PNG_SIGNATURE)
    assert "get_messages_page_back" in markdown_path.read_text(encoding="utf-8")
    assert "Overhead against the raw backend" in output
    markdown = markdown_path.read_text(encoding="utf-8")
    assert "ingest_message_repeated / get_message_by_external_id" in markdown


def test_compare_reports_each_figure_of_both_runs(tmp_path: Path) -> None:
    old_path = tmp_path / "old.json"
    _bench("--quick", "memory", "--in-process", "--sizes", "100", "--json", str(old_path))
    output = _bench(
        "--quick", "memory", "--in-process", "--sizes", "100", "--compare", str(old_path)
    )
    figures = len(WORKLOADS) + len(RAW_OPERATIONS)
    assert f"of {figures} figures in both runs" in output


def test_compare_against_a_second_file_runs_nothing(tmp_path: Path) -> None:
    old_path, new_path = tmp_path / "old.json", tmp_path / "new.json"
    _bench("--quick", "memory", "--in-process", "--sizes", "100", "--json", str(old_path))
    document = results.load(old_path)
    for run in document["runs"]:
        stats = run["operations"]["get_message"]
        for key in ("median_ns", "q1_ns", "q3_ns", "min_ns", "max_ns"):
            stats[key] *= 3  # type: ignore[literal-required]
        stats["per_round_ns"] = [value * 3 for value in stats["per_round_ns"]]
    results.save(document, new_path)
    output = _bench("--compare", str(old_path), "--against", str(new_path))
    assert "1 slower" in output
    assert "Building each store" not in output


def test_compare_refuses_a_file_that_is_not_a_results_document(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text(json.dumps({"schema": "something else"}), encoding="utf-8")
    outcome = CliRunner().invoke(main, ["bench", "--quick", "--compare", str(bogus)])
    assert outcome.exit_code != 0
    assert "cannot read" in outcome.output


def test_an_unknown_adapter_is_a_usage_error_naming_it() -> None:
    outcome = CliRunner().invoke(main, ["bench", "--quick", "no-such-adapter"])
    assert outcome.exit_code != 0
    assert "no-such-adapter" in outcome.output


def test_sizes_below_one_message_per_room_are_refused() -> None:
    outcome = CliRunner().invoke(main, ["bench", "--sizes", "50", "memory"])
    assert outcome.exit_code == 2
    assert "at least 100" in outcome.output


def test_from_merges_saved_runs_and_writes_the_outputs_without_running(tmp_path: Path) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    _bench("--quick", "memory", "--in-process", "--sizes", "100", "--json", str(first))
    _bench("--quick", "memory", "--in-process", "--sizes", "200", "--json", str(second))
    merged, markdown = tmp_path / "merged.json", tmp_path / "merged.md"
    output = _bench(
        "--from",
        str(first),
        "--from",
        str(second),
        "--json",
        str(merged),
        "--markdown",
        str(markdown),
    )
    assert f"figures written to {merged}" in output.replace("\n", "")
    document = results.load(merged)
    assert sorted((run["target"], run["size"]) for run in document["runs"]) == [
        ("memory", 100),
        ("memory", 200),
    ]
    assert [note["size"] for note in document["parameters"]["merged_runs"]] == [200]
    assert "200" in markdown.read_text(encoding="utf-8")
    refused = CliRunner().invoke(main, ["bench", "memory", "--from", str(first)])
    assert refused.exit_code == 2
    assert "--from" in refused.output
