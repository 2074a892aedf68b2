"""The in-memory image of a TinyDB store: every document, decoded records, and indexes.

:class:`StoreState` is the core's :class:`~jido_persistence.state.InMemoryState` (the
records and indexes the memory adapter keeps too, read and written by the same
callbacks) plus the text of every document.  It changes only through
:meth:`StoreState.apply_op` of document operations
(:class:`~jido_persistence_tinydb._tables.Put`,
:class:`~jido_persistence_tinydb._tables.Delete`), the same operations the journal
records, so a live store and one rebuilt from snapshot + journal are identical.  Not
thread-safe: the adapter's lock guards it.

Memory: documents are kept as their compact JSON text (UTF-8 bytes, as the snapshot
writes them), not as dicts; messages are decoded from it when read (with an LRU cache
of decoded models), other records are kept decoded as well.  The message indexes hold
only what they need (sort keys, key tuples with interned channel and bridge ids).
"""

from __future__ import annotations

import json
import sys
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from jido_persistence.errors import StorageError
from jido_persistence.indexes import sort_key
from jido_persistence.models import Message
from jido_persistence.state import (
    SEQUENCED_TABLES,
    InMemoryState,
    MessageEntry,
    external_key,
    message_entry,
)
from jido_persistence_tinydb._tables import (
    KEY_OF,
    SEQUENCE_FIELD,
    TABLES,
    Delete,
    Document,
    Key,
    Op,
)

__all__ = ["LazyMessages", "StoreState", "decode_document"]


class LazyMessages(Mapping[str, Message]):
    """Message id -> Message over the message documents' JSON text, with a bounded
    decoded cache.

    Opening a store builds the message indexes from the documents alone (no model
    validation), so it costs O(n) with a small constant.  Decoded models are kept in
    an LRU cache of ``capacity`` entries (10,000 by default; saved messages enter it),
    so memory stays near the documents' size however much is read; a miss parses the
    document's JSON and validates it (tens of microseconds).  A document that does not
    validate (only a hand-edited snapshot can hold one) raises StorageError when read.
    """

    def __init__(self, docs: dict[Any, bytes], capacity: int = 10_000) -> None:
        self._docs = docs
        self._capacity = capacity
        self._cache: OrderedDict[str, Message] = OrderedDict()

    def set(self, message_id: str, message: Message | None) -> None:
        """Cache ``message`` (``None``: decode it from its document when first read)."""
        if message is None:
            self._cache.pop(message_id, None)
        else:
            self._remember(message_id, message)

    def _remember(self, message_id: str, message: Message) -> None:
        self._cache[message_id] = message
        self._cache.move_to_end(message_id)
        if len(self._cache) > self._capacity:
            self._cache.popitem(last=False)

    def cached(self, message_id: str) -> Message | None:
        """The decoded message if it is in the cache (no decoding here)."""
        return self._cache.get(message_id)

    def discard(self, message_id: str) -> None:
        """Drop the message from the cache (its document is removed by the caller)."""
        self._cache.pop(message_id, None)

    def __getitem__(self, message_id: str) -> Message:
        message = self._cache.get(message_id)
        if message is not None:
            self._cache.move_to_end(message_id)
            return message
        doc = decode_document(self._docs[message_id])
        doc.pop(SEQUENCE_FIELD, None)
        try:
            message = Message.model_validate(doc)
        except ValueError as error:
            raise StorageError(f"stored message {message_id!r} is invalid: {error}") from error
        self._remember(message_id, message)
        return message

    def __contains__(self, message_id: object) -> bool:
        return message_id in self._docs

    def __iter__(self) -> Iterator[str]:
        return iter(self._docs)

    def __len__(self) -> int:
        return len(self._docs)


class StoreState(InMemoryState):
    """The shared in-memory state, plus every document's text; see the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self.docs: dict[str, dict[Key, bytes]] = {table: {} for table in TABLES}
        self.messages: LazyMessages = LazyMessages(self.docs["messages"])

    def apply_op(self, op: Op) -> None:
        """Apply one document operation: O(log n) for sorted tables, O(1) otherwise.

        A put stores the document's text (``op.encoded()``), not ``op.doc``; a message
        put without a record (a store being opened) is indexed from its document.
        """
        docs = self.docs[op.table]
        if isinstance(op, Delete):
            if op.key in docs:
                self.delete(op.table, op.key)
                del docs[op.key]
            return
        key = KEY_OF[op.table](op.doc)
        if key in docs:
            self.delete(op.table, key)
        docs[key] = op.encoded()  # a replaced document keeps its place in the snapshot
        sequence = None
        if op.table in SEQUENCED_TABLES:
            sequence = int(op.doc[SEQUENCE_FIELD])
            self.save_sequence = max(self.save_sequence, sequence)
        if op.table == "messages" and op.record is None:
            self.index_message(_document_entry(op.doc), None, sequence or 0)
        else:
            self.insert(op.table, key, op.record, sequence)

    def _keep_message(self, message_id: str, message: Message | None) -> None:
        self.messages.set(message_id, message)

    def _forget_message(self, message_id: str) -> None:
        self.messages.discard(message_id)

    def _message_entry(self, message_id: str) -> MessageEntry:
        message = self.messages.cached(message_id)
        if message is not None:
            return message_entry(message)
        return _document_entry(decode_document(self.docs["messages"][message_id]))


def decode_document(text: bytes) -> Document:
    """The document whose JSON text is ``text`` (stored texts are always JSON objects)."""
    doc: Document = json.loads(text.decode("utf-8"))
    return doc


def _document_entry(doc: Document) -> MessageEntry:
    """The index entry of a message document (no model validation)."""
    text = doc.get("inserted_at")
    inserted_at = None if text is None else datetime.fromisoformat(text)
    message_id = doc["id"]
    return MessageEntry(
        message_id,
        doc["room_id"],
        doc.get("thread_id"),
        sort_key(inserted_at, message_id),
        external_key(doc.get("external_id"), doc.get("metadata") or {}),
        sys.intern(doc["sender_id"]),
    )
