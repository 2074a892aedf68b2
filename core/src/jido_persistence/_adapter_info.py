"""``AdapterInfo``: one registered adapter, and the lazy import and check of its class."""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, final

from jido_persistence.errors import ConfigurationError

if TYPE_CHECKING:
    from jido_persistence.adapter import PersistenceAdapter

__all__ = ["AdapterInfo"]


@final
@dataclass
class _ClassCache:
    lock: threading.Lock = field(default_factory=threading.Lock)
    adapter_class: type[PersistenceAdapter] | None = None


@final
@dataclass(frozen=True)
class AdapterInfo:
    """One registered adapter, as discovery found it; the class is not imported yet.

    Attributes:
        name: the name that selects it (``open_store("duckdb")``).
        reference: ``"package.module:ClassName"``.
        schemes: the URL schemes that select it.
        description: one line.
        aliases: other names that select it.
        distribution: the distribution whose plugin registered it (``None`` if unknown).
        version: that distribution's version.
        entry_point: the name of the entry point of that plugin.
    """

    name: str
    reference: str
    schemes: tuple[str, ...] = ()
    description: str = ""
    aliases: tuple[str, ...] = ()
    distribution: str | None = None
    version: str | None = None
    entry_point: str | None = None
    _cache: _ClassCache = field(default_factory=_ClassCache, init=False, repr=False, compare=False)

    @property
    def origin(self) -> str:
        """``"jido-persistence-duckdb 0.1.0, entry point 'duckdb'"``, for messages."""
        text = self.distribution or "an unknown distribution"
        if self.version:
            text += f" {self.version}"
        if self.entry_point:
            text += f", entry point {self.entry_point!r}"
        return text

    def load(self) -> type[PersistenceAdapter]:
        """Import the adapter class, check it, and cache it (later calls are O(1)).

        Raises:
            ConfigurationError: the module or class cannot be imported, is not a
                ``PersistenceAdapter`` subclass, lacks required callbacks or has
                only part of the optional ingress trio; the message names the
                adapter, its plugin and the methods, and the original exception
                is chained.  A failure is not cached: the next call tries again.
        """
        with self._cache.lock:
            if self._cache.adapter_class is None:
                self._cache.adapter_class = self._import()
            return self._cache.adapter_class

    def _import(self) -> type[PersistenceAdapter]:
        from jido_persistence.adapter import PersistenceAdapter, check_adapter_class

        where = f"adapter {self.name!r} (from {self.origin})"
        module_name, _, qualname = self.reference.partition(":")
        try:
            target: object = importlib.import_module(module_name)
            for attribute in qualname.split("."):
                target = getattr(target, attribute)
        except Exception as exc:
            raise ConfigurationError(
                f"{where} cannot be loaded: importing {self.reference!r} failed: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if not (isinstance(target, type) and issubclass(target, PersistenceAdapter)):
            raise ConfigurationError(
                f"{where}: {self.reference!r} is {target!r}, not a subclass of PersistenceAdapter"
            )
        try:
            check_adapter_class(target)
        except ConfigurationError as exc:
            raise ConfigurationError(f"{where}: {self.reference!r} is invalid: {exc}") from exc
        return target
