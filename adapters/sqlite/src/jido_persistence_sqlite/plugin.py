"""Plugin module of ``jido-persistence-sqlite``: registers the ``sqlite`` adapter.

Only a string reference is registered, so listing adapters imports nothing of the adapter.
"""

from __future__ import annotations

from jido_persistence.hookspecs import RegisterAdapter, hookimpl

__all__ = ["jido_persistence_register_adapters"]


@hookimpl
def jido_persistence_register_adapters(register: RegisterAdapter) -> None:
    """Register ``sqlite`` (URLs ``sqlite:///relative.sqlite3``, ``sqlite:////absolute``)."""
    register(
        "sqlite",
        "jido_persistence_sqlite.adapter:SQLiteAdapter",
        schemes=["sqlite"],
        description="SQLite: several processes on one machine share one file.",
    )
