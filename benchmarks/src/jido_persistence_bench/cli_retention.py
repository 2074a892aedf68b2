"""``jido-persistence bench-retention``: the retention benchmarks of :mod:`.retention`.

Loaded lazily by core's ``jido-persistence`` group through the entry-point group
``jido_persistence_cli``.  Prints one table per workload (and ``--json FILE`` writes
every figure); each target's stores are built and destroyed in turn.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from jido_persistence import PersistenceError
from jido_persistence.errors import redact_text
from jido_persistence_bench.retention import (
    ERASE_ROOMS,
    RetentionFigure,
    bench_delete_oldest,
    bench_erase_scaling,
)
from jido_persistence_bench.targets import Target, default_targets, resolve_targets

__all__ = ["bench_retention", "render_markdown"]


def _ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:,.1f}" if seconds else "-"


def render_markdown(figures: list[RetentionFigure]) -> str:
    """The figures as two Markdown tables (delete against raw; erase by store size)."""
    lines = [
        "| target | raw baseline | messages deleted per call | adapter ms | raw ms | ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for figure in figures:
        if figure.workload.startswith("delete"):
            ratio = "-" if figure.ratio is None else f"{figure.ratio:.2f}"
            lines.append(
                f"| {figure.target} | {figure.raw or '-'} | {figure.size // 10:,} of "
                f"{figure.size:,} | {_ms(figure.seconds)} | {_ms(figure.raw_seconds)} | {ratio} |"
            )
    lines += [
        "",
        "| target | mode | rooms in store | erase ms (median) | ratio to smallest store |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for figure in figures:
        if figure.workload.startswith("erase"):
            mode = figure.workload.removeprefix("erase (").rstrip(")")
            ratio = "-" if figure.ratio is None else f"{figure.ratio:.2f}"
            lines.append(
                f"| {figure.target} | {mode} | {figure.size:,} | {_ms(figure.seconds)} | {ratio} |"
            )
    return "\n".join(lines) + "\n"


def _print(console: Console, figures: list[RetentionFigure]) -> None:
    table = Table(title="delete_messages: oldest 10% of one room, against the raw DELETE")
    for column in ("target", "raw", "deleted per call", "adapter ms", "raw ms", "ratio"):
        table.add_column(column, justify="left" if column in ("target", "raw") else "right")
    erase = Table(title="erase_participant: 1,000 messages over 100 rooms, by store size")
    for column in ("target", "mode", "rooms in store", "erase ms", "ratio to smallest"):
        erase.add_column(column, justify="left" if column in ("target", "mode") else "right")
    for figure in figures:
        ratio = "-" if figure.ratio is None else f"{figure.ratio:.2f}"
        if figure.workload.startswith("delete"):
            table.add_row(
                figure.target,
                figure.raw or "-",
                f"{figure.size // 10:,}",
                _ms(figure.seconds),
                _ms(figure.raw_seconds),
                ratio,
            )
        else:
            mode = figure.workload.removeprefix("erase (").rstrip(")")
            erase.add_row(figure.target, mode, f"{figure.size:,}", _ms(figure.seconds), ratio)
    console.print(table)
    console.print(erase)


@click.command("bench-retention")
@click.argument("targets", nargs=-1, metavar="[NAME_OR_URL]...")
@click.option(
    "--room-size",
    type=click.IntRange(min=100),
    default=100_000,
    show_default=True,
    help="Messages in the room whose oldest 10% is deleted.",
)
@click.option(
    "--rooms",
    default=",".join(str(count) for count in ERASE_ROOMS),
    show_default=True,
    help="Comma-separated store sizes (rooms) of the erase-scaling workload.",
)
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write figures here.")
@click.option("--markdown", type=click.Path(path_type=Path), help="Write the tables here.")
def bench_retention(
    targets: tuple[str, ...],
    room_size: int,
    rooms: str,
    json_path: Path | None,
    markdown: Path | None,
) -> None:
    """Time delete_messages against the raw backend's DELETE, and erase_participant as the
    store grows, on every adapter that can run here (or the TARGETS given)."""
    try:
        sizes = tuple(sorted({int(item) for item in rooms.split(",") if item.strip()}))
    except ValueError:
        raise click.BadParameter(
            f"{rooms!r} is not a list of integers", param_hint="--rooms"
        ) from None
    if not sizes or sizes[0] < 100:
        raise click.BadParameter("store sizes are at least 100 rooms", param_hint="--rooms")
    try:
        chosen: list[Target] = resolve_targets(targets) if targets else default_targets()[0]
    except PersistenceError as error:
        raise click.ClickException(redact_text(str(error))) from error
    console = Console(stderr=True)
    figures: list[RetentionFigure] = []
    for target in chosen:
        with console.status(f"{target.label}: delete oldest 10% of {room_size:,} messages"):
            figures.append(bench_delete_oldest(target, room_size))
        with console.status(f"{target.label}: erase in stores of {rooms} rooms"):
            figures.extend(bench_erase_scaling(target, sizes))
    _print(Console(), figures)
    if json_path is not None:
        json_path.write_text(json.dumps([f.to_json() for f in figures], indent=2) + "\n")
    if markdown is not None:
        markdown.write_text(render_markdown(figures))
