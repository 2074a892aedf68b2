"""``jido-persistence new-adapter NAME``: a package an adapter author starts from.

:func:`write_adapter_package` renders the template files shipped in this package
(``_template/``, package data) into a new directory: ``pyproject.toml`` with the
``jido_persistence`` entry point, a plugin module, an adapter that passes the
conformance kit as generated (the contract over a small key-value backend, in
process memory, for the author to replace), its options model, the kit as a test
module, a README and a GitHub Actions workflow that runs the kit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template
from typing import Final

import click

from jido_persistence.errors import InvalidArgument

__all__ = ["NAME_PATTERN", "AdapterNames", "new_adapter_command", "write_adapter_package"]

NAME_PATTERN: Final = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
"""An adapter name: lowercase letters and digits, words joined by ``_``."""

_SUFFIX: Final = ".tmpl"
_RENAMES: Final = {"package": "{package}", "dot-github": ".github"}


@dataclass(frozen=True)
class AdapterNames:
    """Every name the package uses, derived from the adapter name (``redis_cluster``)."""

    name: str
    """The adapter's name and entry point: ``redis_cluster``."""
    distribution: str
    """The distribution: ``jido-persistence-redis-cluster``."""
    package: str
    """The import package: ``jido_persistence_redis_cluster``."""
    class_name: str
    """The adapter class: ``RedisClusterAdapter``."""
    scheme: str
    """The URL scheme: ``redis-cluster`` (``_`` is not allowed in a scheme)."""
    description: str
    """The one-line description of the distribution and the registered adapter."""

    @classmethod
    def of(cls, name: str, description: str | None = None) -> AdapterNames:
        """Derive the names; InvalidArgument when ``name`` does not match :data:`NAME_PATTERN`."""
        if not NAME_PATTERN.fullmatch(name):
            raise InvalidArgument(
                f"adapter name {name!r} must be lowercase letters and digits, words joined "
                "by '_', starting with a letter (for example 'redis' or 'redis_cluster')"
            )
        words = name.split("_")
        camel = "".join(word.capitalize() for word in words)
        return cls(
            name=name,
            distribution="jido-persistence-" + "-".join(words),
            package="jido_persistence_" + name,
            class_name=camel + "Adapter",
            scheme="-".join(words),
            description=description or f"{camel}: a jido-persistence adapter.",
        )


def _templates(
    root: Traversable, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], str]]:
    found: list[tuple[tuple[str, ...], str]] = []
    for entry in sorted(root.iterdir(), key=lambda item: item.name):
        if entry.is_dir():
            found += _templates(entry, (*prefix, entry.name))
        elif entry.name.endswith(_SUFFIX):
            found.append(((*prefix, entry.name.removesuffix(_SUFFIX)), entry.read_text("utf-8")))
    return found


def write_adapter_package(
    name: str, directory: Path, *, description: str | None = None
) -> tuple[Path, list[Path]]:
    """Write the package of adapter ``name`` into ``directory / <distribution>``.

    Returns the package's root and the files written, in order.  Raises InvalidArgument
    for a bad name (see :data:`NAME_PATTERN`) or a description holding a double quote or
    a line break, and FileExistsError when the target directory exists and is not empty.
    Writes nothing before every check has passed.  O(number of template files).
    """
    names = AdapterNames.of(name, description)
    if any(ch in names.description for ch in '"\\\n\r'):
        raise InvalidArgument("the description must be one line without '\"' or '\\'")
    root = directory / names.distribution
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} exists and is not empty")
    values = {
        "name": names.name,
        "distribution": names.distribution,
        "package": names.package,
        "class_name": names.class_name,
        "scheme": names.scheme,
        "description": names.description,
    }
    written: list[Path] = []
    for parts, text in _templates(resources.files("jido_persistence") / "_template"):
        relative = [_RENAMES.get(part, part).format(package=names.package) for part in parts]
        target = root.joinpath(*relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Template(text).substitute(values), encoding="utf-8")
        written.append(target)
    return root, written


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
