"""A complete, minimal adapter in plain dicts (the one docs/writing-an-adapter.md shows).

Every rule of the contract, no indexes: lookups scan, which is fine for an example and
for tests.  The base class checks and normalises arguments, raises StoreClosed and
implements directory_lookup; the optional ingress trio is left out.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from jido_persistence import PersistenceAdapter
from jido_persistence.directory import participant_matches, room_matches
from jido_persistence.errors import CursorNotFound, InvalidArgument, NotFound
from jido_persistence.models import (
    BridgeConfig,
    DirectoryTarget,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
from jido_persistence.validation import DirectoryQuery, build_record, message_external_key

EARLIEST = datetime.min.replace(tzinfo=UTC)
TABLES = (
    "room",
    "participant",
    "message",
    "thread",
    "room_binding",
    "onboarding",
    "bridge_config",
    "routing_policy",
)


def _order(record: Any) -> tuple[bool, datetime, str]:
    """(inserted_at, id) with None first; ids compare by code point."""
    return (record.inserted_at is not None, record.inserted_at or EARLIEST, record.id)


class DictAdapter(PersistenceAdapter):
    """Everything in dicts guarded by one lock; not durable."""

    def __init__(self, **options: object) -> None:
        self.options = self.Options.parse(options)
        self._lock = threading.RLock()
        self._tick = itertools.count()
        self._t: dict[str, dict[Any, Any]] = {name: {} for name in TABLES}
        self._saved: dict[str, int] = {}  # message/thread id -> save sequence
        self._room_keys: dict[tuple[str, str, str], str] = {}
        self._participant_keys: dict[tuple[str, str], str] = {}

    def _get(self, table: str, key: Any) -> Any:
        with self._lock:
            if key not in self._t[table]:
                raise NotFound(table, key)
            return self._t[table][key]

    def _put(self, table: str, key: Any, record: Any) -> Any:
        with self._lock:
            self._t[table][key] = record
            if table in ("message", "thread"):
                self._saved[key] = next(self._tick)
            return record

    def _latest(self, table: str, matches: Any, key: Any) -> Any:
        """The most recently saved record satisfying ``matches`` (NotFound when none)."""
        with self._lock:
            found = [r for r in self._t[table].values() if matches(r)]
            if not found:
                raise NotFound(table, key)
            return max(found, key=lambda r: self._saved[r.id])

    def save_room(self, room: Room) -> Room:
        return self._put("room", room.id, room)

    def get_room(self, room_id: str) -> Room:
        return self._get("room", room_id)  # type: ignore[no-any-return]

    def list_rooms(self, *, limit: int = 100) -> list[Room]:
        with self._lock:
            return sorted(self._t["room"].values(), key=_order)[:limit]

    def delete_room(self, room_id: str) -> None:
        with self._lock:
            for table in ("message", "thread"):
                for record in [r for r in self._t[table].values() if r.room_id == room_id]:
                    del self._t[table][record.id]
            for binding in self.list_room_bindings(room_id):
                self.delete_room_binding(binding.id)
            self._t["routing_policy"].pop(room_id, None)
            self._t["room"].pop(room_id, None)

    def save_participant(self, p: Participant) -> Participant:
        return self._put("participant", p.id, p)

    def get_participant(self, participant_id: str) -> Participant:
        return self._get("participant", participant_id)  # type: ignore[no-any-return]

    def delete_participant(self, participant_id: str) -> None:
        with self._lock:
            self._t["participant"].pop(participant_id, None)

    def save_message(self, message: Message) -> Message:
        return self._put("message", message.id, message)

    def get_message(self, message_id: str) -> Message:
        return self._get("message", message_id)  # type: ignore[no-any-return]

    def delete_message(self, message_id: str) -> None:
        with self._lock:
            self._t["message"].pop(message_id, None)

    def get_messages(
        self,
        room_id: str,
        *,
        limit: int = 50,
        before: str | None = None,
        after: str | None = None,
        thread_id: str | None = None,
    ) -> list[Message]:
        with self._lock:
            scope = sorted(
                (
                    m
                    for m in self._t["message"].values()
                    if m.room_id == room_id and thread_id in (None, m.thread_id)
                ),
                key=_order,
            )
        cursor = before or after
        ids = [m.id for m in scope]
        if cursor is not None and cursor not in ids:
            raise CursorNotFound(f"cursor {cursor!r} is not in this room or thread")
        if limit == 0:
            return []
        if before is not None:
            return scope[: ids.index(before)][-limit:]
        if after is not None:
            return scope[ids.index(after) + 1 :][:limit]
        return scope[-limit:]

    def save_thread(self, thread: Thread) -> Thread:
        return self._put("thread", thread.id, thread)

    def get_thread(self, thread_id: str) -> Thread:
        return self._get("thread", thread_id)  # type: ignore[no-any-return]

    def get_thread_by_external_id(self, room_id: str, external_thread_id: str | int) -> Thread:
        key = (room_id, external_thread_id)
        return self._latest("thread", lambda t: (t.room_id, t.external_thread_id) == key, key)  # type: ignore[no-any-return]

    def get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        key = (room_id, root_message_id)
        return self._latest("thread", lambda t: (t.room_id, t.root_message_id) == key, key)  # type: ignore[no-any-return]

    def list_threads(self, room_id: str, *, limit: int = 100) -> list[Thread]:
        with self._lock:
            return sorted(
                (t for t in self._t["thread"].values() if t.room_id == room_id), key=_order
            )[:limit]

    def get_or_create_room_by_external_binding(
        self,
        channel: str,
        bridge_id: str | int,
        external_id: str | int,
        attrs: Mapping[str, Any] | None = None,
    ) -> Room:
        key = (channel, str(bridge_id), str(external_id))
        with self._lock:
            if self._room_keys.get(key) in self._t["room"]:
                return self._t["room"][self._room_keys[key]]  # type: ignore[no-any-return]
            room = build_record(Room, attrs or {}, external_bindings={key[0]: {key[1]: key[2]}})
            binding = self._binding(room.id, key, {})
            self._put("room", room.id, room)
            self._bind(binding)
            return room

    def get_or_create_participant_by_external_id(
        self, channel: str, external_id: str | int, attrs: Mapping[str, Any] | None = None
    ) -> Participant:
        key = (channel, str(external_id))
        with self._lock:
            if self._participant_keys.get(key) in self._t["participant"]:
                return self._t["participant"][self._participant_keys[key]]  # type: ignore[no-any-return]
            participant = build_record(Participant, attrs or {}, external_ids={key[0]: key[1]})
            self._participant_keys[key] = participant.id
            return self._put("participant", participant.id, participant)  # type: ignore[no-any-return]

    def get_message_by_external_id(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Message:
        key = (channel, bridge_id, external_id)
        return self._latest("message", lambda m: message_external_key(m) == key, key)  # type: ignore[no-any-return]

    def update_message_external_id(self, message_id: str, external_id: str | int) -> Message:
        with self._lock:
            message = self.get_message(message_id).model_copy(update={"external_id": external_id})
            return self._put("message", message_id, message)  # type: ignore[no-any-return]

    def get_room_by_external_binding(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Room:
        key = (channel, bridge_id, external_id)
        with self._lock:
            if self._room_keys.get(key) not in self._t["room"]:  # type: ignore[arg-type]
                raise NotFound("room", key)
            return self._t["room"][self._room_keys[key]]  # type: ignore[index, no-any-return]

    def _binding(
        self, room_id: str, key: tuple[str, str, str], attrs: dict[str, Any]
    ) -> RoomBinding:
        """The record create_room_binding stores: an existing one keeps id and inserted_at."""
        bindings = self._t["room_binding"]
        same = [
            b
            for b in bindings.values()
            if (b.room_id, b.channel, b.bridge_id, b.external_room_id) == (room_id, *key)
        ]
        if attrs.get("id") in bindings and (not same or same[0].id != attrs["id"]):
            raise InvalidArgument(f"binding id {attrs['id']!r} belongs to another room or key")
        if same:
            changes = {k: attrs[k] for k in ("direction", "enabled") if k in attrs}
            return build_record(RoomBinding, same[0].model_dump(), **changes)
        return build_record(
            RoomBinding,
            attrs,
            room_id=room_id,
            channel=key[0],
            bridge_id=key[1],
            external_room_id=key[2],
        )

    def _bind(self, binding: RoomBinding) -> RoomBinding:
        self._put("room_binding", binding.id, binding)
        self._room_keys[(binding.channel, binding.bridge_id, binding.external_room_id)] = (
            binding.room_id
        )
        return binding

    def create_room_binding(
        self,
        room_id: str,
        channel: str,
        bridge_id: str | int,
        external_id: str | int,
        attrs: Mapping[str, Any] | None = None,
    ) -> RoomBinding:
        with self._lock:
            return self._bind(
                self._binding(
                    room_id, (channel, str(bridge_id), str(external_id)), dict(attrs or {})
                )
            )

    def list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        with self._lock:
            return sorted(
                (b for b in self._t["room_binding"].values() if b.room_id == room_id), key=_order
            )

    def delete_room_binding(self, binding_id: str) -> None:
        with self._lock:
            binding = self._get("room_binding", binding_id)
            del self._t["room_binding"][binding_id]
            key = (binding.channel, binding.bridge_id, binding.external_room_id)
            if self._room_keys.get(key) == binding.room_id:
                del self._room_keys[key]

    def directory_search(
        self, target: DirectoryTarget | str, query: Mapping[str, Any], *, limit: int | None = None
    ) -> list[Participant] | list[Room]:
        q = DirectoryQuery.parse(query)
        with self._lock:
            if target == DirectoryTarget.PARTICIPANT:
                found: list[Any] = [
                    p for p in self._t["participant"].values() if participant_matches(p, q)
                ]
            else:
                bound = self._room_keys.get((q.channel, q.bridge_id, q.external_id))  # type: ignore[arg-type]
                found = [r for r in self._t["room"].values() if room_matches(r, q, bound)]
        return sorted(found, key=lambda record: record.id)[:limit]

    def save_onboarding(self, flow: Mapping[str, Any]) -> dict[str, Any]:
        self._put("onboarding", flow["onboarding_id"], copy.deepcopy(dict(flow)))
        return dict(flow)

    def get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        return copy.deepcopy(self._get("onboarding", onboarding_id))  # type: ignore[no-any-return]

    def save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        return self._put("bridge_config", config.id, config)

    def get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        return self._get("bridge_config", bridge_config_id)  # type: ignore[no-any-return]

    def list_bridge_configs(self, *, enabled: bool | None = None) -> list[BridgeConfig]:
        with self._lock:
            configs = sorted(self._t["bridge_config"].values(), key=lambda c: c.id)
        return [c for c in configs if enabled in (None, c.enabled)]

    def delete_bridge_config(self, bridge_config_id: str) -> None:
        with self._lock:
            self._get("bridge_config", bridge_config_id)
            del self._t["bridge_config"][bridge_config_id]

    def save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        return self._put("routing_policy", policy.room_id, policy)

    def get_routing_policy(self, room_id: str) -> RoutingPolicy:
        return self._get("routing_policy", room_id)  # type: ignore[no-any-return]

    def delete_routing_policy(self, room_id: str) -> None:
        with self._lock:
            self._get("routing_policy", room_id)
            del self._t["routing_policy"][room_id]
