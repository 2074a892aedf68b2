"""A bulk loader for benchmarks and imports: many records, one snapshot write.

Not crash-safe while it runs (nothing is journaled until the final compaction writes
the snapshot) and not a contract callback; the benchmarks use it to build a large
store quickly.
"""

from __future__ import annotations

from collections.abc import Iterable

from jido_persistence.models import Message
from jido_persistence_tinydb.adapter import TinyDBAdapter

__all__ = ["bulk_save_messages"]


def bulk_save_messages(store: TinyDBAdapter, messages: Iterable[Message]) -> int:
    """Save ``messages`` as ``save_message`` would, then write one snapshot.  O(n log n).

    Returns the number of messages saved.
    """
    count = 0
    with store._lock:
        store._check_open()
        for message in messages:
            store._state.apply(store._put("messages", message))
            count += 1
        store._files.compact()
    return count
