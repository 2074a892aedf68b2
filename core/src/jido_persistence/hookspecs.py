"""The pluggy hook through which plugins register adapters.

A distribution that ships an adapter declares one entry point in the group
``jido_persistence`` naming a small plugin module::

    # pyproject.toml
    [project.entry-points.jido_persistence]
    redis = "jido_persistence_redis.plugin"

    # jido_persistence_redis/plugin.py
    from jido_persistence.hookspecs import hookimpl

    @hookimpl
    def jido_persistence_register_adapters(register):
        register(
            "redis",
            "jido_persistence_redis.adapter:RedisAdapter",
            schemes=["redis", "rediss"],
            description="Redis: shared in-memory store",
        )

The plugin module registers a *string* reference and must not import the adapter
module or its backend library: listing the adapters (``jido-persistence
adapters``, :func:`jido_persistence.registry.available_adapters`) imports every
plugin module and must stay cheap.  The class is imported the first time the
adapter is opened or inspected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol

import pluggy

__all__ = ["PROJECT_NAME", "RegisterAdapter", "hookimpl", "hookspec"]

PROJECT_NAME: Final = "jido_persistence"
"""The pluggy project name; hook implementations must use :data:`hookimpl`."""

hookspec: Final = pluggy.HookspecMarker(PROJECT_NAME)
"""Marks the hook specifications of this module."""

hookimpl: Final = pluggy.HookimplMarker(PROJECT_NAME)
"""Marks a plugin's hook implementation: ``@hookimpl def jido_persistence_register_adapters``."""


class RegisterAdapter(Protocol):
    """The ``register`` callback passed to :func:`jido_persistence_register_adapters`."""

    def __call__(
        self,
        name: str,
        reference: str,
        *,
        schemes: Sequence[str] = (),
        description: str = "",
        aliases: Sequence[str] = (),
    ) -> None:
        """Register one adapter; see :func:`jido_persistence_register_adapters`."""


@hookspec
def jido_persistence_register_adapters(register: RegisterAdapter) -> None:
    """Register the adapters this plugin provides by calling ``register`` once per adapter.

    Signature of the callback::

        register(
            name: str,
            reference: str,
            *,
            schemes: Sequence[str] = (),
            description: str = "",
            aliases: Sequence[str] = (),
        ) -> None

    Arguments:
        name: the adapter name used by ``open_store("name")``: lower-case letters,
            digits, ``_`` and ``-``, starting with a letter.
        reference: ``"package.module:ClassName"``, a subclass of
            :class:`jido_persistence.adapter.PersistenceAdapter`.  It is imported
            lazily, the first time the adapter is opened or inspected, and then
            checked: a missing callback, or only part of the optional ingress trio,
            raises :class:`~jido_persistence.errors.ConfigurationError` naming the
            plugin and the methods.
        schemes: the URL schemes the adapter answers to (``"duckdb"`` selects it
            for ``duckdb:///chat.duckdb`` and ``duckdb+anything://...``).  Empty
            means the adapter's name is its only scheme.
        description: one line shown by ``jido-persistence adapters``.
        aliases: other names that select the adapter (``"postgresql"`` for
            ``"postgres"``).

    ``register`` raises :class:`~jido_persistence.errors.ConfigurationError` for
    an invalid name, scheme or reference.  A name, alias or scheme that another
    plugin registered first is not taken over: the conflict is reported by
    :func:`jido_persistence.registry.plugin_errors` (raised at once under
    ``JIDO_PERSISTENCE_STRICT_PLUGINS=1``).  The hook returns nothing.
    """
