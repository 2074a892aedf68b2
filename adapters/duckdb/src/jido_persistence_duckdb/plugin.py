"""Plugin module of ``jido-persistence-duckdb``: registers the ``duckdb`` adapter.

Only a string reference is registered, so listing adapters does not import duckdb.
"""

from __future__ import annotations

from jido_persistence.hookspecs import RegisterAdapter, hookimpl

__all__ = ["jido_persistence_register_adapters"]


@hookimpl
def jido_persistence_register_adapters(register: RegisterAdapter) -> None:
    """Register ``duckdb`` (URL ``duckdb:///chat.duckdb`` or ``duckdb:///:memory:``)."""
    register(
        "duckdb",
        "jido_persistence_duckdb.adapter:DuckDBAdapter",
        schemes=["duckdb"],
        description="DuckDB: an embedded analytical database file.",
    )
