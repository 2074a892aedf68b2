"""PostgreSQL adapter for jido-persistence: many processes on many hosts share one store.

Open it with ``open_store("postgresql://user@host:5432/db?schema=chat")``.  Importing
this package does not import psycopg (adapter listing stays cheap); the adapter class
is loaded on first access of :data:`PostgresAdapter`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jido_persistence_postgres._options import PostgresOptions
    from jido_persistence_postgres.adapter import PostgresAdapter

__all__ = ["PostgresAdapter", "PostgresOptions"]


def __getattr__(name: str) -> Any:
    if name == "PostgresAdapter":
        from jido_persistence_postgres.adapter import PostgresAdapter

        return PostgresAdapter
    if name == "PostgresOptions":
        from jido_persistence_postgres._options import PostgresOptions

        return PostgresOptions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
