"""The records and indexes of a store held in Python: one image for every such adapter.

:class:`InMemoryState` is what the reference memory adapter stores and what the TinyDB
adapter keeps in memory beside its file; :mod:`jido_persistence.state_reads` and
:mod:`jido_persistence.state_writes` implement the callbacks on it once for both.  It
changes only through :meth:`InMemoryState.apply` of record-level changes
(:class:`RecordPut`, :class:`RecordDelete`, :class:`RecordReplace`), so an adapter
that persists the changes (a journal) and replays them rebuilds the very same state.

The indexes: O(1) dicts for ids and keys, ``SortedList`` s of ``(inserted_at, id)``
keys for pages (O(log n) upkeep), id-sorted ``SortedDict`` s for the id-ordered
enumerations, "most recently saved holder" sets for message and thread keys
(:class:`~jido_persistence.indexes.KeyHolders`), a sender index for
``erase_participant`` and trigram indexes of the names for ``directory_search``
(:class:`~jido_persistence.ngrams.NameIndex`).  Not thread-safe: the adapter's lock
guards it.

Tables (the ``table`` of a change, and its ``key``): ``rooms``, ``participants``,
``messages``, ``threads``, ``room_bindings``, ``bridge_configs`` (by ``id``);
``routing_policies`` (by ``room_id``); ``ingress_subscriptions`` (by ``(bridge_id,
subscription_id)``); ``onboarding`` (a flow, by ``onboarding_id``);
``participant_keys`` (``(channel, external_id)`` -> participant id) and
``binding_keys`` (``(channel, bridge_id, external_id)`` -> room id).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, ClassVar, Final, NamedTuple

from sortedcontainers import SortedDict, SortedList  # type: ignore[import-untyped]

from jido_persistence.adapter import RawIndex
from jido_persistence.indexes import KeyHolders, SortKey, sort_key
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
from jido_persistence.ngrams import NameIndex
from jido_persistence.validation import MessageKey

__all__ = [
    "SEQUENCED_TABLES",
    "TABLES",
    "BindingKey",
    "InMemoryState",
    "MessageEntry",
    "RecordChange",
    "RecordDelete",
    "RecordPut",
    "RecordReplace",
    "external_key",
    "message_entry",
    "record_put",
]

BindingKey = tuple[str, str, str]
"""``(channel, bridge_id, external_id)`` of a room binding."""

TABLES: Final = (
    "rooms",
    "participants",
    "participant_keys",
    "messages",
    "threads",
    "room_bindings",
    "binding_keys",
    "onboarding",
    "bridge_configs",
    "routing_policies",
    "ingress_subscriptions",
)
"""Every table of the state."""

SEQUENCED_TABLES: Final = frozenset({"messages", "threads"})
"""The tables whose records carry a save sequence (it decides which holder a key
resolves to)."""


class RecordPut(NamedTuple):
    """Insert or replace ``record`` under ``key`` in ``table``."""

    table: str
    key: Any
    record: Any


class RecordDelete(NamedTuple):
    """Remove the record ``key`` of ``table`` (absent: no effect)."""

    table: str
    key: Any


class RecordReplace(NamedTuple):
    """Store the message ``record`` in the place of its stored version (a redaction):
    it keeps its save sequence and its place in save order, where a put is a new save."""

    table: str
    key: Any
    record: Any


RecordChange = RecordPut | RecordDelete | RecordReplace


def record_put(table: str, record: Any) -> RecordPut:
    """The put of a model (or an onboarding flow) under its primary key."""
    if table == "routing_policies":
        return RecordPut(table, record.room_id, record)
    if table == "ingress_subscriptions":
        return RecordPut(table, (record.bridge_id, record.subscription_id), record)
    if table == "onboarding":
        return RecordPut(table, record["onboarding_id"], record)
    return RecordPut(table, record.id, record)


class MessageEntry(NamedTuple):
    """What the indexes keep of one message."""

    id: str
    room_id: str
    thread_id: str | None
    sort_key: SortKey
    key: MessageKey | None
    sender_id: str


def message_entry(message: Message) -> MessageEntry:
    """The index entry of ``message``."""
    return MessageEntry(
        message.id,
        message.room_id,
        message.thread_id,
        sort_key(message.inserted_at, message.id),
        external_key(message.external_id, message.metadata),
        message.sender_id,
    )


def external_key(external_id: str | None, metadata: Mapping[str, Any]) -> MessageKey | None:
    """The key of a stored message (its metadata was checked when it was saved).

    Equal to :func:`jido_persistence.validation.message_external_key` for every message
    ``save_message`` accepts; channels and bridge ids are interned (they repeat in
    every key).
    """
    if external_id is None:
        return None
    channel, bridge_id = metadata.get("channel"), metadata.get("bridge_id")
    if channel is None or bridge_id is None:
        return None
    return (_interned(str(channel)), _interned(str(bridge_id)), external_id)


def _interned(text: str) -> str:
    return sys.intern(text) if type(text) is str else text


class InMemoryState:
    """The records and indexes of one store; see the module docstring.

    Subclasses may keep messages elsewhere (the TinyDB adapter keeps their JSON text
    and decodes on read): they override :meth:`_keep_message`, :meth:`_forget_message`
    and :meth:`_message_entry` and give ``messages`` as a ``Mapping``.
    """

    copied_by_attributes: ClassVar[bool] = True
    """A transaction snapshot copies an instance attribute by attribute."""

    def __init__(self) -> None:
        """An empty store."""
        self.save_sequence = 0
        self.rooms: dict[str, Room] = {}
        self.room_order = SortedList()
        self.room_names = NameIndex()
        self.participants: dict[str, Participant] = SortedDict()
        """By id, sorted: ``list_participants`` pages it."""
        self.participant_names = NameIndex()
        self.participant_keys: dict[tuple[str, str], str] = {}
        self.messages: Mapping[str, Message] = {}
        self.room_messages: dict[str, SortedList] = {}
        self.thread_messages: dict[tuple[str, str], SortedList] = {}
        self.message_keys: KeyHolders[MessageKey] = KeyHolders()
        self.sender_messages: dict[str, set[str]] = {}
        """Sender id -> the ids of its messages (``erase_participant`` without a scan)."""
        self.threads: dict[str, Thread] = {}
        self.room_threads: dict[str, SortedList] = {}
        self.thread_external_keys: KeyHolders[tuple[str, str]] = KeyHolders()
        self.thread_root_keys: KeyHolders[tuple[str, str]] = KeyHolders()
        self.bindings: dict[str, RoomBinding] = {}
        self.room_bindings: dict[str, dict[str, RoomBinding]] = {}
        self.binding_by_room_key: dict[tuple[str, BindingKey], str] = {}
        self.binding_keys: dict[BindingKey, str] = {}
        self.onboarding: dict[str, dict[str, Any]] = SortedDict()
        """By onboarding id, sorted: ``list_onboardings`` pages it."""
        self.bridge_configs: dict[str, BridgeConfig] = {}
        self.routing_policies: dict[str, RoutingPolicy] = {}
        self.ingress: dict[str, dict[str, IngressSubscription]] = {}
        """Bridge id -> subscription id -> subscription."""

    def next_save_sequence(self) -> int:
        """A save sequence number above every one stored (not consumed until applied)."""
        return self.save_sequence + 1

    def apply(self, change: RecordChange, sequence: int | None = None) -> None:
        """Apply one change: O(log n) for sorted tables, O(1) otherwise (plus the
        name's length for rooms and participants).

        ``sequence`` is the save sequence of a message or thread put (``None``: the
        next one); it becomes the state's sequence when it is above it.
        """
        if isinstance(change, RecordReplace):
            self.replace_message(change.key, change.record)
            return
        self.delete(change.table, change.key)
        if isinstance(change, RecordPut):
            if change.table in SEQUENCED_TABLES:
                sequence = self.next_save_sequence() if sequence is None else sequence
                self.save_sequence = max(self.save_sequence, sequence)
            self.insert(change.table, change.key, change.record, sequence)

    def insert(self, table: str, key: Any, record: Any, sequence: int | None = None) -> None:
        """Index ``record`` under ``key`` (nothing is held there: :meth:`delete` it
        first).  ``sequence``: the save sequence of a message or thread."""
        if table == "messages":
            self.index_message(message_entry(record), record, sequence or 0)
        elif table == "threads":
            self._put_thread(record, sequence or 0)
        elif table == "rooms":
            self.rooms[key] = record
            self.room_order.add(sort_key(record.inserted_at, key))
            self.room_names.set(key, record.name)
        elif table == "participants":
            self.participants[key] = record
            self.participant_names.set(key, record.identity.get("name"))
        elif table == "room_bindings":
            binding: RoomBinding = record
            room_key = (binding.channel, binding.bridge_id, binding.external_room_id)
            self.bindings[key] = binding
            self.room_bindings.setdefault(binding.room_id, {})[key] = binding
            self.binding_by_room_key[(binding.room_id, room_key)] = key
        elif table == "ingress_subscriptions":
            self.ingress.setdefault(key[0], {})[key[1]] = record
        else:
            self._table(table)[key] = record

    def _table(self, table: str) -> dict[Any, Any]:
        """The plain dict of a table kept by key alone."""
        tables: dict[str, dict[Any, Any]] = {
            "participant_keys": self.participant_keys,
            "binding_keys": self.binding_keys,
            "onboarding": self.onboarding,
            "bridge_configs": self.bridge_configs,
            "routing_policies": self.routing_policies,
        }
        return tables[table]

    def index_message(self, entry: MessageEntry, message: Message | None, sequence: int) -> None:
        """Index a message from its entry; keep ``message`` (``None``: the subclass
        decodes it when read)."""
        self._keep_message(entry.id, message)
        self.sender_messages.setdefault(entry.sender_id, set()).add(entry.id)
        self.room_messages.setdefault(entry.room_id, SortedList()).add(entry.sort_key)
        if entry.thread_id is not None:
            scope = (entry.room_id, entry.thread_id)
            self.thread_messages.setdefault(scope, SortedList()).add(entry.sort_key)
        self.message_keys.set(entry.id, entry.key, sequence)

    def _keep_message(self, message_id: str, message: Message | None) -> None:
        self.messages[message_id] = message  # type: ignore[index]

    def _forget_message(self, message_id: str) -> None:
        del self.messages[message_id]  # type: ignore[attr-defined]

    def _message_entry(self, message_id: str) -> MessageEntry:
        return message_entry(self.messages[message_id])

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

    def delete(self, table: str, key: Any) -> None:
        """Drop the record ``key`` of ``table`` from the records and indexes (absent:
        nothing happens)."""
        if table == "messages":
            if key in self.messages:
                self._delete_message(key)
        elif table == "rooms":
            room = self.rooms.pop(key, None)
            if room is not None:
                self.room_order.remove(sort_key(room.inserted_at, room.id))
                self.room_names.discard(key)
        elif table == "participants":
            if self.participants.pop(key, None) is not None:
                self.participant_names.discard(key)
        elif table == "threads":
            thread = self.threads.pop(key, None)
            if thread is not None:
                entry = sort_key(thread.inserted_at, thread.id)
                _discard_sorted(self.room_threads, thread.room_id, entry)
                self.thread_external_keys.discard(thread.id)
                self.thread_root_keys.discard(thread.id)
        elif table == "room_bindings":
            self._delete_binding(key)
        elif table == "ingress_subscriptions":
            bridge = self.ingress.get(key[0])
            if bridge is not None:
                bridge.pop(key[1], None)
                if not bridge:
                    del self.ingress[key[0]]
        else:
            self._table(table).pop(key, None)

    def replace_message(self, message_id: str, message: Message) -> None:
        """Re-index the stored message ``message_id`` as ``message``, kept in its place
        (save order and save sequence unchanged).  O(log n)."""
        old = self._message_entry(message_id)
        holders = {} if old.key is None else self.message_keys.holders(old.key)
        sequence = holders.get(message_id, self.save_sequence)
        self._unindex_message(old)
        self.index_message(message_entry(message), message, sequence)

    def _delete_message(self, message_id: str) -> None:
        entry = self._message_entry(message_id)
        self._forget_message(message_id)
        self._unindex_message(entry)

    def _unindex_message(self, entry: MessageEntry) -> None:
        message_id = entry.id
        sent = self.sender_messages[entry.sender_id]
        sent.discard(message_id)
        if not sent:
            del self.sender_messages[entry.sender_id]
        _discard_sorted(self.room_messages, entry.room_id, entry.sort_key)
        if entry.thread_id is not None:
            _discard_sorted(self.thread_messages, (entry.room_id, entry.thread_id), entry.sort_key)
        self.message_keys.discard(message_id)

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
        """The keys and row counts of this state (the kit's back door).  O(n)."""
        return RawIndex(
            room_binding_keys=dict(self.binding_keys),
            participant_keys=dict(self.participant_keys),
            message_keys=self.message_keys.snapshot(),
            thread_external_keys=self.thread_external_keys.snapshot(),
            thread_root_keys=self.thread_root_keys.snapshot(),
            row_counts=self.row_counts(),
        )

    def row_counts(self) -> dict[str, int]:
        """How many records each table holds."""
        return {
            "rooms": len(self.rooms),
            "participants": len(self.participants),
            "messages": len(self.messages),
            "threads": len(self.threads),
            "room_bindings": len(self.bindings),
            "onboarding": len(self.onboarding),
            "bridge_configs": len(self.bridge_configs),
            "routing_policies": len(self.routing_policies),
            "ingress_subscriptions": sum(len(subs) for subs in self.ingress.values()),
        }


def _discard_sorted(index: dict[Any, SortedList], scope: Any, entry: SortKey) -> None:
    entries = index.get(scope)
    if entries is None:
        return
    entries.discard(entry)
    if not entries:
        del index[scope]
