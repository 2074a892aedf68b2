"""jido-persistence-sqlite: the persistence contract on one SQLite file (standard library).

Open a store with ``jido_persistence.open_store("sqlite:///chat.sqlite3")`` (or
``SQLiteAdapter(path=...)``); several processes on one machine may share the file.  The
names load on first access, so discovering the plugin imports nothing heavy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jido_persistence_sqlite._options import SQLiteOptions
    from jido_persistence_sqlite.adapter import SQLiteAdapter

__all__ = ["SQLiteAdapter", "SQLiteOptions"]

_MODULES = {"SQLiteAdapter": ".adapter", "SQLiteOptions": "._options"}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return getattr(importlib.import_module(_MODULES[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
