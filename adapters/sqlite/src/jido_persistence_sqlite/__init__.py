"""jido-persistence-sqlite: the persistence contract on one SQLite file (standard library).

Open a store with ``jido_persistence.open_store("sqlite:///chat.sqlite3")`` (or
``SQLiteAdapter(path=...)``).  Several processes on one machine may share the file.
This package module imports nothing heavy, so discovering the plugin stays cheap;
``SQLiteAdapter`` is loaded on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jido_persistence_sqlite._options import SQLiteOptions
    from jido_persistence_sqlite.adapter import SQLiteAdapter

__all__ = ["SQLiteAdapter", "SQLiteOptions"]


def __getattr__(name: str) -> Any:
    if name == "SQLiteAdapter":
        from jido_persistence_sqlite.adapter import SQLiteAdapter

        return SQLiteAdapter
    if name == "SQLiteOptions":
        from jido_persistence_sqlite._options import SQLiteOptions

        return SQLiteOptions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
