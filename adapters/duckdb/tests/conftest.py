"""Fixtures of the DuckDB adapter tests: a fresh store file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jido_persistence_duckdb.adapter import DuckDBAdapter


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """The path of a not yet created DuckDB file."""
    return tmp_path / "store.duckdb"


@pytest.fixture
def store(store_path: Path) -> Iterator[DuckDBAdapter]:
    """An open store on a fresh file, closed after the test."""
    adapter = DuckDBAdapter(path=str(store_path))
    yield adapter
    adapter.close()
