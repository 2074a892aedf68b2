"""Loading plugin modules and recording what their hooks register: the registry's discovery.

:class:`PluginDiscovery` is a base of :class:`~jido_persistence.registry.Registry`: it
imports each allowed entry point, calls each plugin's hook on its own, checks each
registration and records failures and name conflicts instead of raising.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Final

import pluggy

from jido_persistence import hookspecs
from jido_persistence._adapter_info import AdapterInfo
from jido_persistence._plugins import (
    CORE_DISTRIBUTION,
    PLUGINS_ENV,
    PluginFailure,
    distribution_of,
    normalize_distribution,
    ordered_entry_points,
)
from jido_persistence.errors import ConfigurationError

_NAME: Final = re.compile(r"[a-z][a-z0-9_\-]*")
_SCHEME: Final = re.compile(r"[a-z][a-z0-9.\-]*")
_DOTTED: Final = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
_REFERENCE: Final = re.compile(rf"{_DOTTED}:{_DOTTED}")


@dataclass(frozen=True)
class _Origin:
    distribution: str | None
    version: str | None
    entry_point: metadata.EntryPoint


class PluginDiscovery:
    """The discovery steps of a registry and the tables they fill."""

    _entry_points: Callable[[], Iterable[metadata.EntryPoint]]
    _names: dict[str, AdapterInfo]
    _schemes: dict[str, AdapterInfo]
    _adapters: list[AdapterInfo]
    _failures: list[PluginFailure]
    _excluded: list[tuple[str | None, str]]
    plugin_manager: pluggy.PluginManager

    def _load_plugins(self, allowed: frozenset[str] | None) -> dict[str, _Origin]:
        """Import and register every allowed plugin module; record the ones that fail."""
        origins: dict[str, _Origin] = {}
        for entry_point in ordered_entry_points(self._entry_points()):
            distribution, version = distribution_of(entry_point)
            normalized = normalize_distribution(distribution or "")
            if allowed is not None and normalized not in allowed | {CORE_DISTRIBUTION}:
                self._excluded.append((distribution, entry_point.name))
                continue
            plugin_name = f"{distribution}:{entry_point.name}"
            try:
                plugin = entry_point.load()
            except Exception as exc:
                self._failures.append(PluginFailure.from_exception(entry_point, exc, "import"))
                continue
            try:
                if self.plugin_manager.is_registered(plugin):
                    owner = self.plugin_manager.get_name(plugin)
                    raise ConfigurationError(f"the same plugin object is already loaded by {owner}")
                self.plugin_manager.register(plugin, name=plugin_name)
            except Exception as exc:
                self._failures.append(
                    PluginFailure.from_exception(entry_point, exc, "registration")
                )
                continue
            origins[plugin_name] = _Origin(distribution, version, entry_point)
        return origins

    def _call_hooks(self, origins: dict[str, _Origin]) -> None:
        """Call each plugin's hook on its own, so one that raises is blamed and skipped."""
        hook = self.plugin_manager.hook.jido_persistence_register_adapters
        called: set[str] = set()
        for implementation in hook.get_hookimpls():
            origin = origins[implementation.plugin_name]
            called.add(implementation.plugin_name)
            register = self._register_callback(origin)
            try:
                implementation.function(*[register for _ in implementation.argnames])
            except Exception as exc:
                failure = PluginFailure.from_exception(origin.entry_point, exc, "register")
                self._failures.append(failure)
        for plugin_name, origin in origins.items():
            if plugin_name not in called:
                self._failures.append(
                    PluginFailure(
                        distribution=origin.distribution,
                        version=origin.version,
                        entry_point=origin.entry_point.name,
                        value=origin.entry_point.value,
                        error=(
                            "the plugin defines no hook: decorate "
                            "'def jido_persistence_register_adapters(register)' with "
                            "jido_persistence.hookspecs.hookimpl"
                        ),
                    )
                )

    def _register_callback(self, origin: _Origin) -> hookspecs.RegisterAdapter:
        def register(
            name: str,
            reference: str,
            *,
            schemes: Sequence[str] = (),
            description: str = "",
            aliases: Sequence[str] = (),
        ) -> None:
            self._register(origin, name, reference, schemes, description, aliases)

        return register

    def _register(
        self,
        origin: _Origin,
        name: str,
        reference: str,
        schemes: Sequence[str],
        description: str,
        aliases: Sequence[str],
    ) -> None:
        checked_schemes = _checked_words(schemes, _SCHEME, "scheme") or (name,)
        checked_aliases = _checked_words(aliases, _NAME, "alias")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ConfigurationError(
                f"invalid adapter name {name!r}: use lower-case letters, digits, '_' and '-'"
            )
        if not isinstance(reference, str) or not _REFERENCE.fullmatch(reference):
            raise ConfigurationError(
                f"adapter {name!r}: invalid reference {reference!r}, "
                "expected 'package.module:Class'"
            )
        if not isinstance(description, str):
            raise ConfigurationError(f"adapter {name!r}: the description must be a str")
        if name in self._names:
            self._conflict(origin, f"adapter name {name!r}", self._names[name])
            return
        kept_aliases = tuple(a for a in checked_aliases if not self._taken(origin, a, self._names))
        kept_schemes = tuple(
            s for s in checked_schemes if not self._taken(origin, s, self._schemes)
        )
        info = AdapterInfo(
            name=name,
            reference=reference,
            schemes=kept_schemes,
            description=description,
            aliases=kept_aliases,
            distribution=origin.distribution,
            version=origin.version,
            entry_point=origin.entry_point.name,
        )
        self._adapters.append(info)
        for key in (name, *kept_aliases):
            self._names[key] = info
        for scheme in kept_schemes:
            self._schemes[scheme] = info

    def _taken(self, origin: _Origin, key: str, table: dict[str, AdapterInfo]) -> bool:
        if key not in table:
            return False
        kind = "URL scheme" if table is self._schemes else "adapter name"
        self._conflict(origin, f"{kind} {key!r}", table[key])
        return True

    def _conflict(self, origin: _Origin, what: str, holder: AdapterInfo) -> None:
        self._failures.append(
            PluginFailure(
                distribution=origin.distribution,
                version=origin.version,
                entry_point=origin.entry_point.name,
                value=origin.entry_point.value,
                error=(
                    f"duplicate {what}: already registered by {holder.origin} "
                    f"({holder.reference}); the later registration is ignored "
                    f"(set {PLUGINS_ENV} to choose which distributions load)"
                ),
            )
        )

    # -- queries ---------------------------------------------------------------


def _checked_words(values: Sequence[str], pattern: re.Pattern[str], kind: str) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ConfigurationError(f"{kind}es must be a list of str, not the str {values!r}")
    words = tuple(values)
    for word in words:
        if not isinstance(word, str) or not pattern.fullmatch(word):
            raise ConfigurationError(f"invalid {kind} {word!r}")
    return words
