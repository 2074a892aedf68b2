"""Seeded bugs in the optional bulk message saving (``bulk_save_messages``)."""

from __future__ import annotations

from typing import ClassVar

from jido_persistence.bulk import BulkMessageSaving
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message


class BulkAdapter(BulkMessageSaving, MemoryAdapter):
    """The reference adapter with a correct ``bulk_save_messages`` (the control)."""

    def _bulk_save_messages(self, messages: list[Message]) -> int:
        """Save each (already checked) message in order."""
        batch = messages
        with self._lock:
            self._check_open()
            for each in self._order(batch):
                self._save_message(each)
        return len(batch)

    def _order(self, batch: list[Message]) -> list[Message]:
        return batch


class BulkSavesNewestFirst(BulkAdapter):
    """Saves the batch in reverse: a key shared by several messages ends on the wrong holder."""

    seeded_bug = "bulk save in reverse order"
    expected_area: ClassVar[str] = "bulk_messages"

    def _order(self, batch: list[Message]) -> list[Message]:
        return batch[::-1]


class BulkKeepsFirstCopy(BulkAdapter):
    """De-duplicates ids keeping the first copy, where a later re-save should replace it."""

    seeded_bug = "bulk save keeps the first copy of a repeated id"
    expected_area: ClassVar[str] = "bulk_messages"

    def _order(self, batch: list[Message]) -> list[Message]:
        seen: set[str] = set()
        kept = []
        for each in batch:
            if each.id not in seen:
                seen.add(each.id)
                kept.append(each)
        return kept
