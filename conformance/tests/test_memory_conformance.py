"""The in-repo run of the whole kit on the reference adapter, through subclassing."""

from __future__ import annotations

import pytest

from jido_persistence.memory import MemoryAdapter
from jido_persistence_conformance import (
    AdapterConformance,
    AsyncFacadeFactory,
    ClassStoreFactory,
    StoreFactory,
    UrlStoreFactory,
)


class TestMemoryAdapterConformance(AdapterConformance):
    """MemoryAdapter keeps the contract: every kit test passes on it."""

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        """Fresh MemoryAdapter instances."""
        return ClassStoreFactory(MemoryAdapter)


class TestMemoryThroughAsyncio(AdapterConformance):
    """The whole kit through the async facade over threads (``open_async_store``)."""

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        """Memory stores opened with ``open_async_store("memory://")``."""
        return AsyncFacadeFactory(UrlStoreFactory("memory://"))
