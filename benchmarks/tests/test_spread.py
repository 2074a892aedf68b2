"""Spread warnings and jump verdicts of the report (figures made up; no timing)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jido_persistence_bench import results
from jido_persistence_bench.plans import plan_changes, plan_shape
from jido_persistence_bench.report import render_markdown
from jido_persistence_bench.results import Document, RunRecord
from jido_persistence_bench.summary import (
    JUMP,
    WIDE_SPREAD,
    jumps,
    relative_iqr,
    wide_spreads,
)
from jido_persistence_bench.timing import Stats, summarise


def _tight(median: float) -> Stats:
    return summarise([median * 0.95, median, median * 1.05], calls=10)


def _run(
    size: int,
    adapter: dict[str, Stats],
    raw: dict[str, Stats] | None = None,
    plans: dict[str, Any] | None = None,
) -> RunRecord:
    record = RunRecord(
        target="postgres",
        adapter="postgres",
        size=size,
        status="ok",
        error=None,
        bulk_load=False,
        build_seconds=1.0,
        baseline_rss_bytes=40 * 2**20,
        peak_rss_bytes=(50 + size // 1000) * 2**20,
        operations=adapter,
        raw={"psycopg": raw} if raw else {},
        raw_skipped={},
        load_average={"start": [1.0, 1.0, 1.0], "end": [3.5, 2.0, 1.0]},
    )
    if plans is not None:
        record["server"] = {"after_build": {"tables": {}, "plans": plans}}
    return record


def _document(runs: list[RunRecord]) -> Document:
    document = results.new_document(["test"], {}, {})
    document["runs"] = runs
    return results.validate(document)


@given(st.lists(st.floats(1.0, 1e9), min_size=1, max_size=30))
def test_the_relative_iqr_is_never_negative_and_zero_for_equal_rounds(rounds: list[float]) -> None:
    stats = summarise(rounds, calls=1)
    assert relative_iqr(stats) >= 0
    assert relative_iqr(summarise([rounds[0]] * len(rounds), calls=1)) == 0


def test_a_measurement_whose_rounds_disagree_is_flagged_and_a_tight_one_is_not() -> None:
    noisy = summarise([1.0, 1.0, 3.0, 5.0, 9.0], calls=1)
    assert relative_iqr(noisy) > WIDE_SPREAD
    document = _document([_run(1000, {"get_message": noisy, "save_message": _tight(10)})])
    spreads = wide_spreads(document)
    assert [(item.operation, item.size) for item in spreads] == [("get_message", 1000)]
    markdown = render_markdown(document)
    assert "Wide spread" in markdown
    assert "(!)" in markdown.split("**Wide spread")[0]


def test_a_jump_with_the_raw_baseline_jumping_too_is_the_machine() -> None:
    runs = [
        _run(1000, {"bridge_event": _tight(2.4e6)}, {"save_message": _tight(5e5)}),
        _run(10_000, {"bridge_event": _tight(11.9e6)}, {"save_message": _tight(1.5e6)}),
        _run(100_000, {"bridge_event": _tight(2.0e6)}, {"save_message": _tight(3e5)}),
    ]
    [jump] = jumps(_document(runs))
    assert (jump.size, jump.operation, jump.verdict) == (10_000, "bridge_event", "machine")
    assert jump.factor >= JUMP


def test_a_jump_where_a_plan_changed_at_that_size_only_is_a_plan_change() -> None:
    good = {"get_message": {"custom": "Index Scan messages_pkey", "generic": "Index Scan"}}
    bad = {"get_message": {"custom": "Seq Scan messages", "generic": "Seq Scan messages"}}
    steady = {"save_message": _tight(1e5)}
    runs = [
        _run(1000, {"get_message": _tight(1e5)}, steady, good),
        _run(10_000, {"get_message": _tight(9e5)}, steady, bad),
        _run(100_000, {"get_message": _tight(1.2e5)}, steady, good),
    ]
    document = _document(runs)
    [jump] = jumps(document)
    assert jump.verdict == "plan"
    assert "get_message" in jump.detail
    changes = plan_changes(document["runs"])
    assert {label for _, label, _ in changes} == {"get_message (custom)", "get_message (generic)"}
    assert "Seq Scan messages at 10,000 (after build)" in render_markdown(document)


def test_a_jump_with_a_steady_baseline_and_the_same_plans_is_unexplained() -> None:
    steady = {"save_message": _tight(1e5)}
    plans = {"get_message": {"custom": "Index Scan messages_pkey", "generic": "Index Scan"}}
    runs = [
        _run(1000, {"list_threads": _tight(1e5)}, steady, plans),
        _run(10_000, {"list_threads": _tight(5e5)}, steady, plans),
        _run(100_000, {"list_threads": _tight(1e5)}, steady, plans),
    ]
    [jump] = jumps(_document(runs))
    assert jump.verdict == "unexplained"
    assert "same plans" in jump.detail


def test_growth_that_does_not_come_back_down_is_not_a_jump() -> None:
    runs = [
        _run(1000, {"directory_search_name": _tight(1e5)}),
        _run(10_000, {"directory_search_name": _tight(1e6)}),
        _run(100_000, {"directory_search_name": _tight(1e7)}),
    ]
    assert jumps(_document(runs)) == []


def test_the_report_shows_peak_rss_by_size_and_the_load_average() -> None:
    document = _document([_run(1000, {"get_message": _tight(1e5)}), _run(10_000, {})])
    markdown = render_markdown(document)
    assert "| postgres | 51 MiB | 60 MiB |" in markdown
    assert "1.0 → 3.5" in markdown


def test_plan_shape_names_nodes_and_the_indexes_they_read() -> None:
    plan = {
        "Node Type": "Limit",
        "Plans": [{"Node Type": "Index Scan", "Index Name": "messages_external_key"}],
    }
    assert plan_shape(plan) == "Limit[Index Scan messages_external_key]"
    assert plan_shape({"Node Type": "Seq Scan", "Relation Name": "rooms"}) == "Seq Scan rooms"


def test_a_document_with_an_unknown_run_key_is_still_refused() -> None:
    document: Any = _document([_run(1000, {})])
    document["runs"][0]["surprise"] = 1
    with pytest.raises(ValueError, match="surprise"):
        results.validate(document)


def test_a_plan_change_of_a_statement_the_operation_does_not_run_explains_nothing() -> None:
    steady = {"save_message": _tight(1e5)}
    one = {"list_threads": {"custom": "Sort[Seq Scan threads]", "generic": "Seq Scan"}}
    other = {"list_threads": {"custom": "Index Scan threads_room_order", "generic": "Index"}}
    runs = [
        _run(1000, {"bridge_event": _tight(1e6)}, steady, one),
        _run(10_000, {"bridge_event": _tight(5e6)}, steady, other),
        _run(100_000, {"bridge_event": _tight(1e6)}, steady, one),
    ]
    [jump] = jumps(_document(runs))
    assert jump.verdict == "unexplained"


def test_a_ratio_against_raw_from_a_noisy_median_is_marked_and_a_tight_one_is_not() -> None:
    noisy = summarise([1.0, 1.0, 3.0, 5.0, 9.0], calls=1)
    document = _document(
        [
            _run(
                1000,
                {"get_message": noisy, "save_message": _tight(10)},
                raw={"get_message": _tight(2), "save_message": _tight(9)},
            )
        ]
    )
    overhead = render_markdown(document).split("**Overhead against")[1].split("\n\n**")[0]
    rows = {line.split(" | ")[2]: line for line in overhead.splitlines() if "psycopg" in line}
    assert rows["get_message"].endswith("(!) |")
    assert "(!)" not in rows["save_message"]
