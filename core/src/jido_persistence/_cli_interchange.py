"""The ``export``, ``import`` and ``copy`` subcommands of ``jido-persistence`` (contract 9.2).

``export URL FILE`` writes the store's records as an interchange file
(:mod:`jido_persistence.interchange`), ``import URL FILE`` reads one into an empty
store, and ``copy SOURCE TARGET`` pipes one store into another
(:func:`jido_persistence.copy.copy_store`).  Each shows a progress bar on stderr and
ends with a table of the records by kind.  Exit codes a script can trust:

- ``0``: done (and, with ``--verify``, verified);
- ``1``: nothing was done, or the target was left as it was: a store that cannot be
  opened, a missing source, a non-empty target without ``--into-nonempty``, a damaged
  or newer file (named with its line), a callback failing (an import is all or
  nothing, so the target is still empty); only a merge (``--into-nonempty``) that fails
  may leave part of it written;
- ``2``: a usage error (click's);
- ``3``: the data was written, but ``--verify`` found the target's export differing
  from what was sent (the differing kinds are printed).

Registered on the group by :mod:`jido_persistence.cli`.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Final

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from jido_persistence import registry
from jido_persistence._which import missing_store_file, store_options
from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.copy import (
    CopyProgress,
    CopyReport,
    TargetNotEmpty,
    copy_store,
    first_record,
    merge_records,
)
from jido_persistence.errors import PersistenceError, redact_text, redact_url
from jido_persistence.interchange import KindDigests, read_export, write_export
from jido_persistence.interchange import without_credentials as without_credentials_of
from jido_persistence.records import RECORD_KINDS, Record

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_VERIFY_FAILED",
    "copy_command",
    "export_command",
    "import_command",
]

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_VERIFY_FAILED: Final = 3
NOT_COPIED_SHOWN: Final = 20


def _fail(message: str) -> click.ClickException:
    return click.ClickException(redact_text(message))


def _refuse_missing(url: str, what: str, role: str = "the store") -> str:
    """The adapter name of ``url``; exit 1 when its store is a file that is not there."""
    try:
        info, options = store_options(url)
    except PersistenceError as exc:
        raise _fail(f"{what}: {exc}") from exc
    missing = missing_store_file(options)
    if missing is not None:
        raise _fail(
            f"{what}: {role} does not exist ({missing} is not there; check the path and "
            "the number of slashes); nothing was created"
        )
    return info.name


@contextlib.contextmanager
def _bar(label: str) -> Iterator[Callable[[int], None]]:
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} records"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task(label, total=None)
        yield lambda done: progress.update(task, completed=done)


def _counted(records: Iterable[Record], step: Callable[[int], None]) -> Iterator[Record]:
    done = 0
    for done, record in enumerate(records, 1):
        yield record
        if done % 1000 == 0:
            step(done)
    step(done)


def _print_counts(console: Console, title: str, counts: Mapping[str, int]) -> None:
    table = Table(title=title)
    table.add_column("kind")
    table.add_column("records", justify="right")
    for kind in RECORD_KINDS:
        if counts.get(kind):
            table.add_row(kind.replace("_", " "), f"{counts[kind]:,}")
    table.add_row("total", f"{sum(counts.values()):,}")
    console.print(table)


def _print_verification(console: Console, differences: list[str]) -> None:
    if not differences:
        console.print("verified: the target's export matches, kind by kind", highlight=False)
        return
    for difference in differences:
        console.print(f"[red]differs:[/] {difference}", highlight=False)
    raise SystemExit(EXIT_VERIFY_FAILED)


@click.command("export")
@click.argument("url")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--without-credentials", is_flag=True, help="Write bridge configs without credentials."
)
@click.option("--overwrite", is_flag=True, help="Replace FILE when it exists.")
def export_command(url: str, file: Path, without_credentials: bool, overwrite: bool) -> None:
    """Write every record of the store at URL to FILE (JSON Lines, created 0600).

    The file holds bridge credentials unless --without-credentials is given.  Exits 1
    when the store cannot be opened or does not exist, or FILE exists (--overwrite).
    """
    shown = redact_url(url)
    name = _refuse_missing(url, f"cannot export {shown}")
    try:
        with registry.open_store(url) as store, _bar(f"exporting {shown}") as step:
            records: Iterable[Record] = store.export_records()
            if without_credentials:
                records = without_credentials_of(records)
            summary = write_export(
                file, _counted(records, step), source_adapter=name, overwrite=overwrite
            )
    except (PersistenceError, OSError) as exc:
        raise _fail(f"cannot export {shown} to {file}: {exc}") from exc
    console = Console()
    console.print(f"exported {shown} to {summary.path}", highlight=False)
    _print_counts(console, "exported", summary.digests.counts)


@click.command("import")
@click.argument("url")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--into-nonempty",
    is_flag=True,
    help="Merge into a store that holds records (upserts; not lossless, see the report).",
)
@click.option("--verify", is_flag=True, help="Export the store afterwards and compare.")
def import_command(url: str, file: Path, into_nonempty: bool, verify: bool) -> None:
    """Read the interchange FILE into the store at URL, which must be empty.

    All or nothing: a damaged line (named with its number) or a failing store leaves
    the store empty.  Exits 1 on any such failure, 3 when --verify finds a difference.
    """
    shown = redact_url(url)
    sent = KindDigests()
    console = Console()
    try:
        with (
            read_export(file) as (_header, records),
            registry.open_store(url) as store,
            _bar(f"importing {file}") as step,
        ):
            found = first_record(store)
            if found is not None and not into_nonempty:
                raise _fail(
                    f"cannot import into {shown}: it is not empty (it holds {found.kind} "
                    "records); pass --into-nonempty to merge into it"
                )
            stream = _counted(_digested(records, sent), step)
            not_copied = []
            if found is None:
                store.import_records(stream)
            else:
                # A merge writes as it reads: the whole file (its trailer) is checked first.
                with read_export(file) as (_checked, every):
                    collections.deque(every, maxlen=0)
                not_copied = merge_records(store, stream)
            differences = _differences(store, sent) if verify else None
    except (PersistenceError, OSError) as exc:
        left = "part of it may be written" if into_nonempty else "nothing was imported"
        raise _fail(f"cannot import {file} into {shown} ({left}): {exc}") from exc
    console.print(f"imported {file} into {shown}", highlight=False)
    _print_counts(console, "imported", sent.counts)
    for item in not_copied[:NOT_COPIED_SHOWN]:
        console.print(f"[yellow]not merged:[/] {item.kind} {item.key}: {item.reason}")
    if differences is not None:
        _print_verification(console, differences)


def _digested(records: Iterable[Record], digests: KindDigests) -> Iterator[Record]:
    for record in records:
        digests.add_record(record)
        yield record


def _differences(store: PersistenceAdapter, sent: KindDigests) -> list[str]:
    received = KindDigests()
    for record in store.export_records():
        received.add_record(record)
    return sent.differences(received)


@click.command("copy")
@click.argument("source")
@click.argument("target")
@click.option(
    "--into-nonempty",
    is_flag=True,
    help="Merge into a TARGET that holds records (upserts; not lossless, see the report).",
)
@click.option("--verify", is_flag=True, help="Compare counts and digests per kind afterwards.")
@click.option(
    "--without-credentials", is_flag=True, help="Copy bridge configs without credentials."
)
def copy_command(
    source: str, target: str, into_nonempty: bool, verify: bool, without_credentials: bool
) -> None:
    """Copy every record and key of SOURCE into TARGET (adapter names or URLs), losslessly.

    Refuses a TARGET that holds records unless --into-nonempty is given, and a SOURCE
    that does not exist.  Exits 1 when nothing could be copied (TARGET stays empty), 3
    when --verify finds a difference.
    """
    shown = f"{redact_url(source)} to {redact_url(target)}"
    if source == target:
        raise _fail(f"cannot copy {shown}: SOURCE and TARGET are the same store")
    _refuse_missing(source, f"cannot copy {shown}", "SOURCE")
    with contextlib.ExitStack() as stack:
        try:
            source_store = stack.enter_context(registry.open_store(source))
            target_store = stack.enter_context(registry.open_store(target))
            step = stack.enter_context(_bar(f"copying {shown}"))
            report = copy_store(
                source_store,
                target_store,
                overwrite=into_nonempty,
                verify=verify,
                strip_credentials=without_credentials,
                progress=lambda event: _step(step, event),
            )
        except TargetNotEmpty as exc:
            raise _fail(
                f"cannot copy {shown}: TARGET is not empty (it holds {', '.join(exc.found)} "
                "records); pass --into-nonempty to merge into it"
            ) from exc
        except PersistenceError as exc:
            left = "TARGET may hold part of it" if into_nonempty else "TARGET is left empty"
            raise _fail(f"copying {shown} failed ({left}): {exc}") from exc
    _print_copy_report(Console(), shown, report)


def _step(step: Callable[[int], None], event: CopyProgress) -> None:
    step(event.done)


def _print_copy_report(console: Console, shown: str, report: CopyReport) -> None:
    console.print(f"copied {shown}", highlight=False)
    _print_counts(console, "copied", report.counts)
    for item in report.not_copied[:NOT_COPIED_SHOWN]:
        console.print(
            f"[yellow]not merged:[/] {item.kind} {item.key}: {item.reason}", highlight=False
        )
    hidden = len(report.not_copied) - NOT_COPIED_SHOWN
    if hidden > 0:
        console.print(f"[yellow]not merged:[/] ... and {hidden} more", highlight=False)
    if report.total == 0:
        console.print("[yellow]warning:[/] the source store held nothing to copy", highlight=False)
    if report.verified is not None:
        _print_verification(console, report.differences)
