"""The in-repo run of the whole kit on the reference adapter, through subclassing."""

from __future__ import annotations

import pytest

from jido_persistence.memory import MemoryAdapter
from jido_persistence_conformance import AdapterConformance, ClassStoreFactory, StoreFactory


class TestMemoryAdapterConformance(AdapterConformance):
    """MemoryAdapter keeps the contract: every kit test passes on it."""

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        """Fresh MemoryAdapter instances."""
        return ClassStoreFactory(MemoryAdapter)
