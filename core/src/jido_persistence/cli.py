"""The ``jido-persistence`` command.

Built-in subcommands: ``adapters`` (what discovery found), ``which`` (the store
``open_store()`` would open now, and why), ``export``, ``import`` and ``copy`` (backups
and moves between adapters, :mod:`jido_persistence._cli_interchange`), ``new-adapter``
(a package skeleton for a new adapter, :mod:`jido_persistence.scaffold`), and ``prune``
and ``erase`` (retention, :mod:`jido_persistence._cli_retention`).  Other distributions
add subcommands through the entry-point group ``jido_persistence_cli``: each entry point
names a :class:`click.Command` (the conformance kit adds ``check``, the benchmarks add
``bench``).  They are imported only when run or when ``--help`` lists them; one that
fails to import is shown with its error and does not break the others.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import metadata
from typing import Any, Final

import click
from rich.console import Console
from rich.table import Table

from jido_persistence import registry
from jido_persistence._cli_interchange import copy_command, export_command, import_command
from jido_persistence._cli_new_adapter import new_adapter_command
from jido_persistence._cli_retention import erase_command, prune_command
from jido_persistence._which import which_record
from jido_persistence.errors import PersistenceError, redact_text
from jido_persistence.registry import AdapterInfo, PluginFailure

__all__ = ["CLI_ENTRY_POINT_GROUP", "PluginGroup", "adapter_record", "main", "which_record"]

CLI_ENTRY_POINT_GROUP: Final = "jido_persistence_cli"
"""The entry-point group of subcommands contributed by other distributions."""


class PluginGroup(click.Group):
    """A :class:`click.Group` that adds the commands of ``jido_persistence_cli`` lazily.

    A built-in command keeps its name over a contributed one of the same name.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plugin_commands: dict[tuple[str, str], click.Command] = {}

    def plugin_entry_points(self) -> dict[str, metadata.EntryPoint]:
        """The contributed commands' entry points by name (nothing is imported).

        Read on every call, not cached: it is cheap, and tests change ``sys.path``.
        """
        found = metadata.entry_points(group=CLI_ENTRY_POINT_GROUP)
        return {ep.name: ep for ep in found if ep.name not in self.commands}

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Built-in and contributed command names, sorted."""
        return sorted(set(self.commands) | set(self.plugin_entry_points()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command ``cmd_name``, importing a contributed one on first use."""
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry_point = self.plugin_entry_points().get(cmd_name)
        if entry_point is None:
            return None
        key = (cmd_name, entry_point.value)
        if key not in self._plugin_commands:
            self._plugin_commands[key] = _load_command(cmd_name, entry_point)
        return self._plugin_commands[key]


def _load_command(name: str, entry_point: metadata.EntryPoint) -> click.Command:
    distribution = entry_point.dist.name if entry_point.dist else "an unknown distribution"
    origin = f"entry point {entry_point.value!r} of {distribution}"
    try:
        command = entry_point.load()
    except Exception as exc:
        return _broken_command(name, origin, f"{type(exc).__name__}: {exc}")
    if not isinstance(command, click.Command):
        return _broken_command(name, origin, f"{command!r} is not a click command")
    return command


def _broken_command(name: str, origin: str, error: str) -> click.Command:
    def report() -> None:
        raise click.ClickException(f"the command {name!r} ({origin}) failed to load: {error}")

    return click.Command(
        name,
        callback=report,
        help=f"Failed to load from {origin}: {error}",
        short_help="(failed to load; run it to see why)",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        add_help_option=False,
    )


@click.group(cls=PluginGroup)
@click.version_option(package_name="jido-persistence")
def main() -> None:
    """Store chat and messaging data behind one API; inspect adapters and stores."""


# -- adapters --------------------------------------------------------------------


def adapter_record(info: AdapterInfo) -> dict[str, Any]:
    """One adapter as JSON-ready data; loads its class to read the capabilities.

    ``status`` is ``"ok"`` or ``"error"``; on error ``capabilities`` is ``None`` and
    ``error`` says why the class failed to load.
    """
    record: dict[str, Any] = {
        "name": info.name,
        "aliases": list(info.aliases),
        "distribution": info.distribution,
        "version": info.version,
        "entry_point": info.entry_point,
        "reference": info.reference,
        "schemes": list(info.schemes),
        "description": info.description,
        "capabilities": None,
        "status": "ok",
        "error": None,
    }
    try:
        record["capabilities"] = info.load().capabilities_of().model_dump(mode="json")
    except PersistenceError as exc:
        record["status"] = "error"
        record["error"] = redact_text(str(exc))
    return record


def _failure_record(failure: PluginFailure) -> dict[str, Any]:
    return {
        "distribution": failure.distribution,
        "version": failure.version,
        "entry_point": failure.entry_point,
        "value": failure.value,
        "error": redact_text(failure.error),
        "traceback": redact_text(failure.traceback),
    }


@main.command("adapters")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def adapters_command(as_json: bool) -> None:
    """List the installed adapters, their capabilities, and plugins that failed."""
    try:
        records = [adapter_record(info) for info in registry.available_adapters()]
        failures = [_failure_record(failure) for failure in registry.plugin_errors()]
    except PersistenceError as exc:
        raise click.ClickException(redact_text(str(exc))) from exc
    if as_json:
        click.echo(json.dumps({"adapters": records, "plugin_errors": failures}, indent=2))
        return
    console = Console()
    table = Table(title="jido-persistence adapters")
    for column in ("name", "URL schemes", "distribution", "capabilities", "status"):
        table.add_column(column, overflow="fold")
    for record in records:
        table.add_row(
            " / ".join([record["name"], *record["aliases"]]),
            ", ".join(f"{scheme}://" for scheme in record["schemes"]),
            f"{record['distribution']} {record['version'] or ''}".strip(),
            _capabilities_text(record["capabilities"]),
            "[green]ok[/]" if record["status"] == "ok" else "[red]error[/] (below)",
        )
    console.print(table)
    for record in records:
        if record["error"] is not None:
            console.print(f"[red]{record['name']}:[/] {record['error']}", highlight=False)
    for failure in failures:
        console.print(
            f"[red]plugin failed:[/] {failure['entry_point']} = {failure['value']} "
            f"({failure['distribution']} {failure['version']}): {failure['error']}",
            markup=True,
            highlight=False,
        )


_SHORT_CAPABILITIES: Final = {
    "ingress_subscriptions": "ingress",
    "durable": "durable",
    "multi_process": "multi-process",
    "native_async": "async",
}


def _capabilities_text(capabilities: Mapping[str, Any] | None) -> str:
    if capabilities is None:
        return "-"
    shown = [_SHORT_CAPABILITIES.get(name, name) for name, on in capabilities.items() if on is True]
    return ", ".join(shown) or "none"


# -- which -----------------------------------------------------------------------


@main.command("which")
@click.argument("target", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option(
    "--no-connect",
    is_flag=True,
    help="Do not open the store: only select the adapter and check the options.",
)
def which_command(target: str | None, as_json: bool, no_connect: bool) -> None:
    """Show the store open_store() would open now (TARGET, else $JIDO_PERSISTENCE_URL,
    else the default), which adapter serves it with which options, and why; then open
    it (a file store that does not exist yet is not created).  Exits 1 with the reason
    when the adapter, an option or the store itself cannot be used.
    """
    try:
        record = which_record(target, connect=not no_connect)
    except PersistenceError as exc:
        raise click.ClickException(redact_text(str(exc))) from exc
    if as_json:
        click.echo(json.dumps(record, indent=2, default=str))
    else:
        _print_which(record)
    if record["error"] is not None:
        if as_json:
            raise SystemExit(1)
        raise click.ClickException(record["error"])


def _print_which(record: Mapping[str, Any]) -> None:
    click.echo(f"target:   {record['target']}")
    click.echo(f"source:   {record['source']} ({record['reason']})")
    adapter = record["adapter"]
    if adapter is not None:
        origin = f"{adapter['distribution']} {adapter['version'] or ''}".strip()
        click.echo(f"adapter:  {adapter['name']} ({adapter['reference']}, from {origin})")
    for label, key in (("options: ", "options"), ("defaults:", "defaults")):
        if record[key] is not None:
            shown = ", ".join(f"{name}={value!r}" for name, value in record[key].items())
            click.echo(f"{label} {shown or '(none)'}")
    defaults = record["defaults"] or {}
    if "schema" in defaults:
        click.echo(
            f"note:     the URL gives no ?schema=, so the store is the schema "
            f"{defaults['schema']!r}, created with its tables when missing"
        )
    if record["store"] is not None:
        click.echo(f"store:    {record['store']}")


main.add_command(new_adapter_command)
main.add_command(export_command)
main.add_command(import_command)
main.add_command(copy_command)
main.add_command(prune_command)
main.add_command(erase_command)
