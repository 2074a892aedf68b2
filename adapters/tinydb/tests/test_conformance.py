"""The whole conformance kit, run on the TinyDB adapter through subclassing."""

from __future__ import annotations

from pathlib import Path

import pytest

from jido_persistence_conformance import AdapterConformance, StoreFactory, UrlStoreFactory


class TestTinyDBConformance(AdapterConformance):
    """TinyDBAdapter keeps the contract: every kit test passes on it."""

    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> StoreFactory:
        """Fresh stores in per-test temporary directories."""
        return UrlStoreFactory("tinydb:////{tmp}/store.json", tmp_path)
