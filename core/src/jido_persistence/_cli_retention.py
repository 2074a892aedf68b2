"""The ``prune`` and ``erase`` subcommands of ``jido-persistence`` (retention, contract 9.3).

``prune URL --older-than 90d --keep-last 10000 [--room ID ...] [--dry-run] [--json]``
runs :func:`jido_persistence.retention.prune` with a progress bar on stderr (one step per
room) and prints what was removed; ``erase URL PARTICIPANT_ID [--redact] [--json]``
runs ``erase_participant`` and prints its counts.  Both exit 1 with the reason when
the store cannot be opened, lacks the retention group, or a callback fails.
Registered on the group by :mod:`jido_persistence.cli`.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Final, Literal

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jido_persistence import registry
from jido_persistence.errors import PersistenceError, redact_text, redact_url
from jido_persistence.models import Erasure
from jido_persistence.retention import PruneProgress, PruneReport, prune

__all__ = ["erase_command", "parse_duration", "prune_command"]

_UNITS: Final = {"w": 7 * 86_400, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
_DURATION: Final = re.compile(r"(?:(\d+)([wdhms]))")
ROOMS_SHOWN: Final = 20
"""Rooms listed in the text report (the largest removals first); ``--json`` lists all."""


def parse_duration(text: str) -> timedelta:
    """``90d``, ``12h``, ``2w3d``, ``30m``, ``45s`` as a timedelta.

    Raises click.BadParameter for anything else (no unit, a negative or fractional
    number, an unknown unit).
    """
    cleaned = text.strip().lower()
    parts = _DURATION.findall(cleaned)
    if not cleaned or "".join(number + unit for number, unit in parts) != cleaned:
        raise click.BadParameter(
            f"{text!r} is not a duration: use a number and a unit w, d, h, m or s "
            "(such as 90d, 12h or 2w3d)"
        )
    return timedelta(seconds=sum(int(number) * _UNITS[unit] for number, unit in parts))


class _Duration(click.ParamType[timedelta]):
    name = "duration"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> timedelta:
        if isinstance(value, timedelta):
            return value
        try:
            return parse_duration(str(value))
        except click.BadParameter as exc:
            self.fail(str(exc), param, ctx)


def _report_record(report: PruneReport) -> dict[str, object]:
    return {
        "dry_run": report.dry_run,
        "rooms": report.rooms,
        "messages": report.messages,
        "cut": None if report.cut is None else report.cut.isoformat(),
        "keep_last": report.keep_last,
        "by_room": report.by_room,
    }


@click.command("prune")
@click.argument("url")
@click.option("--older-than", type=_Duration(), help="Remove messages older than this (90d, 12h).")
@click.option(
    "--keep-last", type=click.IntRange(min=0), help="Keep only the newest N messages per room."
)
@click.option("--room", "rooms", multiple=True, help="Prune only this room (repeatable).")
@click.option("--dry-run", is_flag=True, help="Report what would be removed; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def prune_command(
    url: str,
    older_than: timedelta | None,
    keep_last: int | None,
    rooms: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
) -> None:
    """Remove old messages from every room of the store at URL (or the --room ones).

    Each limit given is enforced: afterwards no room holds a message older than
    --older-than (messages without a timestamp count as older than any), nor more
    than --keep-last messages.  Safe to re-run; run it from cron or a systemd timer.
    """
    if older_than is None and keep_last is None:
        raise click.UsageError("give --older-than, --keep-last or both")
    shown = redact_url(url)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with registry.open_store(url) as store:
            stderr = Console(stderr=True)
            with Progress(*columns, TimeElapsedColumn(), console=stderr, transient=True) as bar:
                task = bar.add_task("pruning rooms", total=None)

                def step(event: PruneProgress) -> None:
                    bar.update(task, completed=event.done, total=event.total)

                report = prune(store, older_than, keep_last, rooms or None, dry_run, progress=step)
    except PersistenceError as exc:
        raise click.ClickException(f"cannot prune {shown}: {redact_text(str(exc))}") from exc
    if as_json:
        click.echo(json.dumps(_report_record(report), sort_keys=True))
        return
    _print_prune_report(Console(), shown, report)


def _print_prune_report(console: Console, shown: str, report: PruneReport) -> None:
    verb = "would remove" if report.dry_run else "removed"
    limits = []
    if report.cut is not None:
        limits.append(f"older than {report.cut.isoformat()}")
    if report.keep_last is not None:
        limits.append(f"beyond the newest {report.keep_last} per room")
    console.print(
        f"{shown}: {verb} {report.messages} message(s) {' or '.join(limits)} "
        f"in {len(report.by_room)} of {report.rooms} room(s)"
        + (" (dry run: nothing was changed)" if report.dry_run else ""),
        highlight=False,
        soft_wrap=True,
    )
    if not report.by_room:
        return
    table = Table()
    table.add_column("room")
    table.add_column("messages", justify="right")
    largest = sorted(report.by_room.items(), key=lambda item: (-item[1], item[0]))
    for room_id, count in largest[:ROOMS_SHOWN]:
        table.add_row(room_id, str(count))
    console.print(table)
    if len(largest) > ROOMS_SHOWN:
        console.print(
            f"... and {len(largest) - ROOMS_SHOWN} more room(s)", highlight=False, soft_wrap=True
        )


@click.command("erase")
@click.argument("url")
@click.argument("participant_id")
@click.option(
    "--redact",
    is_flag=True,
    help="Keep the messages' places (ids, rooms, threads, timestamps) but empty them.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def erase_command(url: str, participant_id: str, redact: bool, as_json: bool) -> None:
    """Erase PARTICIPANT_ID from the store at URL: its record, its external-id keys and
    every message it sent, in every room (deleted, or emptied with --redact).

    Atomic and safe to re-run: a second run erases nothing and reports zeros.
    """
    shown = redact_url(url)
    mode: Literal["delete", "redact"] = "redact" if redact else "delete"
    try:
        status = Console(stderr=True).status(f"erasing {participant_id!r} from {shown}")
        with registry.open_store(url) as store, status:
            erasure = store.erase_participant(participant_id, messages=mode)
    except PersistenceError as exc:
        raise click.ClickException(
            f"cannot erase {participant_id!r} from {shown}: {redact_text(str(exc))}"
        ) from exc
    if as_json:
        click.echo(json.dumps({"mode": mode, **erasure.model_dump()}, sort_keys=True))
        return
    _print_erasure(Console(), shown, participant_id, mode, erasure)


def _print_erasure(
    console: Console, shown: str, participant_id: str, mode: str, erasure: Erasure
) -> None:
    verb = "redacted" if mode == "redact" else "deleted"
    console.print(
        f"{shown}: erased {participant_id!r}: {erasure.participants} participant record(s), "
        f"{erasure.keys} external-id key(s), {erasure.messages} message(s) {verb}",
        highlight=False,
        soft_wrap=True,
    )
    if not (erasure.participants or erasure.keys or erasure.messages):
        console.print(
            "nothing held this participant (already erased?)", highlight=False, soft_wrap=True
        )
