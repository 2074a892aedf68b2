"""Seeded bugs in get-or-create, room bindings and the ``delete_room`` cascade."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from jido_persistence.errors import NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Room, RoomBinding
from jido_persistence.state import RecordChange, RecordDelete, RecordPut, record_put
from jido_persistence.validation import build_record

BindingKey = tuple[str, str, str]


class StaleBindingNotHealed(MemoryAdapter):
    """A key whose room was deleted is not treated as absent: NotFound, no new room."""

    seeded_bug = "stale binding not healed by get-or-create"
    expected_area: ClassVar[str] = "external_ids"

    def _get_or_create_room_by_external_binding(
        self,
        channel: str,
        bridge_id: str,
        external_id: str,
        attrs: dict[str, Any],
    ) -> Room:
        with self._lock:
            key = (channel, bridge_id, external_id)
            bound = self._state.binding_keys.get(key)
            if bound is not None and bound not in self._state.rooms:
                raise NotFound("room", bound)
            return super()._get_or_create_room_by_external_binding(
                channel, bridge_id, external_id, attrs
            )


class CascadeLeavesBindings(MemoryAdapter):
    """``delete_room`` forgets the room's binding records and keys."""

    seeded_bug = "delete_room cascade leaves bindings"
    expected_area: ClassVar[str] = "cascades"

    def _delete_room(self, room_id: str) -> None:
        with self._lock:
            records = list(self._state.room_bindings.get(room_id, {}).values())
            keys = {key: room for key, room in self._state.binding_keys.items() if room == room_id}
            super()._delete_room(room_id)
            self._commit([record_put("room_bindings", binding) for binding in records])
            self._commit([RecordPut("binding_keys", key, room) for key, room in keys.items()])


class CascadeLeavesRoutingPolicy(MemoryAdapter):
    """``delete_room`` forgets the room's routing policy."""

    seeded_bug = "delete_room cascade leaves the routing policy"
    expected_area: ClassVar[str] = "cascades"

    def _delete_room(self, room_id: str) -> None:
        with self._lock:
            policy = self._state.routing_policies.get(room_id)
            super()._delete_room(room_id)
            if policy is not None:
                self._commit([record_put("routing_policies", policy)])


class DeleteBindingDropsForeignKey(MemoryAdapter):
    """Removing a binding deletes its key even when another room has taken the key since."""

    seeded_bug = "binding key removed although it points at another room"
    expected_area: ClassVar[str] = "room_bindings"

    def _binding_removal(self, binding: RoomBinding) -> list[RecordChange]:
        key = (binding.channel, binding.bridge_id, binding.external_room_id)
        return [*super()._binding_removal(binding), RecordDelete("binding_keys", key)]


class BindingUpsertDuplicates(MemoryAdapter):
    """``create_room_binding`` inserts a new record instead of updating the pair's record."""

    seeded_bug = "create_room_binding duplicates records of one (room, key)"
    expected_area: ClassVar[str] = "room_bindings"

    def _binding_for(self, room_id: str, key: BindingKey, attrs: dict[str, Any]) -> RoomBinding:
        given_id = attrs.get("id")
        if isinstance(given_id, str) and given_id in self._state.bindings:
            return super()._binding_for(room_id, key, attrs)
        return build_record(
            RoomBinding,
            attrs,
            room_id=room_id,
            channel=key[0],
            bridge_id=key[1],
            external_room_id=key[2],
        )


class RaceCreatesTwoRooms(MemoryAdapter):
    """Check-then-create without holding the lock across both: racing callers each create.

    ``time.sleep(0)`` yields the GIL inside the window, as a database round trip would.
    """

    seeded_bug = "race in get-or-create creates two rooms"
    expected_area: ClassVar[str] = "concurrency"

    def _get_or_create_room_by_external_binding(
        self,
        channel: str,
        bridge_id: str,
        external_id: str,
        attrs: dict[str, Any],
    ) -> Room:
        key = (channel, bridge_id, external_id)
        with self._lock:
            bound = self._state.binding_keys.get(key)
            if bound is not None and bound in self._state.rooms:
                return self._state.rooms[bound]
        time.sleep(0)
        with self._lock:
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


class BindingsListedById(MemoryAdapter):
    """``list_room_bindings`` ordered by id only (``ORDER BY id``), ignoring ``inserted_at``."""

    seeded_bug = "list_room_bindings ordered by id instead of (inserted_at, id)"
    expected_area: ClassVar[str] = "room_bindings"

    def _list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        return sorted(super()._list_room_bindings(room_id), key=lambda binding: binding.id)


class GetOrCreateRemembersDeadRoom(MemoryAdapter):
    """get-or-create memoises key -> room per instance and never checks the room still lives.

    After ``delete_room`` (whose cascade is correct) the same key returns the dead room
    instead of creating and binding a new one.
    """

    seeded_bug = "get-or-create returns the deleted room of a key (memoised)"
    expected_area: ClassVar[str] = "external_ids"

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self._remembered: dict[BindingKey, Room] = {}

    def _get_or_create_room_by_external_binding(
        self,
        channel: str,
        bridge_id: str,
        external_id: str,
        attrs: dict[str, Any],
    ) -> Room:
        with self._lock:
            key = (channel, bridge_id, external_id)
            remembered = self._remembered.get(key)
            if remembered is not None:
                return remembered
            room = super()._get_or_create_room_by_external_binding(
                channel, bridge_id, external_id, attrs
            )
            self._remembered[key] = room
            return room
