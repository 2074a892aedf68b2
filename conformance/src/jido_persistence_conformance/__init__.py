"""jido-persistence-conformance: the conformance kit for jido-persistence adapters.

Three ways in, the same tests:

* ``pytest --persistence-url URL`` (this distribution is a pytest plugin);
* subclassing :class:`AdapterConformance` with a ``store_factory`` fixture;
* importing the hypothesis strategies and state machine
  (:mod:`jido_persistence_conformance.strategies`, ``.stateful``).

See ``docs/writing-an-adapter.md``.
"""

from __future__ import annotations

from typing import Final

from jido_persistence_conformance.base import AdapterConformance
from jido_persistence_conformance.factories import (
    ClassStoreFactory,
    StoreFactory,
    UrlStoreFactory,
)

__all__ = [
    "CONTRACT_VERSION",
    "AdapterConformance",
    "ClassStoreFactory",
    "StoreFactory",
    "UrlStoreFactory",
    "__version__",
]

__version__: Final = "0.1.0"
"""The kit's version (the distribution's)."""

CONTRACT_VERSION: Final = "1.2"
"""The version of the persistence contract this kit checks."""
