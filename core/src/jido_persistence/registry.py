"""Adapter discovery and selection: ``open_store()`` and ``available_adapters()``.

Discovery walks the entry points of the group ``jido_persistence``.  Each names a
plugin module whose :func:`~jido_persistence.hookspecs.jido_persistence_register_adapters`
hook registers adapters as lazy ``"module:Class"`` references, so listing adapters
imports plugin modules only, never a backend (duckdb, psycopg, tinydb).

Discovery is forgiving: a plugin that fails to import or to register is recorded
(:func:`plugin_errors`) and skipped, and the others keep working.  Two
environment variables, read when discovery runs, change that:

``JIDO_PERSISTENCE_STRICT_PLUGINS=1``
    any failure raises :class:`PluginLoadError` instead.
``JIDO_PERSISTENCE_PLUGINS=dist-a,dist-b``
    only these distributions (names normalised as PEP 503) load plugins, besides
    the core's own ``jido-persistence``; set but empty, only the core loads.

Discovery runs once per process, on first use; :func:`reset_registry` forgets it
(for tests, after changing ``sys.path`` or the environment).
"""

from __future__ import annotations

import difflib
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from importlib import metadata
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import pluggy

from jido_persistence import hookspecs
from jido_persistence._adapter_info import AdapterInfo
from jido_persistence._discovery import PluginDiscovery
from jido_persistence._plugins import (
    PLUGINS_ENV,
    STRICT_ENV,
    PluginFailure,
    PluginLoadError,
    allowed_distributions,
    strict_plugins,
)
from jido_persistence._targets import (
    DEFAULT_URL,
    URL_ENV,
    TargetSource,
    describe_target,
    resolve_target,
)
from jido_persistence.errors import AdapterNotFound, ConfigurationError, PersistenceError
from jido_persistence.urls import StoreUrl

if TYPE_CHECKING:
    from jido_persistence.adapter import PersistenceAdapter

__all__ = [
    "BUNDLED_ADAPTERS",
    "DEFAULT_URL",
    "ENTRY_POINT_GROUP",
    "PLUGINS_ENV",
    "STRICT_ENV",
    "URL_ENV",
    "AdapterInfo",
    "PluginFailure",
    "PluginLoadError",
    "Registry",
    "TargetSource",
    "available_adapters",
    "get_adapter",
    "get_registry",
    "open_store",
    "plugin_errors",
    "reset_registry",
    "resolve_target",
    "select_adapter",
]

ENTRY_POINT_GROUP: Final = "jido_persistence"
"""The entry-point group naming plugin modules."""

BUNDLED_ADAPTERS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "tinydb": "jido-persistence-tinydb",
        "duckdb": "jido-persistence-duckdb",
        "postgres": "jido-persistence-postgres",
        "postgresql": "jido-persistence-postgres",
        "sqlite": "jido-persistence-sqlite",
    }
)
"""Names of the bundled adapters and their distributions, used only to say what to install."""


class Registry(PluginDiscovery):
    """The adapters that entry-point discovery found.

    Most code uses the module functions, which share one registry per process
    (:func:`get_registry`); build a ``Registry`` to discover from other entry
    points.  Thread-safe; discovery runs once, on first use.

    Args:
        entry_points: returns the entry points to load; defaults to those of the
            group ``jido_persistence`` on ``sys.path``.
        environ: where to read ``JIDO_PERSISTENCE_STRICT_PLUGINS`` and
            ``JIDO_PERSISTENCE_PLUGINS``; defaults to ``os.environ``.
    """

    def __init__(
        self,
        entry_points: Callable[[], Iterable[metadata.EntryPoint]] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._entry_points = entry_points or (
            lambda: metadata.entry_points(group=ENTRY_POINT_GROUP)
        )
        self._environ = os.environ if environ is None else environ
        self._lock = threading.Lock()
        self._discovered = False
        self._names: dict[str, AdapterInfo] = {}
        self._schemes: dict[str, AdapterInfo] = {}
        self._adapters: list[AdapterInfo] = []
        self._failures: list[PluginFailure] = []
        self._excluded: list[tuple[str | None, str]] = []
        self.plugin_manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        """The pluggy manager holding every loaded plugin module."""

    # -- discovery -------------------------------------------------------------

    def _ensure_discovered(self) -> None:
        with self._lock:
            if not self._discovered:
                self._discover()
                self._discovered = True

    def _discover(self) -> None:
        self.plugin_manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.plugin_manager.add_hookspecs(hookspecs)
        self._names, self._schemes, self._adapters = {}, {}, []
        self._failures, self._excluded = [], []
        origins = self._load_plugins(allowed_distributions(self._environ))
        self._call_hooks(origins)
        self._adapters.sort(key=lambda info: info.name)
        if self._failures and strict_plugins(self._environ):
            raise PluginLoadError(self._failures) from self._failures[0].exception

    # -- queries ---------------------------------------------------------------

    def adapters(self) -> list[AdapterInfo]:
        """Every registered adapter, sorted by name.  Imports plugin modules, no backend."""
        self._ensure_discovered()
        return list(self._adapters)

    def plugin_errors(self) -> list[PluginFailure]:
        """The plugins that failed to import or register, and the name conflicts, in order."""
        self._ensure_discovered()
        return list(self._failures)

    def known_names(self) -> list[str]:
        """Discovered names and aliases plus the bundled adapters' names, sorted."""
        self._ensure_discovered()
        return sorted(set(self._names) | set(BUNDLED_ADAPTERS))

    def get(self, name: str) -> AdapterInfo:
        """The adapter registered under ``name`` or an alias (or, failing that, a URL scheme).

        Raises:
            AdapterNotFound: nothing answers to ``name``; the message lists the
                known names, suggests the closest and says what to install.
            ConfigurationError: the plugin that would provide ``name`` failed or
                was excluded by ``JIDO_PERSISTENCE_PLUGINS``.
        """
        if not isinstance(name, str):
            raise ConfigurationError(f"an adapter name must be a str, not {name!r}")
        self._ensure_discovered()
        key = name.lower()
        found = self._names.get(key) or self._schemes.get(key)
        if found is None:
            raise self._not_found(key)
        return found

    def for_scheme(self, scheme: str) -> AdapterInfo:
        """The adapter answering to the URL scheme ``scheme`` (or, failing that, the name).

        Raises the same errors as :meth:`get`.
        """
        self._ensure_discovered()
        key = scheme.lower()
        found = self._schemes.get(key) or self._names.get(key)
        if found is None:
            raise self._not_found(key)
        return found

    def select(self, target: str) -> tuple[AdapterInfo, StoreUrl | None]:
        """The adapter for ``target`` (a name, or a URL selecting by its scheme) and the parsed URL.

        A target without ``:`` is a name; its URL is ``None``.
        """
        if ":" not in target:
            return self.get(target), None
        url = StoreUrl.parse(target)
        return self.for_scheme(url.scheme), url

    def open(self, target: str | None = None, **options: object) -> PersistenceAdapter:
        """Open a store; see :func:`open_store`."""
        with self._opening(target) as text:
            adapter_class, merged = self._resolve(text, options)
            return adapter_class(**merged)

    def resolve(
        self, target: str | None = None, **options: object
    ) -> tuple[type[PersistenceAdapter], dict[str, object]]:
        """The adapter class and the merged options :meth:`open` would construct it with.

        Loads the adapter's module but opens nothing; raises what :meth:`open` raises
        before construction.
        """
        with self._opening(target) as text:
            return self._resolve(text, options)

    @contextmanager
    def _opening(self, target: str | None) -> Iterator[str]:
        text, source = resolve_target(target, self._environ)
        try:
            yield text
        except PersistenceError as exc:
            exc.add_note(f"while opening {describe_target(text, source)}")
            raise

    def _resolve(
        self, text: str, options: Mapping[str, object]
    ) -> tuple[type[PersistenceAdapter], dict[str, object]]:
        info, url = self.select(text)
        adapter_class = info.load()
        merged: dict[str, object] = dict(adapter_class.url_options(url)) if url else {}
        merged.update(options)
        return adapter_class, merged

    def _not_found(self, name: str) -> ConfigurationError:
        for failure in self._failures:
            if failure.entry_point == name and failure.exception is not None:
                return ConfigurationError(
                    f"adapter {name!r} is installed but its plugin failed: {failure}"
                )
        for distribution, entry_point in self._excluded:
            if entry_point == name:
                return ConfigurationError(
                    f"adapter {name!r} of {distribution} is not loaded: "
                    f"{PLUGINS_ENV}={self._environ.get(PLUGINS_ENV, '')!r} excludes it"
                )
        known = self.known_names()
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        return AdapterNotFound(name, known, close[0] if close else None, BUNDLED_ADAPTERS.get(name))


# -- the process-wide registry -------------------------------------------------

_default_lock: Final = threading.Lock()
_default: Registry | None = None


def get_registry() -> Registry:
    """The registry shared by the module functions, created on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Registry()
        return _default


def reset_registry() -> None:
    """Forget discovery, so the next call discovers again.

    For tests, after changing ``sys.path``, the installed distributions or the
    ``JIDO_PERSISTENCE_*`` environment variables.
    """
    global _default
    with _default_lock:
        _default = None


def available_adapters() -> list[AdapterInfo]:
    """Every adapter that discovery found, sorted by name, as :class:`AdapterInfo`.

    Imports the plugin modules only: no adapter class and no backend library.  A
    plugin that failed is skipped and listed by :func:`plugin_errors`.
    """
    return get_registry().adapters()


def plugin_errors() -> list[PluginFailure]:
    """The plugins that failed to import or register, and the name conflicts."""
    return get_registry().plugin_errors()


def get_adapter(name: str) -> AdapterInfo:
    """The adapter registered under ``name`` or an alias; raises ``AdapterNotFound``."""
    return get_registry().get(name)


def select_adapter(target: str | None = None) -> tuple[AdapterInfo, StoreUrl | None]:
    """The adapter and URL that ``open_store(target)`` would use, without importing the class."""
    text, _ = resolve_target(target)
    return get_registry().select(text)


def open_store(target: str | None = None, **options: object) -> PersistenceAdapter:
    """Open a store: the adapter instance itself.

    ``target`` is an adapter name (``"memory"``, ``"duckdb"``) or a URL
    (``"duckdb:///chat.duckdb"``, ``"tinydb:////var/lib/bot/chat.json"``,
    ``"memory://"``, ``"postgresql://bot@db/chat?schema=bot"``); see
    :class:`~jido_persistence.urls.StoreUrl`.  When ``None``, the environment
    variable ``JIDO_PERSISTENCE_URL`` is used, else :data:`DEFAULT_URL`.

    A URL selects the adapter by its scheme (the part before ``+``); its options
    are ``AdapterClass.url_options(url)`` (the path and the query-string
    parameters) overridden by ``options``.  A name takes its options from
    ``options`` only.  The store is ``AdapterClass(**options)``.

    Raises:
        AdapterNotFound: no installed adapter answers to the name or scheme.
        ConfigurationError: the URL is malformed, the adapter fails to load or
            rejects an option.  Messages never show a URL's password; a note
            says which target was opened and where it came from.
    """
    return get_registry().open(target, **options)


def resolve_store(
    target: str | None = None, **options: object
) -> tuple[type[PersistenceAdapter], dict[str, object]]:
    """The adapter class and options :func:`open_store` would use, without opening.

    Raises what :func:`open_store` raises before construction.
    """
    return get_registry().resolve(target, **options)
