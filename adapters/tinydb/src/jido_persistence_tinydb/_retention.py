"""The retention group (contract 9.3) of the TinyDB adapter.

A mixin of :class:`~jido_persistence_tinydb.TinyDBAdapter`: each call computes its
record-level operations from the in-memory indexes and commits them as ONE journal
record, so it is all-or-nothing on disk and in memory, like every other callback.
``delete_messages`` cuts the scope's sorted list at ``before`` (O(log n + deleted));
``erase_participant`` finds the participant's messages in every room through the
sender index (O(its messages)) and its keys by a scan of the participant keys held in
memory (O(keys)).  Message keys live on the message documents, so removing or
redacting a message leaves its key to the next most recently saved holder.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from jido_persistence.errors import NotFound
from jido_persistence.indexes import ids_before, message_scope
from jido_persistence.models import Erasure
from jido_persistence.redaction import needs_redaction, redacted
from jido_persistence.transactions import StoreLock
from jido_persistence_tinydb._interchange import document_sequence
from jido_persistence_tinydb._state import StoreState
from jido_persistence_tinydb._tables import Delete, Op, encode_model, put

__all__ = ["TinyDBRetention"]


class TinyDBRetention:
    """``delete_messages``, ``erase_participant`` and ``delete_onboarding`` on TinyDB."""

    if TYPE_CHECKING:
        _lock: StoreLock
        _state: StoreState

        def _check_open(self) -> None: ...
        def _commit(self, ops: list[Op]) -> None: ...

    def _delete_messages(
        self, room_id: str, *, before: datetime, thread_id: str | None = None
    ) -> int:
        """One journal record deleting the scope's messages before the cut."""
        with self._lock:
            self._check_open()
            state = self._state
            scope = message_scope(state.room_messages, state.thread_messages, room_id, thread_id)
            ops: list[Op] = [Delete("messages", found) for found in ids_before(scope, before)]
            if ops:
                self._commit(ops)
            return len(ops)

    def _erase_participant(self, participant_id: str, *, messages: str = "delete") -> Erasure:
        """One journal record removing the record, its keys and its messages (or
        storing them redacted in place: a redaction is an erasure, not a save, so each
        keeps its save sequence and its place in an export)."""
        with self._lock:
            self._check_open()
            state = self._state
            had_record = participant_id in state.participants
            ops: list[Op] = [Delete("participants", participant_id)] if had_record else []
            keys = [key for key, owner in state.participant_keys.items() if owner == participant_id]
            ops += [Delete("participant_keys", key) for key in keys]
            changed = 0
            for message_id in sorted(state.sender_messages.get(participant_id, ())):
                if messages == "delete":
                    ops.append(Delete("messages", message_id))
                elif needs_redaction(stored := state.messages[message_id]):
                    clean = redacted(stored)
                    sequence = document_sequence(state.docs["messages"][message_id])
                    ops.append(put("messages", encode_model(clean, sequence), clean))
                else:
                    continue
                changed += 1
            if ops:
                self._commit(ops)
            return Erasure(participants=int(had_record), messages=changed, keys=len(keys))

    def _delete_onboarding(self, onboarding_id: str) -> None:
        """Remove the flow (one journal record).  Raises NotFound("onboarding", id)."""
        with self._lock:
            self._check_open()
            if onboarding_id not in self._state.onboarding:
                raise NotFound("onboarding", onboarding_id)
            self._commit([Delete("onboarding", onboarding_id)])
