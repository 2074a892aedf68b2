"""The in-memory image of a TinyDB store: every document, decoded records, and indexes.

:class:`StoreState` changes only through :meth:`StoreState.apply` of record-level
operations (:class:`~jido_persistence_tinydb._tables.Put`,
:class:`~jido_persistence_tinydb._tables.Delete`), the same operations the journal
records, so a live store and one rebuilt from snapshot + journal are identical.  The
indexes are those of the reference :class:`~jido_persistence.memory.MemoryAdapter`:
O(1) dict lookups for ids and keys, sorted lists for pages, and "most recently saved
holder" sets for message and thread keys.  Not thread-safe: the adapter's lock guards it.

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

from sortedcontainers import SortedDict, SortedList  # type: ignore[import-untyped]

from jido_persistence.adapter import RawIndex
from jido_persistence.errors import StorageError
from jido_persistence.indexes import SortKey, sort_key
from jido_persistence.models import (
    BridgeConfig,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
from jido_persistence.validation import MessageKey
from jido_persistence_tinydb._keys import CompactKeyHolders
from jido_persistence_tinydb._tables import (
    KEY_OF,
    SEQUENCE_FIELD,
    TABLES,
    Document,
    Key,
    Op,
    Put,
)

__all__ = ["BindingKey", "LazyMessages", "SortKey", "StoreState", "decode_document", "sort_key"]

BindingKey = tuple[str, str, str]


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


class StoreState:
    """Documents, records and indexes of one store; see the module docstring."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[Key, bytes]] = {table: {} for table in TABLES}
        self.save_sequence = 0
        self.rooms: dict[str, Room] = {}
        self.room_order = SortedList()
        self.participants: dict[str, Participant] = SortedDict()
        """By id, sorted: ``list_participants`` pages it."""
        self.participant_keys: dict[tuple[str, str], str] = {}
        self.messages = LazyMessages(self.docs["messages"])
        self.room_messages: dict[str, SortedList] = {}
        self.thread_messages: dict[tuple[str, str], SortedList] = {}
        self.message_keys: CompactKeyHolders[MessageKey] = CompactKeyHolders()
        self.sender_messages: dict[str, set[str]] = {}
        """Sender id -> the ids of its messages (``erase_participant`` without a scan)."""
        self.threads: dict[str, Thread] = {}
        self.room_threads: dict[str, SortedList] = {}
        self.thread_external_keys: CompactKeyHolders[tuple[str, str]] = CompactKeyHolders()
        self.thread_root_keys: CompactKeyHolders[tuple[str, str]] = CompactKeyHolders()
        self.bindings: dict[str, RoomBinding] = {}
        self.room_bindings: dict[str, dict[str, RoomBinding]] = {}
        self.binding_by_room_key: dict[tuple[str, BindingKey], str] = {}
        self.binding_keys: dict[BindingKey, str] = {}
        self.onboarding: dict[str, dict[str, Any]] = SortedDict()
        """By onboarding id, sorted: ``list_onboardings`` pages it."""
        self.bridge_configs: dict[str, BridgeConfig] = {}
        self.routing_policies: dict[str, RoutingPolicy] = {}
        self.ingress: dict[str, dict[str, IngressSubscription]] = {}

    def next_save_sequence(self) -> int:
        """A save sequence number above every one stored (not consumed until applied)."""
        return self.save_sequence + 1

    def apply(self, op: Op) -> None:
        """Apply one operation: O(log n) for sorted tables, O(1) otherwise.

        A put stores the document's text (``op.encoded()``), not ``op.doc``.
        """
        if isinstance(op, Put):
            key = KEY_OF[op.table](op.doc)
            if key in self.docs[op.table]:
                self._delete(op.table, key)
            self.docs[op.table][key] = op.encoded()
            self._put(op.table, key, op.doc, op.record)
        elif op.key in self.docs[op.table]:
            self._delete(op.table, op.key)
            del self.docs[op.table][op.key]

    def _put(self, table: str, key: Key, doc: Document, record: Any) -> None:
        if table == "rooms":
            self.rooms[record.id] = record
            self.room_order.add(sort_key(record.inserted_at, record.id))
        elif table == "participants":
            self.participants[record.id] = record
        elif table == "participant_keys":
            self.participant_keys[key] = record  # type: ignore[index]
        elif table == "messages":
            self._put_message(doc, record, self._sequence_of(doc))
        elif table == "threads":
            self._put_thread(record, self._sequence_of(doc))
        elif table == "room_bindings":
            binding: RoomBinding = record
            room_key = (binding.channel, binding.bridge_id, binding.external_room_id)
            self.bindings[binding.id] = binding
            self.room_bindings.setdefault(binding.room_id, {})[binding.id] = binding
            self.binding_by_room_key[(binding.room_id, room_key)] = binding.id
        elif table == "binding_keys":
            self.binding_keys[key] = record  # type: ignore[index]
        elif table == "onboarding":
            self.onboarding[record["onboarding_id"]] = record
        elif table == "bridge_configs":
            self.bridge_configs[record.id] = record
        elif table == "routing_policies":
            self.routing_policies[record.room_id] = record
        elif table == "ingress_subscriptions":
            self.ingress.setdefault(record.bridge_id, {})[record.subscription_id] = record

    def _sequence_of(self, doc: Document) -> int:
        sequence = int(doc[SEQUENCE_FIELD])
        self.save_sequence = max(self.save_sequence, sequence)
        return sequence

    def _put_message(self, doc: Document, message: Message | None, sequence: int) -> None:
        """Index a message from its model or, when ``None`` (loading), its document."""
        message_id, room_id, thread_id, entry, key, sender_id = _message_index(doc, message)
        self.messages.set(message_id, message)
        self.sender_messages.setdefault(_interned(sender_id), set()).add(message_id)
        self.room_messages.setdefault(room_id, SortedList()).add(entry)
        if thread_id is not None:
            self.thread_messages.setdefault((room_id, thread_id), SortedList()).add(entry)
        self.message_keys.set(message_id, key, sequence)

    def _delete_message(self, message_id: str) -> None:
        message = self.messages.cached(message_id)
        doc = {} if message is not None else decode_document(self.docs["messages"][message_id])
        _, room_id, thread_id, entry, _, sender_id = _message_index(doc, message)
        self.messages.discard(message_id)
        sent = self.sender_messages[sender_id]
        sent.discard(message_id)
        if not sent:
            del self.sender_messages[sender_id]
        _discard_sorted(self.room_messages, room_id, entry)
        if thread_id is not None:
            _discard_sorted(self.thread_messages, (room_id, thread_id), entry)
        self.message_keys.discard(message_id)

    def _put_thread(self, thread: Thread, sequence: int) -> None:
        self.threads[thread.id] = thread
        entry = sort_key(thread.inserted_at, thread.id)
        self.room_threads.setdefault(thread.room_id, SortedList()).add(entry)
        external, root = thread.external_thread_id, thread.root_message_id
        self.thread_external_keys.set(
            thread.id, None if external is None else (thread.room_id, external), sequence
        )
        self.thread_root_keys.set(
            thread.id, None if root is None else (thread.room_id, root), sequence
        )

    def _delete(self, table: str, key: Any) -> None:
        """Drop the record ``key`` of ``table`` from the records and indexes."""
        if table == "rooms":
            room = self.rooms.pop(key, None)
            if room is not None:
                self.room_order.remove(sort_key(room.inserted_at, room.id))
        elif table == "participants":
            self.participants.pop(key, None)
        elif table == "participant_keys":
            self.participant_keys.pop(key, None)
        elif table == "messages":
            self._delete_message(key)
        elif table == "threads":
            thread = self.threads.pop(key, None)
            if thread is not None:
                entry = sort_key(thread.inserted_at, thread.id)
                _discard_sorted(self.room_threads, thread.room_id, entry)
                self.thread_external_keys.discard(thread.id)
                self.thread_root_keys.discard(thread.id)
        elif table == "room_bindings":
            self._delete_binding(key)
        elif table == "binding_keys":
            self.binding_keys.pop(key, None)
        elif table == "onboarding":
            self.onboarding.pop(key, None)
        elif table == "bridge_configs":
            self.bridge_configs.pop(key, None)
        elif table == "routing_policies":
            self.routing_policies.pop(key, None)
        elif table == "ingress_subscriptions":
            bridge = self.ingress.get(key[0])
            if bridge is not None:
                bridge.pop(key[1], None)
                if not bridge:
                    del self.ingress[key[0]]

    def _delete_binding(self, binding_id: str) -> None:
        binding = self.bindings.pop(binding_id, None)
        if binding is None:
            return
        room_key = (binding.channel, binding.bridge_id, binding.external_room_id)
        room_bindings = self.room_bindings[binding.room_id]
        del room_bindings[binding.id]
        if not room_bindings:
            del self.room_bindings[binding.room_id]
        del self.binding_by_room_key[(binding.room_id, room_key)]

    def raw_index(self) -> RawIndex:
        """The keys and row counts of this state (for the kit's back door)."""
        return RawIndex(
            room_binding_keys=dict(self.binding_keys),
            participant_keys=dict(self.participant_keys),
            message_keys=self.message_keys.snapshot(),
            thread_external_keys=self.thread_external_keys.snapshot(),
            thread_root_keys=self.thread_root_keys.snapshot(),
            row_counts={
                "rooms": len(self.rooms),
                "participants": len(self.participants),
                "messages": len(self.messages),
                "threads": len(self.threads),
                "room_bindings": len(self.bindings),
                "onboarding": len(self.onboarding),
                "bridge_configs": len(self.bridge_configs),
                "routing_policies": len(self.routing_policies),
                "ingress_subscriptions": sum(len(subs) for subs in self.ingress.values()),
            },
        )


def decode_document(text: bytes) -> Document:
    """The document whose JSON text is ``text`` (stored texts are always JSON objects)."""
    doc: Document = json.loads(text.decode("utf-8"))
    return doc


def _message_index(
    doc: Document, message: Message | None
) -> tuple[str, str, str | None, SortKey, MessageKey | None, str]:
    """id, room, thread, sort key, external key and sender of a message (model or
    document)."""
    if message is not None:
        inserted_at = message.inserted_at
        external_id, metadata = message.external_id, message.metadata
        message_id, room_id, thread_id = message.id, message.room_id, message.thread_id
        sender_id = message.sender_id
    else:
        text = doc.get("inserted_at")
        inserted_at = None if text is None else datetime.fromisoformat(text)
        external_id, metadata = doc.get("external_id"), doc.get("metadata") or {}
        message_id, room_id, thread_id = doc["id"], doc["room_id"], doc.get("thread_id")
        sender_id = doc["sender_id"]
    return (
        message_id,
        room_id,
        thread_id,
        sort_key(inserted_at, message_id),
        _external_key(external_id, metadata),
        sender_id,
    )


def _external_key(external_id: str | None, metadata: Mapping[str, Any]) -> MessageKey | None:
    """The message key of a stored message (its metadata was checked when it was saved).

    Equal to :func:`jido_persistence.validation.message_external_key` for every message
    that ``save_message`` accepts.
    """
    if external_id is None:
        return None
    channel, bridge_id = metadata.get("channel"), metadata.get("bridge_id")
    if channel is None or bridge_id is None:
        return None
    return (_interned(channel), _interned(str(bridge_id)), external_id)


def _interned(text: str) -> str:
    """``text`` interned: channels and bridge ids repeat in every message key."""
    return sys.intern(text) if type(text) is str else text


def _discard_sorted(index: dict[Any, SortedList], scope: Any, entry: SortKey) -> None:
    entries = index.get(scope)
    if entries is None:
        return
    entries.discard(entry)
    if not entries:
        del index[scope]
