"""The goals table: each goal's figure and verdict from made-up figures (no timing)."""

from __future__ import annotations

from jido_persistence_bench import results
from jido_persistence_bench.goals import BUNDLED, GOALS, LOOKUPS, GoalResult, evaluate
from jido_persistence_bench.report import render_markdown
from jido_persistence_bench.results import Document, RunRecord
from jido_persistence_bench.timing import Stats, summarise

SIZES = (1_000, 10_000, 100_000)


def _stats(median: float) -> Stats:
    return summarise([median, median, median], calls=10)


def _run(adapter: str, size: int, times: dict[str, float], raw: dict[str, float]) -> RunRecord:
    return RunRecord(
        target=adapter,
        adapter=adapter,
        size=size,
        status="ok",
        error=None,
        bulk_load=True,
        build_seconds=1.0,
        baseline_rss_bytes=40 * 2**20,
        peak_rss_bytes=(50 + size // 1000) * 2**20,
        operations={name: _stats(value) for name, value in times.items()},
        raw={"raw": {name: _stats(value) for name, value in raw.items()}} if raw else {},
        raw_skipped={},
        build_path="import",
        resident_bytes=(45 + size // 1000) * 2**20,
    )


def _document(runs: list[RunRecord]) -> Document:
    document = results.new_document(["test"], {}, {})
    document["runs"] = runs
    return results.validate(document)


def _flat(adapter: str, *, grow: dict[str, float] | None = None) -> list[RunRecord]:
    """Every adapter at every size: lookups of 1000 ns (times ``grow[op]`` at the largest
    size), directory search of 2000 ns, adapter/raw x1.1."""
    runs = []
    for size in SIZES:
        factor = grow or {}
        times = {op: 1000.0 * (factor.get(op, 1.0) if size == SIZES[-1] else 1.0) for op in LOOKUPS}
        times["directory_search_name"] = 2000.0
        times["save_message"] = 5000.0
        times["bridge_event"] = 5e6
        raw = {
            op: times[op] / 1.1
            for op in ("get_message", "get_message_by_external_id", "get_messages_latest")
        }
        raw["save_message"] = times["save_message"] / 1.1
        runs.append(_run(adapter, size, times, raw))
    return runs


def _by_goal(found: list[GoalResult]) -> dict[str, GoalResult]:
    return {item.goal: item for item in found}


def test_a_run_meeting_every_goal_says_met_on_every_goal_row() -> None:
    document = _document([run for adapter in BUNDLED for run in _flat(adapter)])
    found = evaluate(document)
    assert len(found) == len(GOALS)
    assert {item.verdict for item in found} == {"met", "no goal"}
    assert [item.goal for item in found if item.note] == ["delete_room"]


def test_the_worst_case_decides_and_is_named() -> None:
    runs = [run for adapter in BUNDLED if adapter != "tinydb" for run in _flat(adapter)]
    runs += _flat("tinydb", grow={"get_messages_page_back": 30.0, "list_threads": 3.0})
    found = _by_goal(evaluate(_document(runs)))
    scaling = found["tinydb: every lookup's scaling"]
    assert scaling.met is False
    assert scaling.verdict == "NOT MET"
    assert scaling.figure == "x30 (get_messages_page_back, 100,000/10,000)"
    floor = found["tinydb: every lookup within 2x of the memory adapter, every size"]
    assert floor.met is False
    assert floor.figure == "x30 (get_messages_page_back at 100,000)"
    assert found["sqlite: every lookup's scaling"].met is True


def test_an_overhead_over_the_limit_or_growing_fails_its_goal() -> None:
    runs = [run for adapter in BUNDLED if adapter != "postgres" for run in _flat(adapter)]
    postgres = _flat("postgres")
    postgres[-1]["operations"]["save_message"] = _stats(5000 * 1.4)
    runs += postgres
    found = _by_goal(evaluate(_document(runs)))
    overhead = found[next(goal for goal in found if goal.startswith("postgres: adapter/raw on"))]
    assert overhead.met is False
    assert overhead.figure.endswith("(save_message at 100,000)")
    growth = found[next(goal for goal in found if goal.startswith("postgres: adapter/raw not"))]
    assert growth.met is False
    assert growth.figure == "x1.4 (save_message)"


def test_a_missing_adapter_or_size_is_named_and_unmeasured_goals_say_so() -> None:
    runs = [run for adapter in BUNDLED if adapter != "sqlite" for run in _flat(adapter)]
    found = _by_goal(evaluate(_document(runs)))
    coverage = found["every bundled adapter at every size, with its peak RSS"]
    assert coverage.met is False
    assert "sqlite at 1,000" in coverage.figure
    assert found["sqlite: every lookup's scaling"].verdict == "not measured"


def test_the_report_leads_with_the_goals_and_notes_delete_room_beside_its_row() -> None:
    document = _document([run for adapter in BUNDLED for run in _flat(adapter)])
    document["runs"][0]["operations"]["delete_room"] = _stats(1000)
    document["runs"][2]["operations"]["delete_room"] = _stats(100_000)
    markdown = render_markdown(document)
    assert markdown.startswith("**Goals (issue 20)")
    scaling = markdown.split("**Scaling")[1]
    assert "| delete_room (deletes a room of 1% of the store: grows with it by design" in scaling
    assert "resident" in markdown


def test_list_threads_scales_per_thread_answered_and_page_back_from_ten_full_pages() -> None:
    """A room answers 1 thread at 1,000 messages and 50 at 100,000, so 50 times the time
    is the same time per thread; a room of 1,000 messages holds one page, so the walk's
    scaling starts where a room holds ten (10,000)."""
    runs = [run for adapter in BUNDLED if adapter != "sqlite" for run in _flat(adapter)]
    sqlite = _flat("sqlite", grow={"list_threads": 50.0, "get_messages_page_back": 1.5})
    sqlite[0]["operations"]["get_messages_page_back"] = _stats(100.0)
    runs += sqlite
    found = _by_goal(evaluate(_document(runs)))
    scaling = found["sqlite: every lookup's scaling"]
    assert scaling.met is True
    assert scaling.figure == "x1.5 (get_messages_page_back, 100,000/10,000)"
    sqlite[1]["operations"]["list_threads"] = _stats(10.0)  # 10,000: 5 threads a room
    found = _by_goal(evaluate(_document(runs)))
    assert found["sqlite: every lookup's scaling"].figure == (
        "x1.5 (get_messages_page_back, 100,000/10,000)"
    )
    sqlite[2]["operations"]["list_threads"] = _stats(1000.0 * 50 * 3)
    found = _by_goal(evaluate(_document(runs)))
    assert found["sqlite: every lookup's scaling"].figure == (
        "x3 (list_threads, 100,000/1,000, per thread answered)"
    )
