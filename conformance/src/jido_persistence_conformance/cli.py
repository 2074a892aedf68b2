"""``jido-persistence check``: run the conformance kit on adapters and print one table.

Registered in the entry-point group ``jido_persistence_cli``, so the core's
``jido-persistence`` command shows it.  The kit runs through pytest in a subprocess
(``python -m pytest -p jido_persistence_conformance --persistence-url ...``) in a
scratch directory, so the project's own pytest configuration and conftest files do
not take part; the JSON report of that run feeds the table.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

__all__ = ["POSTGRES_ENV", "POSTGRES_HINT", "check", "default_targets", "resolve_target"]

POSTGRES_ENV: Final = "JIDO_PERSISTENCE_TEST_POSTGRES_URL"
"""PostgreSQL server URL the kit may create schemas in."""

ALWAYS: Final = ("memory", "tinydb", "duckdb", "sqlite")
POSTGRES_NAMES: Final = frozenset({"postgres", "postgresql"})
POSTGRES_HINT: Final = (
    f"set {POSTGRES_ENV}=postgresql://USER@HOST:PORT/DATABASE (a database the kit may "
    "create schemas in) to check PostgreSQL"
)
"""The one rule, shared with ``uv run pytest``: PostgreSQL is checked when, and only
when, :data:`POSTGRES_ENV` names a server; nothing probes for one."""


def _with_unique_schema(url: str) -> str:
    if "schema=" in url:
        return url
    return url + ("&" if "?" in url else "?") + "schema={unique}"


def resolve_target(target: str) -> str:
    """The ``--persistence-url`` for a name or URL given to ``check``.

    ``postgres``/``postgresql`` become ``$JIDO_PERSISTENCE_TEST_POSTGRES_URL`` with
    ``schema={unique}`` (a ClickException saying what to set when it is not set);
    other names and URLs are passed as they are (a bare name uses the adapter's
    ``fresh_store_url`` hook).
    """
    if target in POSTGRES_NAMES:
        url = os.environ.get(POSTGRES_ENV)
        if not url:
            raise click.ClickException(f"cannot check {target}: {POSTGRES_HINT}")
        return _with_unique_schema(url)
    return target


def default_targets() -> list[str]:
    """Every discovered adapter that can run here.

    memory, tinydb, duckdb and sqlite always (when installed); PostgreSQL only when
    ``JIDO_PERSISTENCE_TEST_POSTGRES_URL`` is set (the rule ``uv run pytest`` follows
    too); other adapters when they offer a ``fresh_store_url`` hook.
    """
    return [name for name, reason in _default_choice() if reason is None]


def _default_choice() -> list[tuple[str, str | None]]:
    """Each discovered adapter with ``None`` when it runs by default, else why not."""
    from jido_persistence.errors import ConfigurationError
    from jido_persistence.registry import available_adapters

    chosen: list[tuple[str, str | None]] = []
    for info in available_adapters():
        if info.name in POSTGRES_NAMES:
            chosen.append((info.name, None if os.environ.get(POSTGRES_ENV) else POSTGRES_HINT))
            continue
        if info.name in ALWAYS:
            chosen.append((info.name, None))
            continue
        try:
            adapter = info.load()
        except ConfigurationError as error:
            chosen.append((info.name, f"it failed to load: {error}"))
            continue
        if adapter.fresh_store_url(Path(tempfile.gettempdir()), "jp_probe") is None:
            chosen.append((info.name, "it offers no fresh_store_url hook: name a URL"))
        else:
            chosen.append((info.name, None))
    return chosen


def _pytest_command(
    urls: list[str], report: Path, ini: Path, strict: bool, keyword: str | None
) -> list[str]:
    command = [sys.executable, "-m", "pytest", "-c", str(ini), "-p", "jido_persistence_conformance"]
    command += ["-p", "no:cacheprovider", "-q", "-rfE", "--persistence-report", str(report)]
    for url in urls:
        command += ["--persistence-url", url]
    if strict:
        command.append("--persistence-strict")
    if keyword:
        command += ["-k", keyword]
    return command


_PERCENT: Final = re.compile(r"\[\s*(\d{1,3})%\]\s*$")


def _run_with_progress(command: list[str], cwd: str, console: Console) -> tuple[int, str]:
    """Run pytest, showing its progress (the ``[ 42%]`` of each line) as a bar.

    Returns the exit code and the whole output (stdout and stderr).
    """
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    lines: list[str] = []
    columns = (
        TextColumn("kit tests"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
    )
    with (
        Progress(*columns, console=console, transient=True) as progress,
        subprocess.Popen(
            command,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
        ) as child,
    ):
        task = progress.add_task("kit", total=100)
        assert child.stdout is not None
        for line in child.stdout:
            lines.append(line)
            match = _PERCENT.search(line)
            if match:
                progress.update(task, completed=min(int(match.group(1)), 100), refresh=True)
        returncode = child.wait()
    return returncode, "".join(lines)


def _table(report: dict[str, Any], shown: dict[str, str]) -> Table:
    table = Table(title="jido-persistence conformance")
    for column in ("adapter", "passed", "failed", "skipped", "xfailed", "n/a", "duration"):
        table.add_column(column, justify="left" if column == "adapter" else "right")
    for run in report.get("runs", []):
        summary = run["summary"]
        duration = sum(test["duration"] for test in run["tests"])
        failed = summary.get("failed", 0)
        table.add_row(
            shown.get(run["run"], run["run"]),
            str(summary.get("passed", 0)),
            f"[red]{failed}[/]" if failed else "0",
            str(summary.get("skipped", 0)),
            str(summary.get("xfailed", 0)),
            str(summary.get("not_applicable", 0)),
            f"{duration:.1f}s",
        )
    return table


def _area_table(run: dict[str, Any], shown: str) -> Table:
    """One run's tests by area, with the reasons for n/a and skips as the caption."""
    from collections import Counter

    from jido_persistence_conformance._report import NOT_APPLICABLE_NOTE
    from jido_persistence_conformance.suite import AREAS

    areas: dict[str, Counter[str]] = {}
    reasons: Counter[tuple[str, str]] = Counter()
    for test in run["tests"]:
        if test["outcome"] == "deselected":
            continue
        areas.setdefault(test["area"], Counter())[test["outcome"]] += 1
        if test["outcome"] in ("skipped", "not_applicable"):
            label = "n/a" if test["outcome"] == "not_applicable" else "skipped"
            reasons[(label, str(test["reason"]))] += 1
    caption = [f"{label} x{count}: {reason}" for (label, reason), count in sorted(reasons.items())]
    if any(label == "n/a" for label, _ in reasons):
        caption.append(NOT_APPLICABLE_NOTE)
    table = Table(
        title=f"{shown} by area", caption="\n".join(caption) or None, caption_justify="left"
    )
    for column in ("area", "passed", "failed", "skipped", "xfailed", "n/a"):
        table.add_column(column, justify="left" if column == "area" else "right")
    order = {area: index for index, area in enumerate(AREAS)}
    for area, counts in sorted(areas.items(), key=lambda item: order.get(item[0], len(order))):
        failed = counts["failed"]
        table.add_row(
            area,
            str(counts["passed"]),
            f"[red]{failed}[/]" if failed else "0",
            str(counts["skipped"]),
            str(counts["xfailed"]),
            str(counts["not_applicable"]),
        )
    return table


@click.command("check")
@click.argument("targets", nargs=-1, metavar="[NAME_OR_URL]...")
@click.option("--strict", is_flag=True, help="Fail when any kit test was skipped.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the kit's JSON report to this file.",
)
@click.option("-k", "keyword", default=None, help="Only run kit tests matching this expression.")
@click.option("--verbose", "-v", is_flag=True, help="Show pytest's whole output.")
def check(
    targets: tuple[str, ...],
    strict: bool,
    report_path: Path | None,
    keyword: str | None,
    verbose: bool,
) -> None:
    """Run the conformance kit on adapters (default: every one that can run here).

    NAME_OR_URL is an adapter name (``tinydb``) or a store URL, which may hold
    ``{tmp}`` and ``{unique}`` (``"duckdb:////{tmp}/kit.duckdb"``).  Prints one row per
    adapter and exits non-zero when any kit test failed.
    """
    from jido_persistence.errors import redact_text, redact_url

    console = Console()
    if targets:
        chosen = list(targets)
    else:
        choice = _default_choice()
        chosen = [name for name, reason in choice if reason is None]
        for name, reason in choice:
            if reason is not None:
                console.print(f"not checking {name}: {reason}", highlight=False)
    if not chosen:
        raise click.ClickException("no adapter to check: none is installed")
    urls = [resolve_target(target) for target in chosen]
    shown = {url: redact_url(target) for url, target in zip(urls, chosen, strict=True)}
    with tempfile.TemporaryDirectory(prefix="jido_persistence_check_") as scratch:
        ini = Path(scratch, "pytest.ini")
        ini.write_text("[pytest]\n")
        # pytest runs in the scratch directory: a relative --report is the caller's.
        report_file = report_path.resolve() if report_path else Path(scratch, "report.json")
        command = _pytest_command(urls, report_file, ini, strict, keyword)
        console.print(f"checking {', '.join(shown.values())} ...", highlight=False)
        started = time.monotonic()
        returncode, raw_output = _run_with_progress(command, scratch, console)
        elapsed = time.monotonic() - started
        output = redact_text(raw_output)
        report: dict[str, Any] = {}
        if report_file.exists():
            report = json.loads(report_file.read_text())
    if verbose or returncode != 0:
        lines = output.rstrip().splitlines()
        click.echo("\n".join(lines if verbose else lines[-80:]))
    if not report.get("runs"):
        raise click.ClickException(f"the kit did not run (pytest exit code {returncode})")
    for run in report["runs"]:
        console.print(_area_table(run, shown.get(run["run"], run["run"])))
    console.print(_table(report, shown))
    console.print(f"total {elapsed:.1f}s; pytest exit code {returncode}", highlight=False)
    if returncode != 0:
        raise SystemExit(1)
