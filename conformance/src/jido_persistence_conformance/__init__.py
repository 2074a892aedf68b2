"""jido-persistence-conformance: the conformance kit for jido-persistence adapters.

Three ways in, the same tests:

* ``pytest --persistence-url URL`` (this distribution is a pytest plugin);
* subclassing :class:`AdapterConformance` with a ``store_factory`` fixture;
* importing the hypothesis strategies and state machine
  (:mod:`jido_persistence_conformance.strategies`, ``.stateful``).

The public names are imported lazily, so that loading the pytest plugin (which
imports this package) imports neither hypothesis nor the suite.  See
``docs/writing-an-adapter.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

from jido_persistence_conformance._version import CONTRACT_GROUPS, CONTRACT_VERSION, __version__

if TYPE_CHECKING:
    from jido_persistence_conformance.async_facade import AsyncFacadeFactory
    from jido_persistence_conformance.base import AdapterConformance
    from jido_persistence_conformance.factories import (
        ClassStoreFactory,
        StoreFactory,
        UrlStoreFactory,
    )

__all__ = [
    "CONTRACT_GROUPS",
    "CONTRACT_VERSION",
    "AdapterConformance",
    "AsyncFacadeFactory",
    "ClassStoreFactory",
    "StoreFactory",
    "UrlStoreFactory",
    "__version__",
]

_LAZY: Final = {
    "AdapterConformance": "jido_persistence_conformance.base",
    "AsyncFacadeFactory": "jido_persistence_conformance.async_facade",
    "ClassStoreFactory": "jido_persistence_conformance.factories",
    "StoreFactory": "jido_persistence_conformance.factories",
    "UrlStoreFactory": "jido_persistence_conformance.factories",
}


def __getattr__(name: str) -> Any:
    """Import the public classes on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
