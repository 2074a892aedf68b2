"""The report: tables built once from a results document, shown with rich or as Markdown.

Tables, in order: the goals of issue 20 and whether the run met them
(:mod:`.goals`); time per call at each size (median, interquartile range, and
the ratio to the memory adapter, the floor); overhead against the raw backend;
``ingest_message`` against the calls it replaces; scaling from the smallest to the
largest size; measurements with a wide spread; jumps at one size, with a verdict;
PostgreSQL plans that changed; build time, peak memory and load average; peak memory
by target and size; server bytes per table (PostgreSQL at scale); and what was
skipped or failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from jido_persistence_bench.goals import SCALING_NOTES, evaluate
from jido_persistence_bench.plans import plan_changes
from jido_persistence_bench.results import Document, RunRecord
from jido_persistence_bench.summary import (
    JUMP,
    WIDE_SPREAD,
    comparisons,
    floor_ratio,
    jumps,
    operations_of,
    overheads,
    relative_iqr,
    scalings,
    sizes_of,
    targets_of,
    wide_spreads,
)

__all__ = ["ReportTable", "format_ns", "format_ratio", "print_report", "render_markdown", "tables"]


@dataclass(frozen=True)
class ReportTable:
    """A titled table of text cells."""

    title: str
    headers: list[str]
    rows: list[list[str]]


def format_ns(value: float) -> str:
    """A duration in nanoseconds with a readable unit (``"850 ns"``, ``"12.3 µs"``)."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value:.3g} ns"


def format_ratio(value: float) -> str:
    """A ratio as ``"x2.3"``, or ``"1/21"`` when below 0.1 (21 times less)."""
    if value < 0.1:
        return f"1/{1 / value:,.0f}"
    return f"x{value:.3g}" if value < 1000 else f"x{value:,.0f}"


def _goals_table(document: Document) -> ReportTable:
    rows = [[item.goal, item.target, item.figure, item.verdict] for item in evaluate(document)]
    return ReportTable(
        "Goals (issue 20): each against this run's figures (ratios of one run; the worst case "
        "named)",
        ["goal", "target", "figure", "met"],
        rows,
    )


def _time_tables(document: Document) -> list[ReportTable]:
    found = []
    targets = targets_of(document)
    for size in sizes_of(document):
        runs = {run["target"]: run for run in document["runs"] if run["size"] == size}
        rows = []
        for operation in operations_of(document):
            row = [operation]
            for target in targets:
                run = runs.get(target)
                stats = None if run is None else run["operations"].get(operation)
                if run is None or stats is None:
                    row.append("-")
                    continue
                cell = (
                    f"{format_ns(stats['median_ns'])} "
                    f"[{format_ns(stats['q1_ns'])}-{format_ns(stats['q3_ns'])}]"
                )
                floor = floor_ratio(document, run, operation)
                if floor is not None and run["adapter"] != "memory":
                    cell += f" {format_ratio(floor)}"
                if relative_iqr(stats) > WIDE_SPREAD:
                    cell += " (!)"
                row.append(cell)
            rows.append(row)
        found.append(
            ReportTable(
                f"Time per call at {size:,} messages: median [IQR] xmemory adapter "
                f"((!): IQR over {WIDE_SPREAD:.0%} of the median)",
                ["operation", *targets],
                rows,
            )
        )
    return found


def _overhead_table(document: Document) -> ReportTable:
    sizes = sizes_of(document)
    cells: dict[tuple[str, str, str], dict[int, str]] = {}
    for item in overheads(document):
        row = cells.setdefault((item.target, item.baseline, item.operation), {})
        row[item.size] = (
            f"{format_ratio(item.ratio)} ({format_ns(item.adapter_ns)} / {format_ns(item.raw_ns)})"
            + (" (!)" if item.wide_spread else "")
        )
    rows = [
        [target, baseline, operation, *(by_size.get(size, "-") for size in sizes)]
        for (target, baseline, operation), by_size in cells.items()
    ]
    return ReportTable(
        "Overhead against the raw backend: adapter/raw (adapter / raw per call), "
        f"measured side by side, round by round ((!): either IQR over {WIDE_SPREAD:.0%} of its "
        "median, a noisy ratio)",
        ["target", "raw baseline", "operation", *(f"{size:,}" for size in sizes)],
        rows,
    )


def _ingest_table(document: Document) -> ReportTable:
    sizes = sizes_of(document)
    cells: dict[tuple[str, str], dict[int, str]] = {}
    for item in comparisons(document):
        row = cells.setdefault((item.target, f"{item.operation} / {item.reference}"), {})
        verdict = {None: "", True: " ok", False: f" OVER x{item.limit}"}[item.within_limit]
        row[item.size] = (
            f"{format_ratio(item.ratio)} ({format_ns(item.operation_ns)} / "
            f"{format_ns(item.reference_ns)}){verdict}"
        )
    rows = [
        [target, pair, *(by_size.get(size, "-") for size in sizes)]
        for (target, pair), by_size in cells.items()
    ]
    return ReportTable(
        "ingest_message against the call it replaces, same run: a new event / save_message, "
        "a re-delivered one / get_message_by_external_id (at most x1.2)",
        ["target", "ratio", *(f"{size:,}" for size in sizes)],
        rows,
    )


def _scaling_table(document: Document) -> ReportTable:
    targets = targets_of(document)
    sizes = sizes_of(document)
    cells: dict[tuple[str, str], str] = {}
    for item in scalings(document):
        cell = (
            f"{format_ratio(item.ratio)} ({format_ns(item.small_ns)} → {format_ns(item.large_ns)})"
        )
        if (item.small_size, item.large_size) != (sizes[0], sizes[-1]):
            cell += f" {item.large_size:,}/{item.small_size:,}"
        cells[(item.operation, item.target)] = cell
    rows = [
        [
            operation + (f" ({SCALING_NOTES[operation]})" if operation in SCALING_NOTES else ""),
            *(cells.get((operation, target), "-") for target in targets),
        ]
        for operation in operations_of(document)
    ]
    title = "Scaling: time per call at the largest size / at the smallest"
    if len(sizes) > 1:
        title += f" ({sizes[-1]:,} / {sizes[0]:,} messages, unless a cell says otherwise)"
    return ReportTable(title, ["operation", *targets], rows)


def _load(run: dict[str, object]) -> str:
    load = run.get("load_average")
    if not isinstance(load, dict) or not load.get("start") or not load.get("end"):
        return "-"
    return f"{load['start'][0]:.1f} → {load['end'][0]:.1f}"


def _build_path(run: RunRecord) -> str:
    # Documents written before build_path existed say only whether a bulk path ran.
    return run.get("build_path") or ("bulk" if run["bulk_load"] else "callbacks")


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} s"


def _resident(run: RunRecord) -> str:
    resident = run.get("resident_bytes")
    return "-" if resident is None else f"{resident / 2**20:.0f} MiB"


def _resources_table(document: Document) -> ReportTable:
    rows = []
    for run in document["runs"]:
        rows.append(
            [
                run["target"],
                f"{run['size']:,}",
                f"{run['build_seconds']:.1f} s ({_build_path(run)})",
                _seconds(run.get("measure_seconds")),
                f"{run['peak_rss_bytes'] / 2**20:.0f} MiB",
                f"{(run['peak_rss_bytes'] - run['baseline_rss_bytes']) / 2**20:.0f} MiB",
                _resident(run),
                _load(dict(run)),
                run["status"],
            ]
        )
    built = sum(run["build_seconds"] for run in document["runs"])
    measured = sum(run.get("measure_seconds", 0.0) for run in document["runs"])
    return ReportTable(
        "Building each store (not timed in any figure; the path: import_records, bulk_load, "
        "bulk_save_messages or callbacks), peak memory of its worker, its resident memory "
        "once built (after a garbage collection), and the machine's 1-minute load average "
        f"when the job started and ended; in all {built:,.0f} s of building and "
        f"{measured:,.0f} s of measuring",
        [
            "target",
            "size",
            "build",
            "measure",
            "peak RSS",
            "growth during build",
            "resident",
            "load",
            "status",
        ],
        rows,
    )


def _rss_table(document: Document) -> ReportTable:
    sizes = sizes_of(document)
    cells = {
        (run["target"], run["size"]): f"{run['peak_rss_bytes'] / 2**20:,.0f} MiB"
        + ("" if run.get("resident_bytes") is None else f" ({_resident(run)})")
        for run in document["runs"]
        if run["peak_rss_bytes"]
    }
    rows = [
        [target, *(cells.get((target, size), "-") for size in sizes)]
        for target in targets_of(document)
    ]
    return ReportTable(
        "Peak RSS of the worker holding one store (once built, before any raw baseline), "
        "and in brackets its resident memory then, after a garbage collection",
        ["target", *(f"{size:,}" for size in sizes)],
        rows if len(document["runs"]) > 1 else [],
    )


def _spread_table(document: Document) -> ReportTable:
    rows = [
        [
            item.target,
            f"{item.size:,}",
            item.operation,
            format_ns(item.stats["median_ns"]),
            f"{format_ns(item.stats['q1_ns'])}-{format_ns(item.stats['q3_ns'])}",
            f"{format_ns(item.stats['min_ns'])}-{format_ns(item.stats['max_ns'])}",
            f"{item.relative_iqr:.0%}",
            str(item.stats["rounds"]),
        ]
        for item in wide_spreads(document)
    ]
    return ReportTable(
        f"Wide spread: the rounds disagree (IQR over {WIDE_SPREAD:.0%} of the median); "
        "read these medians as noisy",
        ["target", "size", "operation", "median", "IQR", "min-max", "IQR/median", "rounds"],
        rows,
    )


def _jump_table(document: Document) -> ReportTable:
    rows = [
        [
            item.target,
            f"{item.size:,}",
            item.operation,
            format_ratio(item.factor),
            item.verdict,
            item.detail,
        ]
        for item in jumps(document)
    ]
    return ReportTable(
        f"Jumps: an operation over x{JUMP} slower at one size than at both sizes beside it, "
        "and why (machine: the raw baselines moved too; plan: a probe's plan changed)",
        ["target", "size", "operation", "jump", "verdict", "detail"],
        rows,
    )


def _plan_table(document: Document) -> ReportTable:
    rows = [[target, label, detail] for target, label, detail in plan_changes(document["runs"])]
    return ReportTable(
        "PostgreSQL plans that differ between sizes or between the start and end of a run "
        "(EXPLAIN of the probe statements, see pg_probe)",
        ["target", "statement (plan)", "shapes and where"],
        rows,
    )


def _mib(value: float) -> str:
    return f"{value / 2**20:,.1f} MiB"


def _storage_table(document: Document) -> ReportTable:
    rows = []
    for run in document["runs"]:
        storage = run.get("storage")
        if not storage:
            continue
        messages = run["size"]
        for table, item in storage.items():
            rows.append(
                [
                    run["target"],
                    f"{messages:,}",
                    table,
                    f"{item['rows']:,}",
                    _mib(item["heap_bytes"]),
                    _mib(item["index_bytes"]),
                    _mib(item["total_bytes"]),
                    f"{item['total_bytes'] / messages:,.0f} B",
                ]
            )
        total = sum(item["total_bytes"] for item in storage.values())
        rows.append(
            [
                run["target"],
                f"{messages:,}",
                "(store)",
                "-",
                "-",
                "-",
                _mib(total),
                f"{total / messages:,.0f} B",
            ]
        )
    return ReportTable(
        "Bytes on the server: per table, heap (pg_relation_size), indexes (pg_indexes_size), "
        "total with TOAST (pg_total_relation_size), and total per stored message",
        ["target", "size", "table", "rows", "heap", "indexes", "total", "per message"],
        rows,
    )


def _notes_table(document: Document) -> ReportTable:
    rows = [
        [name, "-", f"not run: {reason}"] for name, reason in document["skipped_targets"].items()
    ]
    for run in document["runs"]:
        for baseline, reason in run["raw_skipped"].items():
            rows.append([run["target"], f"{run['size']:,}", f"raw {baseline} {reason}"])
        if run["error"]:
            rows.append([run["target"], f"{run['size']:,}", f"{run['status']}: {run['error']}"])
    return ReportTable("Skipped and failed", ["target", "size", "note"], rows)


def tables(document: Document) -> list[ReportTable]:
    """Every table of the report, in order (empty tables left out)."""
    found = [
        _goals_table(document),
        *_time_tables(document),
        _overhead_table(document),
        _ingest_table(document),
        _scaling_table(document),
        _spread_table(document),
        _jump_table(document),
        _plan_table(document),
        _resources_table(document),
        _rss_table(document),
        _storage_table(document),
        _notes_table(document),
    ]
    return [table for table in found if table.rows]


def print_report(document: Document, console: Console) -> None:
    """Show every table on ``console``."""
    for item in tables(document):
        table = Table(title=item.title, title_justify="left")
        for index, header in enumerate(item.headers):
            table.add_column(header, justify="left" if index == 0 else "right", overflow="fold")
        for row in item.rows:
            table.add_row(*row)
        console.print(table)


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def render_markdown(document: Document) -> str:
    """Every table as GitHub Markdown, each under a bold title."""
    parts = []
    for item in tables(document):
        lines = [f"**{item.title}**", ""]
        lines.append("| " + " | ".join(_escape(header) for header in item.headers) + " |")
        lines.append("|" + "|".join([" --- "] + [" ---: "] * (len(item.headers) - 1)) + "|")
        lines.extend("| " + " | ".join(_escape(cell) for cell in row) + " |" for row in item.rows)
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
