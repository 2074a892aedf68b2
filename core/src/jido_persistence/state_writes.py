"""The write callbacks of every adapter whose records live in an :class:`InMemoryState`.

:class:`StateWrites` computes, under ``self._lock``, the record-level changes each
callback makes (:class:`~jido_persistence.state.RecordPut`,
:class:`~jido_persistence.state.RecordDelete`) from the state, and hands them to the
adapter's ``_commit(changes)`` as ONE list: the memory adapter applies them to its
state; the TinyDB adapter journals them as one synced record, then applies them.  So
the rules (the ``delete_room`` cascade, get-or-create, binding upserts, key holders,
retention) are written once, and a callback is all-or-nothing wherever ``_commit`` is.

The hooks keep the objects they are given and return the ones they keep: the guard
copies containers in and out for them (``keeps_python_objects``, set by
:class:`~jido_persistence.state_reads.StateReads`), so a caller who changes a dict or
list field in place, of its argument after ``save_*`` or of a returned record, does
not change the store.  Costs: O(1) expected for key look-ups, O(log n) a save, the
cascade O(the room's records).
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jido_persistence.errors import NotFound
from jido_persistence.indexes import ids_before, message_scope
from jido_persistence.models import (
    BridgeConfig,
    Erasure,
    Ingested,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
from jido_persistence.redaction import needs_redaction, redacted
from jido_persistence.state import (
    BindingKey,
    InMemoryState,
    RecordChange,
    RecordDelete,
    RecordPut,
    RecordReplace,
    record_put,
)
from jido_persistence.transactions import StoreLock
from jido_persistence.validation import build_record, checked_message_key, room_binding_record

__all__ = ["StateWrites"]


class StateWrites:
    """Every write callback, as change lists for ``self._commit`` under ``self._lock``."""

    _lock: StoreLock
    _state: InMemoryState

    if TYPE_CHECKING:

        def _check_open(self) -> None: ...

    def _commit(self, changes: list[RecordChange]) -> None:
        """Make ``changes`` (one callback's, in order) happen, all or nothing."""
        raise NotImplementedError

    def _save(self, table: str, record: Any) -> None:
        with self._lock:
            self._check_open()
            self._commit([record_put(table, record)])

    def _remove(self, table: str, key: Any, entity: str | None = None) -> None:
        """Delete ``key``; when absent, nothing (``entity``: NotFound(entity, key))."""
        with self._lock:
            self._check_open()
            if key in self._stored(table):
                self._commit([RecordDelete(table, key)])
            elif entity is not None:
                raise NotFound(entity, key)

    def _stored(self, table: str) -> Any:
        state = self._state
        return {
            "participants": state.participants,
            "messages": state.messages,
            "onboarding": state.onboarding,
            "bridge_configs": state.bridge_configs,
            "routing_policies": state.routing_policies,
        }[table]

    # --- records -------------------------------------------------------------------

    def _save_room(self, room: Room) -> Room:
        self._save("rooms", room)
        return room

    def _save_participant(self, participant: Participant) -> Participant:
        self._save("participants", participant)
        return participant

    def _save_message(self, message: Message) -> Message:
        self._save("messages", message)
        return message

    def _save_thread(self, thread: Thread) -> Thread:
        self._save("threads", thread)
        return thread

    def _save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        self._save("bridge_configs", config)
        return config

    def _save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        self._save("routing_policies", policy)
        return policy

    def _save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        self._save("ingress_subscriptions", subscription)
        return subscription

    def _save_onboarding(self, flow: dict[str, Any]) -> dict[str, Any]:
        stored = copy.deepcopy(dict(flow))
        with self._lock:
            self._check_open()
            self._commit([record_put("onboarding", stored)])
            return dict(flow)

    def _delete_participant(self, participant_id: str) -> None:
        self._remove("participants", participant_id)

    def _delete_message(self, message_id: str) -> None:
        self._remove("messages", message_id)

    def _delete_bridge_config(self, bridge_config_id: str) -> None:
        self._remove("bridge_configs", bridge_config_id, "bridge_config")

    def _delete_routing_policy(self, room_id: str) -> None:
        self._remove("routing_policies", room_id, "routing_policy")

    def _delete_onboarding(self, onboarding_id: str) -> None:
        """Remove the flow.  Raises NotFound("onboarding", onboarding_id).  O(1)."""
        self._remove("onboarding", onboarding_id, "onboarding")

    def _delete_ingress_subscription(self, bridge_id: str, subscription_id: str) -> None:
        with self._lock:
            self._check_open()
            key = (bridge_id, subscription_id)
            if subscription_id not in self._state.ingress.get(bridge_id, {}):
                raise NotFound("ingress_subscription", key)
            self._commit([RecordDelete("ingress_subscriptions", key)])

    def _delete_room(self, room_id: str) -> None:
        """The room, its messages, threads, bindings (and the keys still pointing at
        it) and its routing policy, as one change list.  O(the room's records)."""
        with self._lock:
            self._check_open()
            state = self._state
            changes: list[RecordChange] = [
                RecordDelete("messages", entry[2]) for entry in state.room_messages.get(room_id, ())
            ]
            changes += [
                RecordDelete("threads", entry[2]) for entry in state.room_threads.get(room_id, ())
            ]
            for binding in state.room_bindings.get(room_id, {}).values():
                changes += self._binding_removal(binding)
            if room_id in state.routing_policies:
                changes.append(RecordDelete("routing_policies", room_id))
            if room_id in state.rooms:
                changes.append(RecordDelete("rooms", room_id))
            self._commit(changes)

    # --- get-or-create and keys ----------------------------------------------------

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
            bound = self._state.binding_keys.get(key)
            if bound is not None and bound in self._state.rooms:
                return self._state.rooms[bound]
            room = build_record(Room, attrs, external_bindings={key[0]: {key[1]: key[2]}})
            binding = self._binding_for(room.id, key, {})
            self._commit(
                [
                    record_put("rooms", room),
                    record_put("room_bindings", binding),
                    RecordPut("binding_keys", key, room.id),
                ]
            )
            return room

    def _get_or_create_participant_by_external_id(
        self, channel: str, external_id: str, attrs: dict[str, Any]
    ) -> Participant:
        with self._lock:
            self._check_open()
            key = (channel, external_id)
            bound = self._state.participant_keys.get(key)
            if bound is not None and bound in self._state.participants:
                return self._state.participants[bound]
            participant = build_record(Participant, attrs, external_ids={key[0]: key[1]})
            self._commit(
                [
                    record_put("participants", participant),
                    RecordPut("participant_keys", key, participant.id),
                ]
            )
            return participant

    def _get_or_create_thread_by_external_id(
        self, room_id: str, external_thread_id: str, attrs: dict[str, Any]
    ) -> Thread:
        """The room's thread holding the key, else one built from ``attrs`` and saved."""
        with self._lock:
            self._check_open()
            holder = self._state.thread_external_keys.resolve((room_id, external_thread_id))
            if holder is not None:
                return self._state.threads[holder]
            thread = build_record(
                Thread, attrs, room_id=room_id, external_thread_id=external_thread_id
            )
            self._commit([record_put("threads", thread)])
            return thread

    def _ingest_message(self, message: Message) -> Ingested:
        """The key's resolution (``created=False``, nothing written), else ``message``
        saved as by ``save_message`` (``created=True``)."""
        key = checked_message_key(message)
        with self._lock:
            self._check_open()
            holder = self._state.message_keys.resolve(key)
            if holder is not None:
                return Ingested(message=self._state.messages[holder], created=False)
            self._commit([record_put("messages", message)])
            return Ingested(message=message, created=True)

    def _update_message_external_id(self, message_id: str, external_id: str) -> Message:
        with self._lock:
            self._check_open()
            message = self._state.messages.get(message_id)
            if message is None:
                raise NotFound("message", message_id)
            updated = message.model_copy(update={"external_id": external_id})
            self._commit([record_put("messages", updated)])
            return updated

    # --- room bindings -------------------------------------------------------------

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
            self._commit(
                [record_put("room_bindings", binding), RecordPut("binding_keys", key, room_id)]
            )
            return binding

    def _binding_for(self, room_id: str, key: BindingKey, attrs: dict[str, Any]) -> RoomBinding:
        """The record ``create_room_binding`` would store, validated; writes nothing."""
        state = self._state
        existing_id = state.binding_by_room_key.get((room_id, key))
        existing = None if existing_id is None else state.bindings[existing_id]
        return room_binding_record(room_id, key, attrs, existing, state.bindings.__contains__)

    def _binding_removal(self, binding: RoomBinding) -> list[RecordChange]:
        """The binding's record, and its key while the key still points at its room."""
        changes: list[RecordChange] = [RecordDelete("room_bindings", binding.id)]
        key = (binding.channel, binding.bridge_id, binding.external_room_id)
        if self._state.binding_keys.get(key) == binding.room_id:
            changes.append(RecordDelete("binding_keys", key))
        return changes

    def _delete_room_binding(self, binding_id: str) -> None:
        with self._lock:
            self._check_open()
            binding = self._state.bindings.get(binding_id)
            if binding is None:
                raise NotFound("room_binding", binding_id)
            self._commit(self._binding_removal(binding))

    # --- retention (contract 9.3) --------------------------------------------------

    def _delete_messages(
        self, room_id: str, *, before: datetime, thread_id: str | None = None
    ) -> int:
        """Remove the scope's messages sorting before ``(before, "")``: every ``None``
        timestamp and every ``inserted_at < before``.  O(log n + deleted)."""
        with self._lock:
            self._check_open()
            state = self._state
            scope = message_scope(state.room_messages, state.thread_messages, room_id, thread_id)
            changes: list[RecordChange] = [
                RecordDelete("messages", found) for found in ids_before(scope, before)
            ]
            if changes:
                self._commit(changes)
            return len(changes)

    def _erase_participant(self, participant_id: str, *, messages: str = "delete") -> Erasure:
        """Remove the record and the keys pointing at it; delete its messages or store
        them redacted in their place (an erasure is not a save: each keeps its save
        sequence and its place in an export).  O(its messages) through the sender
        index, O(participant keys) for the keys."""
        with self._lock:
            self._check_open()
            state = self._state
            had_record = participant_id in state.participants
            changes: list[RecordChange] = (
                [RecordDelete("participants", participant_id)] if had_record else []
            )
            keys = [key for key, owner in state.participant_keys.items() if owner == participant_id]
            changes += [RecordDelete("participant_keys", key) for key in keys]
            changed = 0
            for message_id in sorted(state.sender_messages.get(participant_id, ())):
                if messages == "delete":
                    changes.append(RecordDelete("messages", message_id))
                elif needs_redaction(stored := state.messages[message_id]):
                    changes.append(RecordReplace("messages", message_id, redacted(stored)))
                else:
                    continue
                changed += 1
            if changes:
                self._commit(changes)
            return Erasure(participants=int(had_record), messages=changed, keys=len(keys))
