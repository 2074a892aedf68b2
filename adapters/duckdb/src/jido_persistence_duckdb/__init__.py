"""jido-persistence-duckdb: the persistence contract on an embedded DuckDB file.

Open a store with ``jido_persistence.open_store("duckdb:///chat.duckdb")`` (or
``DuckDBAdapter(path=...)``); analyse it with :mod:`jido_persistence_duckdb.analytics`.
This package module imports nothing heavy, so discovering the plugin does not import
duckdb; ``DuckDBAdapter`` is loaded on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jido_persistence_duckdb.adapter import DuckDBAdapter

__all__ = ["DuckDBAdapter"]


def __getattr__(name: str) -> Any:
    if name == "DuckDBAdapter":
        from jido_persistence_duckdb.adapter import DuckDBAdapter

        return DuckDBAdapter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
