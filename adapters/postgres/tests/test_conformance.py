"""The conformance kit, run on the PostgreSQL adapter by subclassing."""

from __future__ import annotations

from pathlib import Path

import pytest

from jido_persistence_conformance import (
    AdapterConformance,
    AsyncFacadeFactory,
    StoreFactory,
    UrlStoreFactory,
)
from jido_persistence_postgres._options import with_schema

UNIQUE = "jp0unique0placeholder"


class TestPostgresConformance(AdapterConformance):
    """PostgresAdapter keeps the contract: every kit test passes on it, races included."""

    @pytest.fixture
    def store_factory(self, server_url: str, tmp_path: Path) -> StoreFactory:
        """Stores in fresh schemas of the test database, dropped afterwards."""
        template = with_schema(server_url, UNIQUE).replace(UNIQUE, "{unique}")
        return UrlStoreFactory(template, tmp_path)


class TestPostgresNativeAsyncConformance(AdapterConformance):
    """The whole kit through the native async store (psycopg's async pool, no threads)."""

    @pytest.fixture
    def store_factory(self, server_url: str, tmp_path: Path) -> StoreFactory:
        """Fresh schemas, opened with ``open_async_store``."""
        template = with_schema(server_url, UNIQUE).replace(UNIQUE, "{unique}")
        return AsyncFacadeFactory(UrlStoreFactory(template, tmp_path))
