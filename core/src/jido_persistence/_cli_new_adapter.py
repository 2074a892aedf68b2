"""The ``new-adapter`` subcommand of ``jido-persistence``: writes the package template.

Registered on the group by :mod:`jido_persistence.cli`; the template itself is
:func:`jido_persistence.scaffold.write_adapter_package`, which needs no click.
"""

from __future__ import annotations

from pathlib import Path

import click

from jido_persistence.errors import InvalidArgument
from jido_persistence.scaffold import write_adapter_package

__all__ = ["new_adapter_command"]


@click.command("new-adapter")
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default="the working directory",
    help="Where to create the package's directory (jido-persistence-NAME).",
)
@click.option("--description", help="The package's one-line description.")
def new_adapter_command(name: str, directory: Path, description: str | None) -> None:
    """Write a package skeleton for a new adapter NAME that passes the conformance kit.

    It holds the entry point, the plugin module, the adapter (the contract over a small
    in-memory key-value backend, for you to replace) with its options model, the kit as
    a test module, a README and a CI workflow.  Refuses a non-empty target directory.
    """
    try:
        root, written = write_adapter_package(name, directory, description=description)
    except (InvalidArgument, FileExistsError) as exc:
        raise click.ClickException(str(exc)) from exc
    for path in written:
        click.echo(f"  wrote {path.relative_to(root.parent)}")
    click.echo(
        f"\nNext: cd {root} && pip install -e '.[test]' && pytest\n"
        "Then replace _backend.py with your storage and keep the kit green."
    )
