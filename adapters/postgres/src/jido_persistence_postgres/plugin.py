"""Plugin module of ``jido-persistence-postgres``: registers the ``postgres`` adapter.

Only a string reference is registered, so listing adapters does not import psycopg.
"""

from __future__ import annotations

from jido_persistence.hookspecs import RegisterAdapter, hookimpl

__all__ = ["jido_persistence_register_adapters"]


@hookimpl
def jido_persistence_register_adapters(register: RegisterAdapter) -> None:
    """Register ``postgres`` (alias ``postgresql``; URLs ``postgresql://`` and ``postgres://``)."""
    register(
        "postgres",
        "jido_persistence_postgres.adapter:PostgresAdapter",
        schemes=["postgresql", "postgres"],
        description="PostgreSQL: many processes on many hosts share one database.",
        aliases=["postgresql"],
    )
