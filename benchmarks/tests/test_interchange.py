"""The bulk export/import benchmark checks its own work on small stores (no timing asserted)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from jido_persistence.cli import main
from jido_persistence.interchange import encode_record
from jido_persistence.memory import MemoryAdapter
from jido_persistence_bench.bulk_raw import BULK_BASELINES
from jido_persistence_bench.dataset import Dataset
from jido_persistence_bench.interchange import (
    bench_bulk,
    dataset_records,
    exporter,
    importer,
    peak_rss,
)
from jido_persistence_bench.targets import POSTGRES_URL_ENV, resolve_targets, store_url

DATA = Dataset(300)


def test_the_dataset_records_are_an_export_in_the_documented_order() -> None:
    records = list(dataset_records(DATA))
    store = MemoryAdapter()
    importer(store)(iter(records))
    assert [encode_record(r) for r in exporter(store)()] == [encode_record(r) for r in records]


def _raw_options() -> dict[str, str]:
    url = os.environ.get(POSTGRES_URL_ENV)
    return {"conninfo": url} if url else {}


@pytest.mark.parametrize("name", sorted(BULK_BASELINES))
def test_each_raw_bulk_baseline_gives_back_what_it_loaded(name: str, tmp_path: Path) -> None:
    options = _raw_options()
    if name == "psycopg" and not options:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_URL_ENV} is not set under CI=true")
        pytest.skip(f"{POSTGRES_URL_ENV} is not set")
    messages = list(DATA.messages())
    baseline = BULK_BASELINES[name](tmp_path, options)
    try:
        assert baseline.import_messages(iter(messages)) == len(messages)
        assert list(baseline.export_messages()) == messages
    finally:
        baseline.close()


def test_a_bulk_figure_times_the_adapter_and_its_raw_baseline() -> None:
    sqlite = resolve_targets(["sqlite"])[1]
    figure = bench_bulk(sqlite, 300, rounds=2)
    assert figure.raw == "sqlite3"
    assert figure.records == len(list(dataset_records(DATA)))
    for seconds in (
        figure.import_seconds,
        figure.export_seconds,
        figure.message_import_seconds,
        figure.message_export_seconds,
        figure.raw_import_seconds,
        figure.raw_export_seconds,
    ):
        assert len(seconds) == 2
        assert all(value > 0 for value in seconds)
    data = figure.to_json()
    assert data["import_ratio"] > 0
    assert data["message_export_ratio"] > 0


def test_peak_rss_runs_each_phase_in_a_process_of_its_own(tmp_path: Path) -> None:
    url = store_url(resolve_targets(["sqlite"])[1], tmp_path, "rss")
    imported = peak_rss("import", url, 300)
    exported = peak_rss("export", url, 300)
    assert imported["records"] == exported["records"] == len(list(dataset_records(DATA)))
    assert exported["peak_rss_bytes"] >= exported["rss_before_bytes"] > 0


def test_the_command_prints_and_writes_the_tables(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "bench-interchange",
            "sqlite",
            "--messages",
            "200",
            "--rounds",
            "1",
            "--rss",
            "200",
            "--json",
            str(tmp_path / "figures.json"),
            "--markdown",
            str(tmp_path / "tables.md"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "bulk import and export of 200 messages" in result.output
    saved = json.loads((tmp_path / "figures.json").read_text())
    assert [figure["target"] for figure in saved["figures"]] == ["sqlite"]
    assert [item["phase"] for item in saved["rss"]] == ["import", "export"]
    tables = (tmp_path / "tables.md").read_text()
    assert "| sqlite | import |" in tables
    assert "| sqlite | export | 200 |" in tables
    assert CliRunner().invoke(main, ["bench-interchange", "no-such-adapter"]).exit_code == 1


def test_memory_and_tinydb_run_beside_their_raw_baselines(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "bench-interchange",
            "memory",
            "tinydb",
            "--messages",
            "200",
            "--rounds",
            "1",
            "--rss",
            "200",
            "--json",
            str(tmp_path / "figures.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    saved = json.loads((tmp_path / "figures.json").read_text())
    assert [(f["target"], f["raw"]) for f in saved["figures"]] == [
        ("memory", "dict"),
        ("tinydb", "tinydb"),
    ]
    assert all(f["import_ratio"] > 0 and f["export_ratio"] > 0 for f in saved["figures"])
    # A memory store does not outlive the process that imported it: no RSS phases.
    assert [(item["target"], item["phase"]) for item in saved["rss"]] == [
        ("tinydb", "import"),
        ("tinydb", "export"),
    ]
    assert all(item["records"] == saved["figures"][1]["records"] for item in saved["rss"])
