"""A complete, minimal adapter in plain dicts (the one docs/writing-an-adapter.md shows).

Every rule of the contract and no indexes: lookups scan, which is fine for an example.
It implements the protected hooks (``_save_room``, ...): the base class's public
callbacks check and normalise the arguments, raise StoreClosed after close() and call
them; the base implements directory_lookup and health_check; the optional groups are
left out (NotSupported).
"""

from __future__ import annotations

import copy
import itertools
import threading
from datetime import UTC, datetime
from typing import Any

from jido_persistence import PersistenceAdapter
from jido_persistence.directory import participant_matches, room_matches
from jido_persistence.errors import CursorNotFound, InvalidArgument, NotFound
from jido_persistence.models import DirectoryTarget, Participant, Room, RoomBinding
from jido_persistence.validation import DirectoryQuery, build_record, message_external_key

EARLIEST = datetime.min.replace(tzinfo=UTC)


def _order(record: Any) -> tuple[bool, datetime, str]:
    """(inserted_at, id), None first; str ids compare by code point."""
    return (record.inserted_at is not None, record.inserted_at or EARLIEST, record.id)


def _saver(table: str, key: str = "id") -> Any:
    return lambda self, record: self._put(table, getattr(record, key), record)


def _getter(table: str) -> Any:
    return lambda self, record_id: self._get(table, record_id)


def _deleter(table: str, missing_ok: bool) -> Any:
    def delete(self: DictAdapter, record_id: str) -> None:
        with self._lock:
            if self._tables[table].pop(record_id, None) is None and not missing_ok:
                raise NotFound(table, record_id)

    return delete


class DictAdapter(PersistenceAdapter):
    """Everything in dicts, one lock around each callback; not durable."""

    keeps_python_objects = True  # the guard copies dicts and lists in and out

    def __init__(self, **options: object) -> None:
        self.options = self.Options.parse(options)
        self._lock = threading.RLock()
        self._tick = itertools.count()
        self._saved: dict[str, int] = {}  # message/thread id -> save order (latest holder)
        self._keys: dict[tuple[str, ...], str] = {}  # room and participant binding keys
        self._tables: dict[str, dict[str, Any]] = {
            name: {}
            for name in (
                "room", "participant", "message", "thread", "room_binding",
                "onboarding", "bridge_config", "routing_policy",
            )
        }  # fmt: skip

    def _put(self, table: str, key: str, record: Any) -> Any:
        with self._lock:
            self._tables[table][key] = record
            self._saved[key] = next(self._tick)
            return record

    def _get(self, table: str, key: Any) -> Any:
        with self._lock:
            if key not in self._tables[table]:
                raise NotFound(table, key)
            return self._tables[table][key]

    def _scan(self, table: str, keep: Any, order: Any = _order) -> list[Any]:
        with self._lock:
            return sorted(filter(keep, self._tables[table].values()), key=order)

    def _latest(self, table: str, keep: Any, key: Any) -> Any:
        """The most recently saved record that ``keep`` accepts."""
        found = self._scan(table, keep, order=lambda record: self._saved[record.id])
        if not found:
            raise NotFound(table, key)
        return found[-1]

    _save_room, _get_room = _saver("room"), _getter("room")
    _save_participant, _get_participant = _saver("participant"), _getter("participant")
    _delete_participant = _deleter("participant", missing_ok=True)
    _save_message, _get_message = _saver("message"), _getter("message")
    _delete_message = _deleter("message", missing_ok=True)
    _save_thread, _get_thread = _saver("thread"), _getter("thread")
    _save_bridge_config, _get_bridge_config = _saver("bridge_config"), _getter("bridge_config")
    _delete_bridge_config = _deleter("bridge_config", missing_ok=False)
    _save_routing_policy = _saver("routing_policy", key="room_id")
    _get_routing_policy = _getter("routing_policy")
    _delete_routing_policy = _deleter("routing_policy", missing_ok=False)

    def _list_rooms(self, *, limit: int, after: str | None) -> list[Room]:
        return self._scan("room", None)[:limit]

    def _delete_room(self, room_id: str) -> None:
        with self._lock:
            for table in ("message", "thread"):
                for record in self._scan(table, lambda r: r.room_id == room_id):
                    del self._tables[table][record.id]
            for binding in self._list_room_bindings(room_id):
                self._delete_room_binding(binding.id)
            self._tables["routing_policy"].pop(room_id, None)
            self._tables["room"].pop(room_id, None)

    def _get_messages(
        self,
        room_id: str,
        *,
        limit: int,
        before: str | None,
        after: str | None,
        thread_id: str | None,
    ) -> list[Any]:
        in_scope = lambda m: m.room_id == room_id and thread_id in (None, m.thread_id)  # noqa: E731
        scope = self._scan("message", in_scope)
        ids = [message.id for message in scope]
        if (before or after) is not None and (before or after) not in ids:
            raise CursorNotFound(f"cursor {before or after!r} is not in this room or thread")
        if before is not None:
            scope = scope[: ids.index(before)]
        elif after is not None:
            return scope[ids.index(after) + 1 :][:limit]
        return scope[max(0, len(scope) - limit) :] if limit else []

    def _get_thread_by_external_id(self, room_id: str, external_thread_id: Any) -> Any:
        key = (room_id, external_thread_id)
        return self._latest("thread", lambda t: (t.room_id, t.external_thread_id) == key, key)

    def _get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Any:
        key = (room_id, root_message_id)
        return self._latest("thread", lambda t: (t.room_id, t.root_message_id) == key, key)

    def _list_threads(self, room_id: str, *, limit: int, after: str | None) -> list[Any]:
        return self._scan("thread", lambda thread: thread.room_id == room_id)[:limit]

    def _get_or_create_room_by_external_binding(
        self, channel: str, bridge_id: Any, external_id: Any, attrs: dict[str, Any]
    ) -> Room:
        key = (channel, bridge_id, external_id)
        with self._lock:
            if self._keys.get(key) in self._tables["room"]:
                return self._tables["room"][self._keys[key]]  # type: ignore[no-any-return]
            room = build_record(Room, attrs, external_bindings={channel: {bridge_id: external_id}})
            binding = self._binding(room.id, key, {})  # validate before writing anything
            self._put("room", room.id, room)
            self._bind(binding)
            return room

    def _get_or_create_participant_by_external_id(
        self, channel: str, external_id: Any, attrs: dict[str, Any]
    ) -> Participant:
        key = (channel, external_id)
        with self._lock:
            if self._keys.get(key) in self._tables["participant"]:
                return self._tables["participant"][self._keys[key]]  # type: ignore[no-any-return]
            participant = build_record(Participant, attrs, external_ids={channel: external_id})
            self._keys[key] = participant.id
            return self._put("participant", participant.id, participant)  # type: ignore[no-any-return]

    def _get_message_by_external_id(self, channel: str, bridge_id: Any, external_id: Any) -> Any:
        key = (channel, bridge_id, external_id)
        return self._latest("message", lambda m: message_external_key(m) == key, key)

    def _update_message_external_id(self, message_id: str, external_id: Any) -> Any:
        with self._lock:
            message = self._get("message", message_id)
            return self._put(
                "message", message_id, message.model_copy(update={"external_id": external_id})
            )

    def _get_room_by_external_binding(self, channel: str, bridge_id: Any, external_id: Any) -> Room:
        key = (channel, bridge_id, external_id)
        with self._lock:
            if self._keys.get(key) not in self._tables["room"]:
                raise NotFound("room", key)
            return self._tables["room"][self._keys[key]]  # type: ignore[no-any-return]

    def _binding(self, room_id: str, key: tuple[str, ...], attrs: dict[str, Any]) -> RoomBinding:
        """The record to store: an existing one for (room, key) keeps id and inserted_at."""
        same = self._scan(
            "room_binding",
            lambda b: (b.room_id, b.channel, b.bridge_id, b.external_room_id) == (room_id, *key),
        )
        if attrs.get("id") in self._tables["room_binding"] and attrs["id"] not in [
            b.id for b in same
        ]:
            raise InvalidArgument(f"binding id {attrs['id']!r} belongs to another room or key")
        if same:
            changes = {name: attrs[name] for name in ("direction", "enabled") if name in attrs}
            return build_record(RoomBinding, same[0].model_dump(), **changes)
        channel, bridge_id, external_id = key
        return build_record(
            RoomBinding, attrs, room_id=room_id, channel=channel, bridge_id=bridge_id,
            external_room_id=external_id,
        )  # fmt: skip

    def _bind(self, binding: RoomBinding) -> RoomBinding:
        self._keys[(binding.channel, binding.bridge_id, binding.external_room_id)] = binding.room_id
        return self._put("room_binding", binding.id, binding)  # type: ignore[no-any-return]

    def _create_room_binding(self, room_id: str, channel: str, bridge_id: Any, external_id: Any,
                            attrs: dict[str, Any]) -> RoomBinding:  # fmt: skip
        with self._lock:
            return self._bind(self._binding(room_id, (channel, bridge_id, external_id), attrs))

    def _list_room_bindings(self, room_id: str) -> list[Any]:
        return self._scan("room_binding", lambda binding: binding.room_id == room_id)

    def _delete_room_binding(self, binding_id: str) -> None:
        with self._lock:
            binding = self._tables["room_binding"].pop(binding_id, None)
            if binding is None:
                raise NotFound("room_binding", binding_id)
            key = (binding.channel, binding.bridge_id, binding.external_room_id)
            if self._keys.get(key) == binding.room_id:
                del self._keys[key]

    def _directory_search(self, target: Any, query: DirectoryQuery, *, limit: int | None) -> Any:
        parsed = query
        by_id = lambda record: record.id  # noqa: E731
        if target == DirectoryTarget.PARTICIPANT:
            return self._scan("participant", lambda p: participant_matches(p, parsed), by_id)[
                :limit
            ]
        bound = self._keys.get((parsed.channel, parsed.bridge_id, parsed.external_id))  # type: ignore[arg-type]
        return self._scan("room", lambda room: room_matches(room, parsed, bound), by_id)[:limit]

    def _save_onboarding(self, flow: Any) -> dict[str, Any]:
        self._put("onboarding", flow["onboarding_id"], copy.deepcopy(flow))
        return flow  # type: ignore[no-any-return]

    def _get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        return copy.deepcopy(self._get("onboarding", onboarding_id))  # type: ignore[no-any-return]

    def _list_bridge_configs(self, *, enabled: bool | None) -> list[Any]:
        keep = lambda config: enabled in (None, config.enabled)  # noqa: E731
        return self._scan("bridge_config", keep, order=lambda config: config.id)
