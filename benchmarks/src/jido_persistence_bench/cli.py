"""``jido-persistence bench``: measure adapters side by side and against their raw backends.

Loaded lazily by core's ``jido-persistence`` group through the entry-point group
``jido_persistence_cli``.  Each target at each size runs in a worker process of
its own (see :mod:`.worker`), so a crash or a timeout costs one figure, not the
run, and peak memory belongs to one store.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Final

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jido_persistence import PersistenceError
from jido_persistence.errors import redact_text
from jido_persistence_bench import results
from jido_persistence_bench.compare import compare, print_comparison
from jido_persistence_bench.report import print_report, render_markdown
from jido_persistence_bench.runner import Job, run_one
from jido_persistence_bench.targets import Target, default_targets, resolve_targets
from jido_persistence_bench.timing import Method
from jido_persistence_bench.worker import run_isolated

__all__ = ["DEFAULT_SIZES", "QUICK_METHOD", "QUICK_SIZES", "bench"]

DEFAULT_SIZES: Final = (1000, 10_000, 100_000)
"""Store sizes (messages) of a full run."""

QUICK_SIZES: Final = (100, 200)
"""Store sizes of ``--quick`` (the dataset needs at least one message per room)."""

QUICK_METHOD: Final = Method(rounds=2, warmup_calls=1, round_ns=1_000_000, min_calls=1, max_calls=5)
"""Timing of ``--quick``: enough to exercise every path, too little to mean anything."""


def _parse_sizes(
    _context: click.Context, _parameter: click.Parameter, value: str | None
) -> tuple[int, ...] | None:
    if value is None:
        return None
    try:
        sizes = tuple(sorted({int(item) for item in value.split(",") if item.strip()}))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of integers") from None
    if not sizes or sizes[0] < 100:
        raise click.BadParameter("sizes are at least 100 (one message per room)")
    return sizes


def _targets(
    names_or_urls: tuple[str, ...], console: Console
) -> tuple[list[Target], dict[str, str]]:
    try:
        if names_or_urls:
            return resolve_targets(names_or_urls), {}
        return default_targets()
    except PersistenceError as error:
        raise click.ClickException(redact_text(str(error))) from error


def _command_line() -> list[str]:
    """The command as typed (passwords masked), when it was run from a shell."""
    arguments = [redact_text(argument) for argument in sys.argv[1:]]
    if arguments[:1] == ["bench"]:
        return ["jido-persistence", *arguments]
    return ["jido-persistence", "bench", "(invoked from Python)"]


def _load(path: Path) -> results.Document:
    try:
        return results.load(path)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"cannot read {path}: {error}") from error


def _write_outputs(
    document: results.Document,
    console: Console,
    json_path: Path | None,
    markdown_path: Path | None,
    plot_path: Path | None,
) -> None:
    """Print the report tables and write the files asked for."""
    print_report(document, console)
    if json_path is not None:
        results.save(document, json_path)
        console.print(f"figures written to {json_path}")
    if markdown_path is not None:
        markdown_path.parent.mkdir(parents=True, exist_ok=True)
        markdown_path.write_text(render_markdown(document), encoding="utf-8")
        console.print(f"tables written to {markdown_path}")
    if plot_path is not None:
        from jido_persistence_bench.plot import plot

        plot(document, plot_path)
        console.print(f"plot written to {plot_path}")


@click.command("bench")
@click.argument("targets", nargs=-1, metavar="[NAME_OR_URL]...")
@click.option(
    "--sizes",
    callback=_parse_sizes,
    help="Store sizes in messages, comma-separated [default: 1000,10000,100000].",
)
@click.option(
    "--rounds", type=click.IntRange(1), help="Measured rounds per operation [default: 15]."
)
@click.option(
    "--round-ms", type=click.FloatRange(0.1), help="Time one round aims at, in ms [default: 5]."
)
@click.option(
    "--quick", is_flag=True, help="Tiny sizes and few rounds: tests the harness, measures nothing."
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every figure to this JSON file (updated after each store).",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Draw time per call against size into this PNG file.",
)
@click.option(
    "--markdown",
    "markdown_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report's tables as Markdown to this file.",
)
@click.option(
    "--compare",
    "compare_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Show what got faster or slower than this earlier JSON file.",
)
@click.option(
    "--against",
    "against_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --compare: compare this JSON file instead of running anything.",
)
@click.option(
    "--from",
    "from_paths",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Run nothing: report these JSON files merged (a later file's run replaces the "
    "same adapter and size), and write --json/--markdown/--plot from them.  Repeatable.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0),
    default=0.1,
    show_default=True,
    help="Relative change --compare treats as noise.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1),
    default=1800.0,
    show_default=True,
    help="Seconds one store may take before its worker is stopped.",
)
@click.option(
    "--build-budget",
    type=click.FloatRange(1),
    help="Skip a store whose build is projected (from its first 2%) to take longer, in s.",
)
@click.option(
    "--in-process",
    is_flag=True,
    help="Run in this process (debugging; peak memory is then shared).",
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="Seed of the random choice of ids and keys.",
)
def bench(
    targets: tuple[str, ...],
    sizes: tuple[int, ...] | None,
    rounds: int | None,
    round_ms: float | None,
    quick: bool,
    json_path: Path | None,
    plot_path: Path | None,
    markdown_path: Path | None,
    compare_path: Path | None,
    against_path: Path | None,
    from_paths: tuple[Path, ...],
    threshold: float,
    timeout: float,
    build_budget: float | None,
    in_process: bool,
    seed: int,
) -> None:
    """Benchmark adapters on one chat workload, side by side and against their raw backends.

    NAME_OR_URL is an adapter name (memory, tinydb, sqlite, duckdb, postgres) or a store URL,
    where {tmp} becomes a fresh temporary directory and {unique} a fresh name.  By
    default every discovered adapter that can run here is measured (PostgreSQL when
    JIDO_PERSISTENCE_TEST_POSTGRES_URL is set).  The memory adapter is always
    measured, as the floor of every figure.
    """
    console = Console()
    old = None if compare_path is None else _load(compare_path)
    if against_path is not None:
        if old is None:
            raise click.UsageError("--against needs --compare OLD.json")
        print_comparison(compare(old, _load(against_path)), console, threshold=threshold)
        return
    if from_paths:
        if targets:
            raise click.UsageError("--from reports saved runs; give no NAME_OR_URL with it")
        document = results.merge([_load(path) for path in from_paths])
        _write_outputs(document, console, json_path, markdown_path, plot_path)
        if old is not None:
            print_comparison(compare(old, document), console, threshold=threshold)
        return
    chosen, skipped = _targets(targets, console)
    method = QUICK_METHOD if quick else Method()
    if rounds is not None:
        method = Method(
            rounds, method.warmup_calls, method.round_ns, method.min_calls, method.max_calls
        )
    if round_ms is not None:
        method = Method(
            method.rounds,
            method.warmup_calls,
            int(round_ms * 1e6),
            method.min_calls,
            method.max_calls,
        )
    run_sizes = sizes or (QUICK_SIZES if quick else DEFAULT_SIZES)
    parameters = {
        "targets": [target.public_json() for target in chosen],
        "sizes": list(run_sizes),
        "method": {**Job(chosen[0], 0, method).to_json()["method"]},
        "quick": quick,
        "isolated": not in_process,
        "timeout_seconds": timeout,
        "build_budget_seconds": build_budget,
        "seed": seed,
    }
    document = results.new_document(_command_line(), parameters, skipped)
    for name, reason in skipped.items():
        console.print(f"[yellow]not measured:[/] {name}: {reason}", highlight=False)
    jobs = [
        Job(target, size, method, seed, build_budget) for size in run_sizes for target in chosen
    ]
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("starting", total=len(jobs))
        for job in jobs:
            label = f"{job.target.label} @ {job.size:,}"

            def step(text: str, label: str = label) -> None:
                progress.update(task, description=f"{label}: {text}")

            started = time.perf_counter()
            load_before = results.load_average()
            record = run_one(job, step) if in_process else run_isolated(job, step, timeout)
            record["load_average"] = {"start": load_before, "end": results.load_average()}
            document["runs"].append(record)
            elapsed = time.perf_counter() - started
            if record["status"] == "ok":
                progress.console.print(
                    f"{label}: measured in {elapsed:.0f} s "
                    f"(store built in {record['build_seconds']:.1f} s, not counted)",
                    highlight=False,
                )
            else:
                progress.console.print(
                    f"[red]{label} {record['status']}:[/] {record['error']}", highlight=False
                )
            if json_path is not None:
                results.save(document, json_path)
            progress.advance(task)
        progress.update(task, description="done")
    _write_outputs(document, console, json_path, markdown_path, plot_path)
    if old is not None:
        print_comparison(compare(old, document), console, threshold=threshold)
