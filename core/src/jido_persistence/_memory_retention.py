"""The retention group (contract 9.3) of the in-memory reference adapter.

A mixin of :class:`~jido_persistence.memory.MemoryAdapter`, kept apart so that the
adapter module stays one job: it works on the adapter's dicts and sorted lists under
the adapter's lock, so each call is atomic.  ``delete_messages`` cuts the scope's
sorted list at ``before`` (O(log n + deleted)); ``erase_participant`` finds the
participant's messages in every room through the sender index (O(its messages), not
a scan of the rooms) and its keys by a scan of the participant keys (O(keys)).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sortedcontainers import SortedList  # type: ignore[import-untyped]

from jido_persistence.errors import NotFound
from jido_persistence.indexes import ids_before, message_scope
from jido_persistence.models import Erasure, Message, Participant
from jido_persistence.redaction import needs_redaction, redacted
from jido_persistence.transactions import StoreLock

__all__ = ["MemoryRetention"]


class MemoryRetention:
    """``delete_messages``, ``erase_participant`` and ``delete_onboarding`` in memory."""

    if TYPE_CHECKING:
        _lock: StoreLock
        _messages: dict[str, Message]
        _room_messages: dict[str, SortedList]
        _thread_messages: dict[tuple[str, str], SortedList]
        _sender_messages: dict[str, set[str]]
        _participants: dict[str, Participant]
        _participant_keys: dict[tuple[str, str], str]
        _onboarding: dict[str, dict[str, Any]]

        def _check_open(self) -> None: ...
        def _store_message(self, message: Message, *, in_place: bool = False) -> None: ...
        def _remove_message(self, message_id: str) -> None: ...

    def _delete_messages(
        self, room_id: str, *, before: datetime, thread_id: str | None = None
    ) -> int:
        """Remove the scope's messages sorting before ``(before, "")``: every ``None``
        timestamp and every ``inserted_at < before``.  O(log n + deleted)."""
        with self._lock:
            self._check_open()
            scope = message_scope(self._room_messages, self._thread_messages, room_id, thread_id)
            doomed = ids_before(scope, before)
            for message_id in doomed:
                self._remove_message(message_id)
            return len(doomed)

    def _erase_participant(self, participant_id: str, *, messages: str = "delete") -> Erasure:
        """Remove the record and the keys pointing at it; delete or redact its messages."""
        with self._lock:
            self._check_open()
            removed = self._participants.pop(participant_id, None)
            keys = [key for key, owner in self._participant_keys.items() if owner == participant_id]
            for key in keys:
                del self._participant_keys[key]
            sent = sorted(self._sender_messages.get(participant_id, ()))
            changed = 0
            for message_id in sent:
                if messages == "delete":
                    self._remove_message(message_id)
                    changed += 1
                elif needs_redaction(stored := self._messages[message_id]):
                    self._store_message(redacted(stored), in_place=True)
                    changed += 1
            return Erasure(
                participants=0 if removed is None else 1, messages=changed, keys=len(keys)
            )

    def _delete_onboarding(self, onboarding_id: str) -> None:
        """Remove the flow.  Raises NotFound("onboarding", onboarding_id).  O(1)."""
        with self._lock:
            self._check_open()
            if self._onboarding.pop(onboarding_id, None) is None:
                raise NotFound("onboarding", onboarding_id)
