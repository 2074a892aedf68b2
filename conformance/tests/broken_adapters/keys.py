"""Seeded bugs in message external-id keys and ``update_message_external_id``."""

from __future__ import annotations

from typing import Any, ClassVar

from jido_persistence.errors import NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message, utc_now
from jido_persistence.state import RecordChange, RecordPut, record_put
from jido_persistence.validation import MessageKey, message_external_key


class BridgeIdNotNormalised(MemoryAdapter):
    """An ``int`` ``metadata["bridge_id"]`` is stored as it is, not as its decimal string."""

    seeded_bug = "external id key not normalised (int bridge id)"
    expected_area: ClassVar[str] = "external_ids"

    def _commit(self, changes: list[RecordChange]) -> None:
        super()._commit(changes)
        for change in changes:
            if not isinstance(change, RecordPut) or change.table != "messages":
                continue
            message: Message = change.record
            key = message_external_key(message)
            bridge_id = message.metadata.get("bridge_id")
            if key is not None and isinstance(bridge_id, int):
                raw: Any = (key[0], bridge_id, key[2])
                state = self._state
                state.message_keys.set(message.id, raw, state.next_save_sequence())


class OldExternalIdStillResolves(MemoryAdapter):
    """``update_message_external_id`` leaves the old key in a separate index."""

    seeded_bug = "old external id still resolving after update_message_external_id"
    expected_area: ClassVar[str] = "external_ids"

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self._old_keys: dict[MessageKey, str] = {}

    def _update_message_external_id(self, message_id: str, external_id: str) -> Message:
        with self._lock:
            old = self._state.messages.get(message_id)
            updated = super()._update_message_external_id(message_id, external_id)
            old_key = None if old is None else message_external_key(old)
            if old_key is not None and old_key != message_external_key(updated):
                self._old_keys[old_key] = message_id
            return updated

    def _get_message_by_external_id(
        self, channel: str, bridge_id: str, external_id: str
    ) -> Message:
        with self._lock:
            try:
                return super()._get_message_by_external_id(channel, bridge_id, external_id)
            except NotFound:
                holder = self._old_keys.get((channel, bridge_id, external_id))
                if holder is not None and holder in self._state.messages:
                    return self._state.messages[holder]
                raise


class KeyResolvesToFirstHolder(MemoryAdapter):
    """A shared key resolves to the first message saved with it, not the latest."""

    seeded_bug = "message key resolves to the first saved holder"
    expected_area: ClassVar[str] = "external_ids"

    def _get_message_by_external_id(
        self, channel: str, bridge_id: str, external_id: str
    ) -> Message:
        with self._lock:
            key = (channel, bridge_id, external_id)
            holders = self._state.message_keys.holders(key)
            if not holders:
                raise NotFound("message", key)
            first = min(holders.items(), key=lambda item: item[1])[0]
            return self._state.messages[first]


class DeleteMessageLeavesKey(MemoryAdapter):
    """``delete_message`` removes the row but not its external-id index entry."""

    seeded_bug = "delete_message leaves the external key behind"
    expected_area: ClassVar[str] = "messages_and_cursors"

    def _delete_message(self, message_id: str) -> None:
        with self._lock:
            message = self._state.messages.get(message_id)
            key = None if message is None else message_external_key(message)
            sequence = None
            if key is not None:
                sequence = self._state.message_keys.holders(key).get(message_id)
            super()._delete_message(message_id)
            if key is not None and sequence is not None:
                self._state.message_keys.set(message_id, key, sequence)


class UpdateExternalIdTouchesUpdatedAt(MemoryAdapter):
    """``update_message_external_id`` also sets ``updated_at`` to now."""

    seeded_bug = "update_message_external_id touches updated_at"
    expected_area: ClassVar[str] = "external_ids"

    def _update_message_external_id(self, message_id: str, external_id: str) -> Message:
        with self._lock:
            updated = super()._update_message_external_id(message_id, external_id)
            touched = updated.model_copy(update={"updated_at": utc_now()})
            self._commit([record_put("messages", touched)])
            return touched


class UpdateExternalIdKeepsSaveOrder(MemoryAdapter):
    """``update_message_external_id`` keeps the message's old save position for its key.

    As an SQL ``UPDATE messages SET external_id = ?`` that forgets the save-sequence
    column: re-keyed onto a key another message holds, the message does not become
    the key's holder when the other was saved after it.
    """

    seeded_bug = "re-keyed message does not become the holder of a key already held"
    expected_area: ClassVar[str] = "external_ids"

    def _update_message_external_id(self, message_id: str, external_id: str) -> Message:
        with self._lock:
            old = self._state.messages.get(message_id)
            old_key = None if old is None else message_external_key(old)
            first_saved = None
            if old_key is not None:
                first_saved = self._state.message_keys.holders(old_key).get(message_id)
            updated = super()._update_message_external_id(message_id, external_id)
            new_key = message_external_key(updated)
            if new_key is not None and first_saved is not None:
                self._state.message_keys.set(message_id, new_key, first_saved)
            return updated
