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
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

import click
from rich.console import Console
from rich.table import Table

__all__ = ["POSTGRES_ENV", "check", "default_targets", "resolve_target"]

POSTGRES_ENV: Final = "JIDO_PERSISTENCE_TEST_POSTGRES_URL"
"""PostgreSQL server URL the kit may create schemas in."""

LOCAL_POSTGRES: Final = "postgresql://postgres@127.0.0.1:5432/postgres"
ALWAYS: Final = ("memory", "tinydb", "duckdb", "sqlite")
POSTGRES_NAMES: Final = frozenset({"postgres", "postgresql"})


def _postgres_answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _with_unique_schema(url: str) -> str:
    if "schema=" in url:
        return url
    return url + ("&" if "?" in url else "?") + "schema={unique}"


def resolve_target(target: str) -> str:
    """The ``--persistence-url`` for a name or URL given to ``check``.

    ``postgres``/``postgresql`` become ``$JIDO_PERSISTENCE_TEST_POSTGRES_URL`` (or the
    local server) with ``schema={unique}``; other names and URLs are passed as they are
    (a bare name uses the adapter's ``fresh_store_url`` hook).
    """
    if target in POSTGRES_NAMES:
        return _with_unique_schema(os.environ.get(POSTGRES_ENV) or LOCAL_POSTGRES)
    return target


def default_targets() -> list[str]:
    """Every discovered adapter that can run here.

    memory, tinydb, duckdb and sqlite always (when installed); PostgreSQL only when
    ``JIDO_PERSISTENCE_TEST_POSTGRES_URL`` is set or a server answers on
    127.0.0.1:5432; other adapters when they offer a ``fresh_store_url`` hook.
    """
    from jido_persistence.errors import ConfigurationError
    from jido_persistence.registry import available_adapters

    targets: list[str] = []
    for info in available_adapters():
        if info.name in POSTGRES_NAMES:
            if os.environ.get(POSTGRES_ENV) or _postgres_answers():
                targets.append(info.name)
            continue
        if info.name in ALWAYS:
            targets.append(info.name)
            continue
        try:
            adapter = info.load()
        except ConfigurationError:
            continue
        if adapter.fresh_store_url(Path(tempfile.gettempdir()), "jp_probe") is not None:
            targets.append(info.name)
    return targets


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
    chosen = list(targets) or default_targets()
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
        done = subprocess.run(command, cwd=scratch, capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - started
        output = redact_text(done.stdout + done.stderr)
        report: dict[str, Any] = {}
        if report_file.exists():
            report = json.loads(report_file.read_text())
    if verbose or done.returncode != 0:
        lines = output.rstrip().splitlines()
        click.echo("\n".join(lines if verbose else lines[-80:]))
    if not report.get("runs"):
        raise click.ClickException(f"the kit did not run (pytest exit code {done.returncode})")
    console.print(_table(report, shown))
    console.print(f"total {elapsed:.1f}s; pytest exit code {done.returncode}", highlight=False)
    if done.returncode != 0:
        raise SystemExit(1)
