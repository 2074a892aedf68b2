"""The results document, the figures derived from it, and comparing two runs."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from jido_persistence_bench import results
from jido_persistence_bench.compare import compare, print_comparison
from jido_persistence_bench.plot import plot
from jido_persistence_bench.report import format_ns, format_ratio, render_markdown
from jido_persistence_bench.results import Document, RunRecord
from jido_persistence_bench.summary import comparisons, floor_ratio, overheads, scalings
from jido_persistence_bench.timing import Stats, summarise


def _stats(median: float) -> Stats:
    return summarise([median * 0.9, median, median * 1.2], calls=10)


def _run(target: str, size: int, figures: dict[str, float], raw: dict[str, float]) -> RunRecord:
    return RunRecord(
        target=target,
        adapter=target,
        size=size,
        status="ok",
        error=None,
        bulk_load=False,
        build_seconds=1.5,
        baseline_rss_bytes=50 * 2**20,
        peak_rss_bytes=80 * 2**20,
        operations={name: _stats(value) for name, value in figures.items()},
        raw={"base": {name: _stats(value) for name, value in raw.items()}} if raw else {},
        raw_skipped={},
    )


def _document(slowdown: float = 1.0) -> Document:
    document = results.new_document(["jido-persistence", "bench"], {"sizes": [1000, 100_000]}, {})
    document["runs"] = [
        _run("memory", 1000, {"get_message": 1000, "scan": 2000}, {}),
        _run("disk", 1000, {"get_message": 5000, "scan": 10_000}, {"get_message": 2500}),
        _run("memory", 100_000, {"get_message": 1100, "scan": 200_000}, {}),
        _run(
            "disk",
            100_000,
            {"get_message": 6000 * slowdown, "scan": 1_000_000},
            {"get_message": 3000},
        ),
    ]
    return document


def test_a_document_round_trips_through_json_and_validates(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    document = _document()
    results.save(document, path)
    assert results.load(path) == json.loads(json.dumps(document))
    assert document["machine"]["python"]
    assert document["versions"]["jido-persistence-bench"] == "0.1.0"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("machine"), "missing keys ['machine']"),
        (lambda d: d.update(schema="other/9"), "schema"),
        (lambda d: d["runs"][0].update(status="fine"), "status"),
        (lambda d: d["runs"][0]["operations"]["scan"].update(q1_ns=1e12), "out of order"),
        (lambda d: d["runs"][0]["operations"]["scan"].update(rounds=7), "one figure per round"),
        (lambda d: d["runs"][1].update(size="big"), "size is str"),
        (lambda d: d["runs"][1].update(extra=1), "unknown keys ['extra']"),
    ],
)
def test_validation_names_what_is_wrong(mutate: Any, message: str) -> None:
    document: Any = copy.deepcopy(_document())
    mutate(document)
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        results.validate(document)


def test_overhead_floor_and_scaling_are_ratios_of_medians() -> None:
    document = _document()
    [small, large] = overheads(document)
    assert (small.target, small.size, small.baseline) == ("disk", 1000, "base")
    assert small.ratio == pytest.approx(2.0)
    assert large.ratio == pytest.approx(2.0)
    disk_small = document["runs"][1]
    assert floor_ratio(document, disk_small, "get_message") == pytest.approx(5.0)
    assert floor_ratio(document, disk_small, "unknown") is None
    found = {(item.target, item.operation): item.ratio for item in scalings(document)}
    assert found[("memory", "scan")] == pytest.approx(100.0)
    assert found[("disk", "scan")] == pytest.approx(100.0)
    assert found[("disk", "get_message")] == pytest.approx(1.2)


def test_ingest_is_compared_with_the_calls_it_replaces_in_the_same_run() -> None:
    document = results.new_document(["jido-persistence", "bench"], {"sizes": [1000]}, {})
    figures = {
        "save_message": 10_000,
        "ingest_message_new": 15_000,
        "get_message_by_external_id": 1000,
        "ingest_message_repeated": 1100,
    }
    slow = {**figures, "ingest_message_repeated": 1300}
    document["runs"] = [_run("fast", 1000, figures, {}), _run("slow", 1000, slow, {})]
    found = {(item.target, item.operation): item for item in comparisons(document)}
    assert found[("fast", "ingest_message_new")].ratio == pytest.approx(1.5)
    assert found[("fast", "ingest_message_new")].within_limit is None
    assert found[("fast", "ingest_message_repeated")].ratio == pytest.approx(1.1)
    assert found[("fast", "ingest_message_repeated")].within_limit is True
    assert found[("slow", "ingest_message_repeated")].within_limit is False
    markdown = render_markdown(document)
    assert "ingest_message_repeated / get_message_by_external_id" in markdown
    assert "x1.1 (1.1 µs / 1 µs) ok" in markdown
    assert "x1.3 (1.3 µs / 1 µs) OVER x1.2" in markdown
    assert comparisons(_document()) == []


def test_compare_matches_figures_and_judges_them_against_the_threshold() -> None:
    changes = compare(_document(), _document(slowdown=2.0))
    assert len(changes) == 10
    by_key = {(change.target, change.operation, change.size): change for change in changes}
    slower = by_key[("disk", "get_message", 100_000)]
    assert slower.ratio == pytest.approx(2.0)
    assert slower.verdict(0.1) == "slower"
    assert by_key[("disk raw base", "get_message", 100_000)].verdict(0.1) == "unchanged"
    backwards = compare(_document(slowdown=2.0), _document())
    faster = [change for change in backwards if change.verdict(0.1) == "faster"]
    assert [(change.target, change.operation, change.size) for change in faster] == [
        ("disk", "get_message", 100_000)
    ]
    console = Console(record=True, width=200)
    counts = print_comparison(changes, console, threshold=0.1)
    assert counts == {"faster": 0, "slower": 1, "unchanged": 9}
    assert "slower" in console.export_text()


def test_markdown_and_plot_render_every_operation(tmp_path: Path) -> None:
    text = render_markdown(_document())
    assert "| scan |" in text
    assert "x100 (2 µs → 200 µs)" in text
    plot(_document(), tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes().startswith(b"\x89PNG")


@given(st.lists(st.floats(0, 1e12, allow_nan=False), min_size=1, max_size=30))
@settings(max_examples=100)
def test_summaries_are_ordered_for_any_rounds(rounds: list[float]) -> None:
    stats = summarise(rounds, calls=1)
    assert stats["min_ns"] <= stats["q1_ns"] <= stats["median_ns"] <= stats["q3_ns"]
    assert stats["q3_ns"] <= stats["max_ns"]
    assert stats["per_round_ns"] == rounds
    assert stats["rounds"] == len(rounds)


@pytest.mark.parametrize(
    ("value", "text"),
    [(850, "850 ns"), (12_300, "12.3 µs"), (4_560_000, "4.56 ms"), (2.5e9, "2.5 s")],
)
def test_durations_are_shown_in_a_readable_unit(value: float, text: str) -> None:
    assert format_ns(value) == text


@pytest.mark.parametrize(
    ("value", "text"), [(0.0475, "1/21"), (0.5, "x0.5"), (2.345, "x2.35"), (12345, "x12,345")]
)
def test_ratios_are_shown_readably(value: float, text: str) -> None:
    assert format_ratio(value) == text


def test_merge_replaces_the_same_target_and_size_in_place_and_says_where_from() -> None:
    first = _document()
    later = _document(slowdown=4.0)
    later["command"] = ["jido-persistence", "bench", "disk", "--sizes", "100000"]
    later["runs"] = [
        run for run in later["runs"] if (run["target"], run["size"]) == ("disk", 100_000)
    ]
    later["runs"].append(_run("extra", 1000, {"get_message": 1}, {}))
    merged = results.merge([first, later])
    assert [(run["target"], run["size"]) for run in merged["runs"]] == [
        ("memory", 1000),
        ("disk", 1000),
        ("memory", 100_000),
        ("disk", 100_000),
        ("extra", 1000),
    ]
    replaced = results.find_run(merged, "disk", 100_000)
    assert replaced is not None
    assert replaced["operations"]["get_message"]["median_ns"] == pytest.approx(24_000)
    notes = merged["parameters"]["merged_runs"]
    assert [(note["target"], note["size"]) for note in notes] == [
        ("disk", 100_000),
        ("extra", 1000),
    ]
    assert notes[0]["command"] == later["command"]
    assert results.find_run(first, "disk", 100_000)["operations"]["get_message"]["median_ns"] == (  # type: ignore[index]
        pytest.approx(6000)
    ), "the inputs are not modified"
    assert results.validate(json.loads(json.dumps(merged))) == merged
    with pytest.raises(ValueError, match="nothing to merge"):
        results.merge([])
