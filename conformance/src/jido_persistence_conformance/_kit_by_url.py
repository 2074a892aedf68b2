"""The kit's test class for the ``--persistence-url`` path.

The plugin collects this file (and only this file of the kit) when at least one
``--persistence-url`` is given, and parametrises ``persistence_url`` with the URLs; the
class is :class:`~jido_persistence_conformance.AdapterConformance` itself, so both ways
in run exactly the same tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jido_persistence_conformance.base import AdapterConformance
from jido_persistence_conformance.factories import StoreFactory, UrlStoreFactory

__all__ = ["TestPersistenceUrl"]


class TestPersistenceUrl(AdapterConformance):
    """Every kit test, once per ``--persistence-url``."""

    @pytest.fixture
    def store_factory(self, persistence_url: str, tmp_path: Path) -> StoreFactory:
        """Stores opened from the URL template under test."""
        return UrlStoreFactory(persistence_url, tmp_path)
