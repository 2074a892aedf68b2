"""The conformance kit, run against the DuckDB adapter on a fresh file per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from jido_persistence_conformance import AdapterConformance, StoreFactory, UrlStoreFactory


class TestDuckDBConformance(AdapterConformance):
    """Every contract test of the kit, on ``duckdb:////<tmp>/store.duckdb``."""

    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> StoreFactory:
        """A fresh DuckDB file inside the test's temporary directory."""
        return UrlStoreFactory("duckdb:////{tmp}/store.duckdb", tmp_path)
