"""Entry-point plumbing for the registry: which plugins to load, and what failed.

Kept apart from :mod:`jido_persistence.registry` so that module reads as the
public API; nothing here imports an adapter or a backend.
"""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Final, final

from jido_persistence.errors import ConfigurationError

__all__ = [
    "CORE_DISTRIBUTION",
    "PLUGINS_ENV",
    "STRICT_ENV",
    "PluginFailure",
    "PluginLoadError",
    "allowed_distributions",
    "distribution_of",
    "normalize_distribution",
    "ordered_entry_points",
    "strict_plugins",
]

STRICT_ENV: Final = "JIDO_PERSISTENCE_STRICT_PLUGINS"
PLUGINS_ENV: Final = "JIDO_PERSISTENCE_PLUGINS"
CORE_DISTRIBUTION: Final = "jido-persistence"

_TRUE: Final = frozenset({"1", "true", "yes", "on"})


def normalize_distribution(name: str) -> str:
    """Normalise a distribution name as PEP 503 does (``Foo_Bar.X`` -> ``foo-bar-x``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def strict_plugins(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether ``JIDO_PERSISTENCE_STRICT_PLUGINS`` asks for failing plugins to raise."""
    return environ.get(STRICT_ENV, "").strip().lower() in _TRUE


def allowed_distributions(environ: Mapping[str, str] = os.environ) -> frozenset[str] | None:
    """The PEP 503 names listed in ``JIDO_PERSISTENCE_PLUGINS``, or ``None`` when it is unset.

    Set but empty means no third-party distribution; the core's own plugin
    (``jido-persistence``, which imports no backend) is always loaded.
    """
    value = environ.get(PLUGINS_ENV)
    if value is None:
        return None
    return frozenset(
        normalize_distribution(part.strip()) for part in value.split(",") if part.strip()
    )


def distribution_of(entry_point: metadata.EntryPoint) -> tuple[str | None, str | None]:
    """The name and version of the distribution declaring ``entry_point`` (``None`` if unknown)."""
    dist = entry_point.dist
    if dist is None:
        return None, None
    # ``Distribution.name`` is None when METADATA lacks a Name, despite its annotation.
    name: str | None = dist.name
    return name, dist.version


def ordered_entry_points(entry_points: Iterable[metadata.EntryPoint]) -> list[metadata.EntryPoint]:
    """The core's own entry points first, then the others in ``sys.path`` order.

    The first plugin to register a name keeps it, so core's ``memory`` cannot be
    taken over by a stray plugin.
    """

    def is_core(entry_point: metadata.EntryPoint) -> bool:
        name, _ = distribution_of(entry_point)
        return name is not None and normalize_distribution(name) == CORE_DISTRIBUTION

    eps = list(entry_points)
    return [ep for ep in eps if is_core(ep)] + [ep for ep in eps if not is_core(ep)]


@final
@dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not be loaded or registered, and was skipped.

    Attributes:
        distribution: the distribution declaring the entry point (``None`` if unknown).
        version: its version.
        entry_point: the entry point name.
        value: the entry point value (``"package.plugin"``).
        error: one line: ``"ModuleNotFoundError: No module named 'x'"`` or what conflicted.
        traceback: the formatted traceback of the original exception (``""`` for a
            conflict, which has none).
        exception: the original exception, or ``None`` for a conflict.
    """

    distribution: str | None
    version: str | None
    entry_point: str
    value: str
    error: str
    traceback: str = ""
    exception: BaseException | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_exception(
        cls, entry_point: metadata.EntryPoint, exception: BaseException, doing: str
    ) -> PluginFailure:
        """Record ``exception``, raised while ``doing`` (``"import"``, ``"register"``)."""
        distribution, version = distribution_of(entry_point)
        return cls(
            distribution=distribution,
            version=version,
            entry_point=entry_point.name,
            value=entry_point.value,
            error=f"{doing} failed: {type(exception).__name__}: {exception}",
            traceback="".join(traceback.format_exception(exception)),
            exception=exception,
        )

    @property
    def origin(self) -> str:
        """``"entry point 'x' = 'pkg.plugin' of dist 1.0"``, for messages."""
        dist = f"{self.distribution or 'an unknown distribution'}"
        if self.version:
            dist += f" {self.version}"
        return f"entry point {self.entry_point!r} = {self.value!r} of {dist}"

    def __str__(self) -> str:
        """One line naming the plugin and what went wrong."""
        return f"{self.origin}: {self.error}"


class PluginLoadError(ConfigurationError):
    """Raised under ``JIDO_PERSISTENCE_STRICT_PLUGINS=1`` when any plugin failed.

    ``failures`` lists every :class:`PluginFailure`; the first original exception
    is chained as ``__cause__``.
    """

    def __init__(self, failures: list[PluginFailure]) -> None:
        self.failures = list(failures)
        lines = "\n".join(f"  - {failure}" for failure in self.failures)
        super().__init__(
            f"{len(self.failures)} jido_persistence plugin(s) failed "
            f"({STRICT_ENV} is set, so this is an error):\n{lines}"
        )
