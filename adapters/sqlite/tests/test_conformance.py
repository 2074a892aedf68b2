"""The conformance kit, run against the SQLite adapter on a fresh file per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from jido_persistence_conformance import AdapterConformance, StoreFactory, UrlStoreFactory


class TestSQLiteConformance(AdapterConformance):
    """Every contract test of the kit, process races and SIGKILL rounds included."""

    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> StoreFactory:
        """A fresh SQLite file inside the test's temporary directory."""
        return UrlStoreFactory("sqlite:////{tmp}/store.sqlite3", tmp_path)
