"""Fixtures shared by the core tests: a fresh in-memory reference store per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jido_persistence.memory import MemoryAdapter


@pytest.fixture
def store() -> Iterator[MemoryAdapter]:
    """An empty MemoryAdapter, closed after the test."""
    with MemoryAdapter() as adapter:
        yield adapter
