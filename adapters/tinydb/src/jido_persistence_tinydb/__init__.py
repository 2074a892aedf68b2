"""jido-persistence-tinydb: the embedded default store, a durable journaled JSON file.

Open it with ``open_store("tinydb:///chat.json")`` (or with no argument at all: it is
the embedded default).  :class:`TinyDBAdapter` is the adapter,
:class:`TinyDBOptions` its options and :class:`SnapshotStorage` the TinyDB storage
that reads and atomically writes its snapshot file.
"""

from __future__ import annotations

from jido_persistence_tinydb.adapter import TinyDBAdapter, TinyDBOptions
from jido_persistence_tinydb.storage import SnapshotStorage

__all__ = ["SnapshotStorage", "TinyDBAdapter", "TinyDBOptions"]
