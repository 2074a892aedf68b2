"""The conformance kit, run on the PostgreSQL adapter by subclassing."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

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

    # Known failure: the native async store's database has no synchronous pool, which
    # the PostgreSQL export (a server-side cursor) and import (COPY) take connections
    # from; strict xfails, so the entries must go when it is fixed.
    conformance_xfail: ClassVar[Mapping[str, str]] = dict.fromkeys(
        (
            "test_an_imported_store_answers_every_read_as_the_original",
            "test_a_key_held_by_several_messages_resolves_and_falls_back_as_before",
            "test_import_refuses_a_store_that_holds_anything",
            "test_a_failing_import_leaves_the_store_empty",
            # The capabilities area calls export_records, which crashes the same way.
            "test_declared_groups_are_real",
        ),
        "export/import on the native async store: AsyncDatabase has no sync pool",
    )

    @pytest.fixture
    def store_factory(self, server_url: str, tmp_path: Path) -> StoreFactory:
        """Fresh schemas, opened with ``open_async_store``."""
        template = with_schema(server_url, UNIQUE).replace(UNIQUE, "{unique}")
        return AsyncFacadeFactory(UrlStoreFactory(template, tmp_path))
