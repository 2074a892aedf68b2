"""Fixtures of the SQLite adapter tests: a fresh store file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jido_persistence_sqlite.adapter import SQLiteAdapter


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """The path of a not yet created SQLite file."""
    return tmp_path / "store.sqlite3"


@pytest.fixture
def store(store_path: Path) -> Iterator[SQLiteAdapter]:
    """An open store on a fresh file, closed after the test."""
    adapter = SQLiteAdapter(path=str(store_path))
    yield adapter
    adapter.close()
