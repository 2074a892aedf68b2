"""The DuckDB adapter's options (``duckdb:///chat.duckdb?threads=2`` or keywords)."""

from __future__ import annotations

from pydantic import Field

from jido_persistence.adapter import AdapterOptions
from jido_persistence.transactions import DEFAULT_BUSY_TIMEOUT

__all__ = ["DuckDBOptions"]


class DuckDBOptions(AdapterOptions):
    """Options of :class:`~jido_persistence_duckdb.DuckDBAdapter`."""

    path: str = Field(
        default="jido_persistence.duckdb",
        description="database file (relative to the working directory) or ':memory:'",
    )
    threads: int | None = Field(
        default=None, ge=1, description="DuckDB worker threads (DuckDB's default: all cores)"
    )
    memory_limit: str | None = Field(
        default=None, description="DuckDB memory_limit, such as '1GB' (DuckDB's default)"
    )
    busy_timeout: float = Field(
        default=DEFAULT_BUSY_TIMEOUT,
        gt=0,
        description="seconds a write waits for another thread's transaction() block, "
        "then StorageError",
    )
