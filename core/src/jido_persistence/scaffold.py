"""The package template an adapter author starts from (``jido-persistence new-adapter``).

:func:`write_adapter_package` renders the template files shipped in this package
(``_template/``, package data) into a new directory: ``pyproject.toml`` with the
``jido_persistence`` entry point, a plugin module, an adapter that passes the
conformance kit as generated (the contract over a small key-value backend, in
process memory, for the author to replace), its options model, the kit as a test
module, a README and a GitHub Actions workflow that runs the kit.  It needs neither
click nor rich; the command (:mod:`jido_persistence._cli_new_adapter`, the ``cli``
extra) calls it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template
from typing import Final

from jido_persistence.errors import InvalidArgument

__all__ = ["NAME_PATTERN", "AdapterNames", "write_adapter_package"]

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
