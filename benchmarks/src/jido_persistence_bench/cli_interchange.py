"""``jido-persistence bench-interchange``: bulk export and import against raw bulk paths.

Loaded lazily by core's ``jido-persistence`` group through the entry-point group
``jido_persistence_cli``.  Runs :func:`~.interchange.bench_bulk` on every bundled
adapter that can run here (or the TARGETS given) and prints one table; ``--rss N`` then
measures the peak RSS of importing and exporting an N-message store, each phase in a
process of its own (:func:`~.interchange.peak_rss`; durable stores only: a memory store
does not outlive its process).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from jido_persistence import PersistenceError
from jido_persistence.errors import redact_text
from jido_persistence.registry import get_adapter
from jido_persistence_bench.bulk_raw import BULK_BASELINE_OF
from jido_persistence_bench.interchange import GOAL, ROUNDS, BulkFigure, bench_bulk, peak_rss
from jido_persistence_bench.targets import Target, default_targets, resolve_targets, store_url

__all__ = ["bench_interchange", "render_markdown"]

_MIB = 2**20
_LEFT = ("target", "phase", "raw baseline")


def _rows(figure: BulkFigure) -> list[list[str]]:
    rows = []
    for phase in ("import", "export"):
        whole = figure.ratio(phase)
        alone = figure.ratio(phase, messages_only=True)
        rows.append(
            [
                figure.target,
                phase,
                f"{figure.records:,}",
                f"{figure.rate(phase):,.0f}",
                f"x{whole:.2f}",
                f"{figure.rate('message_' + phase):,.0f}",
                figure.raw,
                f"{figure.rate('raw_' + phase):,.0f}",
                f"x{alone:.2f}" + ("" if alone <= GOAL else " OVER"),
            ]
        )
    return rows


_HEADERS = (
    "target",
    "phase",
    "records",
    "records/s",
    "all records / raw",
    "messages/s",
    "raw baseline",
    "raw rows/s",
    "messages / raw",
)


def render_markdown(figures: list[BulkFigure], rss: list[dict[str, Any]]) -> str:
    """The figures as Markdown tables (rates and ratios; peak RSS when measured)."""
    lines = [
        "| " + " | ".join(_HEADERS) + " |",
        "| --- | --- |" + " ---: |" * 4 + " --- |" + " ---: |" * 2,
    ]
    for figure in figures:
        lines += ["| " + " | ".join(row) + " |" for row in _rows(figure)]
    if rss:
        lines += [
            "",
            "| target | phase | messages | records | seconds | RSS before MiB | peak RSS MiB |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {item['target']} | {item['phase']} | {item['messages']:,} | "
            f"{item['records']:,} | {item['seconds']:,.1f} | "
            f"{item['rss_before_bytes'] / _MIB:,.0f} | {item['peak_rss_bytes'] / _MIB:,.0f} |"
            for item in rss
        ]
    return "\n".join(lines) + "\n"


def _rss_table(rss: list[dict[str, Any]]) -> Table:
    table = Table(title="peak RSS of one phase, each in a process of its own")
    for header in ("target", "phase", "messages", "records", "seconds", "peak RSS MiB"):
        table.add_column(header, justify="left" if header in ("target", "phase") else "right")
    for item in rss:
        table.add_row(
            item["target"],
            item["phase"],
            f"{item['messages']:,}",
            f"{item['records']:,}",
            f"{item['seconds']:,.1f}",
            f"{item['peak_rss_bytes'] / _MIB:,.0f}",
        )
    return table


def _rss_of(target: Target, messages: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="jido-bench-rss-") as name:
        url = store_url(target, Path(name), "jp_bench_rss")
        try:
            return [
                {"target": target.label, **peak_rss(phase, url, messages)}
                for phase in ("import", "export")
            ]
        finally:
            get_adapter(target.adapter).load().destroy_store(url)


@click.command("bench-interchange")
@click.argument("targets", nargs=-1, metavar="[NAME_OR_URL]...")
@click.option(
    "--messages",
    type=click.IntRange(min=100),
    default=100_000,
    show_default=True,
    help="Messages in the dataset imported and exported.",
)
@click.option("--rounds", type=click.IntRange(min=1), default=ROUNDS, show_default=True)
@click.option(
    "--rss",
    "rss_messages",
    type=click.IntRange(min=0),
    default=0,
    help="Also measure the peak RSS of importing and exporting this many messages.",
)
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write figures here.")
@click.option("--markdown", type=click.Path(path_type=Path), help="Write the tables here.")
def bench_interchange(
    targets: tuple[str, ...],
    messages: int,
    rounds: int,
    rss_messages: int,
    json_path: Path | None,
    markdown: Path | None,
) -> None:
    """Time import_records and export_records against each backend's raw bulk path
    (COPY, the DuckDB Appender, executemany, TinyDB's insert_multiple, a dict build) on
    the bundled adapters that can run here."""
    try:
        chosen = resolve_targets(targets) if targets else default_targets()[0]
        if targets and not any(":" not in item and item == "memory" for item in targets):
            # resolve_targets adds the memory floor; here each target has its own raw
            # baseline, so only the targets named are run.
            chosen = [target for target in chosen if target.adapter != "memory"]
    except PersistenceError as error:
        raise click.ClickException(redact_text(str(error))) from error
    chosen = [target for target in chosen if target.adapter in BULK_BASELINE_OF]
    if not chosen:
        raise click.ClickException(
            "no target with a raw bulk baseline: give memory, tinydb, sqlite, duckdb or postgres"
        )
    console = Console(stderr=True)
    figures: list[BulkFigure] = []
    rss: list[dict[str, Any]] = []
    for target in chosen:
        with console.status(f"{target.label}: {rounds} rounds of {messages:,} messages"):
            figures.append(bench_bulk(target, messages, rounds))
        if rss_messages and get_adapter(target.adapter).load().durable:
            with console.status(f"{target.label}: peak RSS at {rss_messages:,} messages"):
                rss.extend(_rss_of(target, rss_messages))
    table = Table(title=f"bulk import and export of {messages:,} messages, against raw bulk")
    for header in _HEADERS:
        table.add_column(header, justify="left" if header in _LEFT else "right")
    for figure in figures:
        for row in _rows(figure):
            table.add_row(*row)
    Console().print(table)
    if rss:
        Console().print(_rss_table(rss))
    if json_path is not None:
        payload = {"figures": [figure.to_json() for figure in figures], "rss": rss}
        json_path.write_text(json.dumps(payload, indent=2) + "\n")
    if markdown is not None:
        markdown.write_text(render_markdown(figures, rss))
