"""docs/guide/cli.md documents every subcommand of ``jido-persistence`` and every option.

The commands are read from the click group itself (contributed ones included), so a new
command or option that the page does not mention fails this test.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from jido_persistence.cli import main

PAGE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "cli.md"


def sections(text: str) -> dict[str, str]:
    """Each ``## `jido-persistence NAME ...``` section's text, by command name."""
    found = re.split(r"^## `jido-persistence ([a-z-]+)[^`]*`\n", text, flags=re.MULTILINE)
    return dict(zip(found[1::2], found[2::2], strict=True))


def undocumented(command: click.Command, text: str) -> list[str]:
    """The long option names of ``command`` that ``text`` does not mention."""
    names = [
        max(option.opts, key=len)
        for option in command.params
        if isinstance(option, click.Option) and option.name != "help"
    ]
    return [name for name in names if f"`{name}" not in text]


def test_every_command_and_option_is_on_the_page() -> None:
    page = sections(PAGE.read_text(encoding="utf-8"))
    context = click.Context(main)
    commands = main.list_commands(context)
    assert sorted(page) == sorted(commands), "docs/guide/cli.md sections vs. commands"
    for name in commands:
        command = main.get_command(context, name)
        assert command is not None
        assert not undocumented(command, page[name]), f"{name}: options missing from cli.md"


def test_a_missing_option_is_reported() -> None:
    command = click.Command("x", params=[click.Option(["--json"]), click.Option(["-k", "--keep"])])
    assert undocumented(command, "| `--json` | ... |") == ["--keep"]
