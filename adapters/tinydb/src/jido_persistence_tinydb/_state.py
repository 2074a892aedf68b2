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
writes them), not as dicts; decoded messages are kept beside it in a cache bounded by
memory (the ``cache_bytes`` option), filled when the store opens, and other records are
kept decoded as well.  The message indexes hold
only what they need (sort keys, key tuples with interned channel and bridge ids).
"""

from __future__ import annotations

import json
import sys
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Final

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

__all__ = [
    "DECODED_BYTES_PER_TEXT_BYTE",
    "DEFAULT_CACHE_BYTES",
    "LazyMessages",
    "StoreState",
    "decode_document",
]


DECODED_BYTES_PER_TEXT_BYTE: Final = 6
"""The estimated size of a decoded message per byte of its JSON text (measured: about
5.5 for the benchmark's messages, models and their strings and datetimes included)."""

DEFAULT_CACHE_BYTES: Final = 512 * 2**20
"""The default memory for decoded messages: about 170,000 messages of 500 bytes."""


class LazyMessages(Mapping[str, Message]):
    """Message id -> Message over the message documents' JSON text, with a decoded
    cache bounded by memory, not by count.

    Decoded models are kept in an LRU cache of at most ``capacity`` bytes, each model
    counted as :data:`DECODED_BYTES_PER_TEXT_BYTE` times its document's text; saved
    messages enter it, and opening a store decodes the stored messages into it until it
    is full (:meth:`decode_at_open`), so a store that fits reads as fast as the memory
    adapter from its first read on.  A miss parses the document's JSON and validates it
    (tens of microseconds).  ``capacity=0`` keeps nothing (memory near the documents'
    size).  A document that does not validate (only a hand-edited snapshot can hold
    one) raises StorageError when read.
    """

    def __init__(self, docs: dict[Any, bytes], capacity: int = 0) -> None:
        self._docs = docs
        self._capacity = capacity
        self._used = 0
        self._cache: OrderedDict[str, Message] = OrderedDict()

    @property
    def cached_bytes(self) -> int:
        """The estimated memory of the decoded models kept now (at most ``capacity``)."""
        return self._used

    def _cost(self, message_id: str) -> int:
        return len(self._docs[message_id]) * DECODED_BYTES_PER_TEXT_BYTE

    def set(self, message_id: str, message: Message | None) -> None:
        """Cache ``message`` (``None``: decode it from its document when first read);
        its document is already stored."""
        self.discard(message_id)
        if message is not None:
            self._remember(message_id, message)

    def decode_at_open(self, message_id: str, doc: Document) -> Message | None:
        """The message of ``doc`` (``message_id``'s stored document, ``_seq`` included)
        validated, when the cache has room for it; else, or when it does not
        validate, ``None`` (it is then decoded, or fails, when read)."""
        if self._used + self._cost(message_id) > self._capacity:
            return None
        try:
            return Message.model_validate(
                {name: value for name, value in doc.items() if name != SEQUENCE_FIELD}
            )
        except ValueError:
            return None

    def _remember(self, message_id: str, message: Message) -> None:
        self._cache[message_id] = message
        self._used += self._cost(message_id)
        while self._used > self._capacity and self._cache:
            evicted, _ = self._cache.popitem(last=False)
            self._used -= self._cost(evicted)

    def cached(self, message_id: str) -> Message | None:
        """The decoded message if it is in the cache (no decoding here)."""
        return self._cache.get(message_id)

    def discard(self, message_id: str) -> None:
        """Drop the message from the cache, before its document is removed or replaced."""
        if self._cache.pop(message_id, None) is not None:
            self._used -= self._cost(message_id)

    def __getitem__(self, message_id: str) -> Message:
        message = self._cache.get(message_id)
        if message is None:
            return self._decode(message_id)
        # While every stored message is cached there is nothing to evict, so a read
        # leaves the LRU order alone (moving the entry cost a third of a cached read).
        if len(self._cache) < len(self._docs):
            self._cache.move_to_end(message_id)
        return message

    def get(self, message_id: str, default: Any = None) -> Any:
        """The message, or ``default`` when no message has that id (without
        ``Mapping.get``'s ``KeyError`` round trip)."""
        if message_id in self._cache or message_id in self._docs:
            return self[message_id]
        return default

    def _decode(self, message_id: str) -> Message:
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

    def __init__(self, cache_bytes: int = 0) -> None:
        """An empty store keeping up to ``cache_bytes`` of decoded messages."""
        super().__init__()
        self.docs: dict[str, dict[Key, bytes]] = {table: {} for table in TABLES}
        self.messages: LazyMessages = LazyMessages(self.docs["messages"], cache_bytes)

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
            message = self.messages.decode_at_open(key, op.doc)  # type: ignore[arg-type]
            self.index_message(_document_entry(op.doc), message, sequence or 0)
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
