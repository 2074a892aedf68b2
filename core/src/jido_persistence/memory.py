"""The in-memory reference adapter (name ``memory``, URL ``memory://``).

The counterpart of the Elixir ETS adapter and the oracle of the conformance kit:
complete, exact and indexed.  Everything lives in one process's memory and is gone
after :meth:`MemoryAdapter.close`; two instances never share data.

Complexity: get-by-id, external-id, thread-key and binding-key lookups are O(1) dict
reads; ``get_messages``, ``list_threads`` and ``list_rooms`` are O(log n + limit) on
sorted lists; saves are O(log n); directory search scans (O(n)); ``delete_messages`` is
O(log n + deleted) and ``erase_participant`` O(the participant's messages + participant
keys), through a sender index (see :mod:`jido_persistence._memory_retention`).  One re-entrant lock
serialises the callbacks, which makes each of them atomic and ``get_or_create_*``
race-free for threads.
"""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import Field
from sortedcontainers import SortedDict, SortedList  # type: ignore[import-untyped]

from jido_persistence._memory_enumeration import MemoryEnumeration
from jido_persistence._memory_ingest import MemoryIngest
from jido_persistence._memory_interchange import MemoryInterchange
from jido_persistence._memory_retention import MemoryRetention
from jido_persistence.adapter import AdapterOptions, PersistenceAdapter, RawIndex
from jido_persistence.directory import search_participants, search_rooms
from jido_persistence.errors import NotFound, StoreClosed
from jido_persistence.indexes import KeyHolders, SortKey, check_cursor, page_entries, sort_key
from jido_persistence.models import (
    BridgeConfig,
    DirectoryTarget,
    IngressStatus,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
from jido_persistence.transactions import DEFAULT_BUSY_TIMEOUT, SnapshotTransactions, StoreLock
from jido_persistence.urls import StoreUrl
from jido_persistence.validation import (
    DirectoryQuery,
    MessageKey,
    build_record,
    message_external_key,
    room_binding_record,
)

__all__ = ["MemoryAdapter", "MemoryOptions", "message_sort_key"]

K = TypeVar("K")

BindingKey = tuple[str, str, str]


def message_sort_key(message: Message) -> SortKey:
    """The ``(inserted_at, id)`` ordering key of a message, ``None`` timestamps first."""
    return sort_key(message.inserted_at, message.id)


def _thread_sort_key(thread: Thread) -> SortKey:
    return sort_key(thread.inserted_at, thread.id)


def _room_sort_key(room: Room) -> SortKey:
    return sort_key(room.inserted_at, room.id)


class MemoryOptions(AdapterOptions):
    """Options of :class:`MemoryAdapter` (``memory://?busy_timeout=1``)."""

    busy_timeout: float = Field(default=DEFAULT_BUSY_TIMEOUT, gt=0)
    """Seconds a callback waits while another thread's ``transaction()`` block is open,
    then StorageError."""


class MemoryAdapter(
    SnapshotTransactions,
    MemoryIngest,
    MemoryEnumeration,
    MemoryInterchange,
    MemoryRetention,
    PersistenceAdapter,
):
    """The in-memory reference store: exact, indexed, thread-safe, not durable.

    ``transaction()`` holds the store lock for the block and undoes it from a copy of
    the store taken when the block (or savepoint) opens: O(n) per block.
    """

    Options: ClassVar[type[AdapterOptions]] = MemoryOptions
    durable = False
    multi_process = False

    def __init__(self, **options: object) -> None:
        """Open an empty store; see :class:`MemoryOptions`."""
        self.options = self.Options.parse(options)
        # A subclass may bring options of its own, without busy_timeout.
        timeout = getattr(self.options, "busy_timeout", DEFAULT_BUSY_TIMEOUT)
        self._lock = StoreLock(timeout, what="the memory store")
        self._sequence = itertools.count(1)
        self._rooms: dict[str, Room] = {}
        self._room_order = SortedList()
        self._participants: dict[str, Participant] = SortedDict()
        self._participant_keys: dict[tuple[str, str], str] = {}
        self._messages: dict[str, Message] = {}
        self._room_messages: dict[str, SortedList] = {}
        self._thread_messages: dict[tuple[str, str], SortedList] = {}
        self._message_keys: KeyHolders[MessageKey] = KeyHolders()
        self._sender_messages: dict[str, set[str]] = {}
        self._threads: dict[str, Thread] = {}
        self._room_threads: dict[str, SortedList] = {}
        self._thread_external_keys: KeyHolders[tuple[str, str]] = KeyHolders()
        self._thread_root_keys: KeyHolders[tuple[str, str]] = KeyHolders()
        self._binding_keys: dict[BindingKey, str] = {}
        self._bindings: dict[str, RoomBinding] = {}
        self._room_bindings: dict[str, dict[str, RoomBinding]] = {}
        self._binding_by_room_key: dict[tuple[str, BindingKey], str] = {}
        self._onboarding: dict[str, dict[str, Any]] = SortedDict()
        self._bridge_configs: dict[str, BridgeConfig] = {}
        self._routing_policies: dict[str, RoutingPolicy] = {}
        self._ingress: dict[tuple[str, str], IngressSubscription] = {}

    @classmethod
    def url_options(cls, url: StoreUrl) -> dict[str, object]:
        """``memory://`` takes no path; query parameters are passed on (and rejected)."""
        return dict(url.query)

    @classmethod
    def fresh_store_url(cls, directory: Path, unique: str) -> str | None:
        """Every memory store is fresh: ``memory://``."""
        return "memory://"

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosed("MemoryAdapter is closed")

    def close(self) -> None:
        """Drop every record; later callbacks raise StoreClosed."""
        with self._lock:
            super().close()
            self._messages.clear()
            self._rooms.clear()

    # --- rooms ---------------------------------------------------------------------

    def _save_room(self, room: Room) -> Room:
        with self._lock:
            self._check_open()
            old = self._rooms.get(room.id)
            if old is not None:
                self._room_order.remove(_room_sort_key(old))
            self._rooms[room.id] = room
            self._room_order.add(_room_sort_key(room))
            return room

    def _get_room(self, room_id: str) -> Room:
        with self._lock:
            self._check_open()
            try:
                return self._rooms[room_id]
            except KeyError:
                raise NotFound("room", room_id) from None

    def _delete_room(self, room_id: str) -> None:
        with self._lock:
            self._check_open()
            for key in list(self._room_messages.get(room_id, ())):
                self._remove_message(key[2])
            for key in list(self._room_threads.get(room_id, ())):
                self._remove_thread(key[2])
            for binding in list(self._room_bindings.get(room_id, {}).values()):
                self._remove_binding(binding)
            self._routing_policies.pop(room_id, None)
            room = self._rooms.pop(room_id, None)
            if room is not None:
                self._room_order.remove(_room_sort_key(room))

    # --- participants --------------------------------------------------------------

    def _save_participant(self, participant: Participant) -> Participant:
        with self._lock:
            self._check_open()
            self._participants[participant.id] = participant
            return participant

    def _get_participant(self, participant_id: str) -> Participant:
        with self._lock:
            self._check_open()
            try:
                return self._participants[participant_id]
            except KeyError:
                raise NotFound("participant", participant_id) from None

    def _delete_participant(self, participant_id: str) -> None:
        with self._lock:
            self._check_open()
            self._participants.pop(participant_id, None)

    # --- messages ------------------------------------------------------------------

    def _save_message(self, message: Message) -> Message:
        with self._lock:
            self._check_open()
            self._store_message(message)
            return message

    def _store_message(self, message: Message, *, in_place: bool = False) -> None:
        """Store ``message`` as the most recently saved one (``in_place``: in the place
        of the stored version, as a redaction does; the dict's order is save order)."""
        key = message_external_key(message)
        if message.id in self._messages:
            stored = self._messages[message.id] if in_place else self._messages.pop(message.id)
            self._unindex_message(stored)
        self._messages[message.id] = message
        sort_key = message_sort_key(message)
        self._room_messages.setdefault(message.room_id, SortedList()).add(sort_key)
        if message.thread_id is not None:
            scope = (message.room_id, message.thread_id)
            self._thread_messages.setdefault(scope, SortedList()).add(sort_key)
        self._message_keys.set(message.id, key, next(self._sequence))
        self._sender_messages.setdefault(message.sender_id, set()).add(message.id)

    def _unindex_message(self, message: Message) -> None:
        sort_key = message_sort_key(message)
        _discard_sorted(self._room_messages, message.room_id, sort_key)
        if message.thread_id is not None:
            _discard_sorted(self._thread_messages, (message.room_id, message.thread_id), sort_key)
        self._message_keys.discard(message.id)
        sent = self._sender_messages[message.sender_id]
        sent.discard(message.id)
        if not sent:
            del self._sender_messages[message.sender_id]

    def _remove_message(self, message_id: str) -> None:
        message = self._messages.pop(message_id, None)
        if message is not None:
            self._unindex_message(message)

    def _get_message(self, message_id: str) -> Message:
        with self._lock:
            self._check_open()
            try:
                return self._messages[message_id]
            except KeyError:
                raise NotFound("message", message_id) from None

    def _get_messages(
        self,
        room_id: str,
        *,
        limit: int = 50,
        before: str | None = None,
        after: str | None = None,
        thread_id: str | None = None,
    ) -> list[Message]:
        with self._lock:
            self._check_open()
            if thread_id is None:
                scope = self._room_messages.get(room_id)
            else:
                scope = self._thread_messages.get((room_id, thread_id))
            cursor = before if before is not None else after
            cursor_key = None
            if cursor is not None:
                cursor_key = check_cursor(self._messages.get(cursor), cursor, room_id, thread_id)
            entries = page_entries(scope, limit, cursor_key, before=before is not None)
            return [self._messages[entry[2]] for entry in entries]

    def _delete_message(self, message_id: str) -> None:
        with self._lock:
            self._check_open()
            self._remove_message(message_id)

    # --- threads -------------------------------------------------------------------

    def _save_thread(self, thread: Thread) -> Thread:
        with self._lock:
            self._check_open()
            self._store_thread(thread)
            return thread

    def _store_thread(self, thread: Thread) -> None:
        """Store ``thread`` and move its per-room keys (the caller holds the lock)."""
        old = self._threads.pop(thread.id, None)  # popped: the dict's order is save order
        if old is not None:
            _discard_sorted(self._room_threads, old.room_id, _thread_sort_key(old))
        self._threads[thread.id] = thread
        self._room_threads.setdefault(thread.room_id, SortedList()).add(_thread_sort_key(thread))
        sequence = next(self._sequence)
        external = thread.external_thread_id
        root = thread.root_message_id
        self._thread_external_keys.set(
            thread.id, None if external is None else (thread.room_id, external), sequence
        )
        self._thread_root_keys.set(
            thread.id, None if root is None else (thread.room_id, root), sequence
        )

    def _remove_thread(self, thread_id: str) -> None:
        thread = self._threads.pop(thread_id, None)
        if thread is not None:
            _discard_sorted(self._room_threads, thread.room_id, _thread_sort_key(thread))
            self._thread_external_keys.discard(thread_id)
            self._thread_root_keys.discard(thread_id)

    def _get_thread(self, thread_id: str) -> Thread:
        with self._lock:
            self._check_open()
            try:
                return self._threads[thread_id]
            except KeyError:
                raise NotFound("thread", thread_id) from None

    def _get_thread_by_external_id(self, room_id: str, external_thread_id: str) -> Thread:
        with self._lock:
            self._check_open()
            key = (room_id, external_thread_id)
            thread_id = self._thread_external_keys.resolve(key)
            if thread_id is None:
                raise NotFound("thread", key)
            return self._threads[thread_id]

    def _get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        with self._lock:
            self._check_open()
            key = (room_id, root_message_id)
            thread_id = self._thread_root_keys.resolve(key)
            if thread_id is None:
                raise NotFound("thread", key)
            return self._threads[thread_id]

    # --- external-id resolution ----------------------------------------------------

    def _get_or_create_room_by_external_binding(
        self,
        channel: str,
        bridge_id: str,
        external_id: str,
        attrs: dict[str, Any],
    ) -> Room:
        with self._lock:
            self._check_open()
            key: BindingKey = (channel, bridge_id, external_id)
            bound = self._binding_keys.get(key)
            if bound is not None and bound in self._rooms:
                return self._rooms[bound]
            room = build_record(Room, attrs, external_bindings={key[0]: {key[1]: key[2]}})
            binding = self._binding_for(room.id, key, {})
            if bound is not None:
                del self._binding_keys[key]
            self._save_room(room)
            self._put_binding(binding, key)
            return room

    def _get_or_create_participant_by_external_id(
        self, channel: str, external_id: str, attrs: dict[str, Any]
    ) -> Participant:
        with self._lock:
            self._check_open()
            key = (channel, external_id)
            bound = self._participant_keys.get(key)
            if bound is not None and bound in self._participants:
                return self._participants[bound]
            participant = build_record(Participant, attrs, external_ids={key[0]: key[1]})
            self._participants[participant.id] = participant
            self._participant_keys[key] = participant.id
            return participant

    def _get_message_by_external_id(
        self, channel: str, bridge_id: str, external_id: str
    ) -> Message:
        with self._lock:
            self._check_open()
            key = (channel, bridge_id, external_id)
            message_id = self._message_keys.resolve(key)
            if message_id is None:
                raise NotFound("message", key)
            return self._messages[message_id]

    def _update_message_external_id(self, message_id: str, external_id: str) -> Message:
        with self._lock:
            self._check_open()
            message = self._messages.get(message_id)
            if message is None:
                raise NotFound("message", message_id)
            updated = message.model_copy(update={"external_id": external_id})
            self._store_message(updated)
            return updated

    # --- room bindings -------------------------------------------------------------

    def _get_room_by_external_binding(self, channel: str, bridge_id: str, external_id: str) -> Room:
        with self._lock:
            self._check_open()
            key = (channel, bridge_id, external_id)
            room_id = self._binding_keys.get(key)
            if room_id is None or room_id not in self._rooms:
                raise NotFound("room", key)
            return self._rooms[room_id]

    def _create_room_binding(
        self,
        room_id: str,
        channel: str,
        bridge_id: str,
        external_id: str,
        attrs: dict[str, Any],
    ) -> RoomBinding:
        with self._lock:
            self._check_open()
            key: BindingKey = (channel, bridge_id, external_id)
            binding = self._binding_for(room_id, key, attrs)
            self._put_binding(binding, key)
            return binding

    def _binding_for(self, room_id: str, key: BindingKey, attrs: dict[str, Any]) -> RoomBinding:
        """The record ``create_room_binding`` would store, validated; writes nothing."""
        existing_id = self._binding_by_room_key.get((room_id, key))
        existing = None if existing_id is None else self._bindings[existing_id]
        return room_binding_record(room_id, key, attrs, existing, self._bindings.__contains__)

    def _put_binding(self, binding: RoomBinding, key: BindingKey) -> None:
        self._bindings[binding.id] = binding
        self._room_bindings.setdefault(binding.room_id, {})[binding.id] = binding
        self._binding_by_room_key[(binding.room_id, key)] = binding.id
        self._binding_keys[key] = binding.room_id

    def _remove_binding(self, binding: RoomBinding) -> None:
        key: BindingKey = (binding.channel, binding.bridge_id, binding.external_room_id)
        del self._bindings[binding.id]
        room_bindings = self._room_bindings[binding.room_id]
        del room_bindings[binding.id]
        if not room_bindings:
            del self._room_bindings[binding.room_id]
        del self._binding_by_room_key[(binding.room_id, key)]
        if self._binding_keys.get(key) == binding.room_id:
            del self._binding_keys[key]

    def _list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        with self._lock:
            self._check_open()
            bindings = self._room_bindings.get(room_id, {}).values()
            return sorted(bindings, key=lambda binding: (binding.inserted_at, binding.id))

    def _delete_room_binding(self, binding_id: str) -> None:
        with self._lock:
            self._check_open()
            binding = self._bindings.get(binding_id)
            if binding is None:
                raise NotFound("room_binding", binding_id)
            self._remove_binding(binding)

    # --- directory -----------------------------------------------------------------

    def _directory_search(
        self,
        target: DirectoryTarget,
        query: DirectoryQuery,
        *,
        limit: int | None,
    ) -> list[Participant] | list[Room]:
        with self._lock:
            self._check_open()
            if target == DirectoryTarget.PARTICIPANT:
                return search_participants(self._participants, query, limit)
            return search_rooms(self._rooms, self._binding_keys, query, limit)

    # --- onboarding ----------------------------------------------------------------

    def _save_onboarding(self, flow: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._check_open()
            stored = copy.deepcopy(dict(flow))
            self._onboarding[stored["onboarding_id"]] = stored
            return dict(flow)

    def _get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        with self._lock:
            self._check_open()
            try:
                return copy.deepcopy(self._onboarding[onboarding_id])
            except KeyError:
                raise NotFound("onboarding", onboarding_id) from None

    # --- bridge configs ------------------------------------------------------------

    def _save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        with self._lock:
            self._check_open()
            self._bridge_configs[config.id] = config
            return config

    def _get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        with self._lock:
            self._check_open()
            try:
                return self._bridge_configs[bridge_config_id]
            except KeyError:
                raise NotFound("bridge_config", bridge_config_id) from None

    def _list_bridge_configs(self, *, enabled: bool | None) -> list[BridgeConfig]:
        with self._lock:
            self._check_open()
            return [
                self._bridge_configs[key]
                for key in sorted(self._bridge_configs)
                if enabled is None or self._bridge_configs[key].enabled == enabled
            ]

    def _delete_bridge_config(self, bridge_config_id: str) -> None:
        with self._lock:
            self._check_open()
            if self._bridge_configs.pop(bridge_config_id, None) is None:
                raise NotFound("bridge_config", bridge_config_id)

    # --- routing policies ----------------------------------------------------------

    def _save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        with self._lock:
            self._check_open()
            self._routing_policies[policy.room_id] = policy
            return policy

    def _get_routing_policy(self, room_id: str) -> RoutingPolicy:
        with self._lock:
            self._check_open()
            try:
                return self._routing_policies[room_id]
            except KeyError:
                raise NotFound("routing_policy", room_id) from None

    def _delete_routing_policy(self, room_id: str) -> None:
        with self._lock:
            self._check_open()
            if self._routing_policies.pop(room_id, None) is None:
                raise NotFound("routing_policy", room_id)

    # --- ingress subscriptions -----------------------------------------------------

    def _save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        with self._lock:
            self._check_open()
            self._ingress[(subscription.bridge_id, subscription.subscription_id)] = subscription
            return subscription

    def _list_ingress_subscriptions(
        self, bridge_id: str, *, status: IngressStatus | None
    ) -> list[IngressSubscription]:
        with self._lock:
            self._check_open()
            found = [
                subscription
                for (bridge, _), subscription in self._ingress.items()
                if bridge == bridge_id and (status is None or subscription.status == status)
            ]
            return sorted(found, key=lambda subscription: subscription.subscription_id)

    def _delete_ingress_subscription(self, bridge_id: str, subscription_id: str) -> None:
        with self._lock:
            self._check_open()
            key = (bridge_id, subscription_id)
            if self._ingress.pop(key, None) is None:
                raise NotFound("ingress_subscription", key)

    # --- test hook -----------------------------------------------------------------

    def raw_index(self) -> RawIndex:
        """The store's keys and record counts, read from its internal dicts."""
        with self._lock:
            self._check_open()
            return RawIndex(
                room_binding_keys=dict(self._binding_keys),
                participant_keys=dict(self._participant_keys),
                message_keys=self._message_keys.snapshot(),
                thread_external_keys=self._thread_external_keys.snapshot(),
                thread_root_keys=self._thread_root_keys.snapshot(),
                row_counts={
                    "rooms": len(self._rooms),
                    "participants": len(self._participants),
                    "messages": len(self._messages),
                    "threads": len(self._threads),
                    "room_bindings": len(self._bindings),
                    "onboarding": len(self._onboarding),
                    "bridge_configs": len(self._bridge_configs),
                    "routing_policies": len(self._routing_policies),
                    "ingress_subscriptions": len(self._ingress),
                },
            )


def _discard_sorted(index: dict[K, SortedList], scope: K, sort_key: SortKey) -> None:
    entries = index.get(scope)
    if entries is None:
        return
    entries.discard(sort_key)
    if not entries:
        del index[scope]
