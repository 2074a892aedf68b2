"""jido-persistence-tinydb: the embedded default store, a durable journaled JSON file.

Open it with ``open_store("tinydb:///chat.json")`` (or with no argument at all: it is
the embedded default).  :class:`TinyDBAdapter` is the adapter,
:class:`TinyDBOptions` its options and :class:`SnapshotStorage` the TinyDB storage
that reads and atomically writes its snapshot file.

This package module imports nothing heavy, so discovering the plugin does not import
tinydb; the names above are loaded on first access.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jido_persistence_tinydb.adapter import TinyDBAdapter, TinyDBOptions
    from jido_persistence_tinydb.storage import SnapshotStorage

__all__ = ["SnapshotStorage", "TinyDBAdapter", "TinyDBOptions"]

_HOMES = {
    "TinyDBAdapter": "jido_persistence_tinydb.adapter",
    "TinyDBOptions": "jido_persistence_tinydb.adapter",
    "SnapshotStorage": "jido_persistence_tinydb.storage",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
