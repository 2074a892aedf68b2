"""The read callbacks of every adapter whose records live in an :class:`InMemoryState`.

:class:`StateReads` is a mixin for a :class:`~jido_persistence.PersistenceAdapter`
that keeps its state in ``self._state`` and guards it with the
:class:`~jido_persistence.transactions.StoreLock` ``self._lock``: the memory
reference adapter and the TinyDB adapter.  Every read is served by the indexes, under
the lock: id and key lookups O(1), message pages and enumerations O(log n + limit),
``directory_search`` by name O(the smallest trigram posting + matches) through the
name indexes (a query shorter than three code points, or one with no name, scans).
No file is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jido_persistence.directory import search_participants, search_rooms
from jido_persistence.errors import NotFound
from jido_persistence.indexes import (
    check_cursor,
    ids_after,
    ordered_after,
    page_entries,
)
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
from jido_persistence.state import InMemoryState
from jido_persistence.transactions import StoreLock
from jido_persistence.validation import DirectoryQuery

__all__ = ["StateReads"]


class StateReads:
    """Every read callback, on ``self._state`` under ``self._lock``."""

    _lock: StoreLock
    _state: InMemoryState
    keeps_python_objects = True

    if TYPE_CHECKING:

        def _check_open(self) -> None: ...

    def _get(self, records: Mapping[Any, Any], entity: str, key: Any) -> Any:
        """``records[key]`` under the lock; NotFound(entity, key) when absent."""
        with self._lock:
            self._check_open()
            try:
                return records[key]
            except KeyError:
                raise NotFound(entity, key) from None

    # --- records by id -------------------------------------------------------------

    def _get_room(self, room_id: str) -> Room:
        room: Room = self._get(self._state.rooms, "room", room_id)
        return room

    def _get_participant(self, participant_id: str) -> Participant:
        found: Participant = self._get(self._state.participants, "participant", participant_id)
        return found

    def _get_message(self, message_id: str) -> Message:
        found: Message = self._get(self._state.messages, "message", message_id)
        return found

    def _get_thread(self, thread_id: str) -> Thread:
        found: Thread = self._get(self._state.threads, "thread", thread_id)
        return found

    def _get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        found: BridgeConfig = self._get(
            self._state.bridge_configs, "bridge_config", bridge_config_id
        )
        return found

    def _get_routing_policy(self, room_id: str) -> RoutingPolicy:
        found: RoutingPolicy = self._get(self._state.routing_policies, "routing_policy", room_id)
        return found

    def _get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        flow: dict[str, Any] = self._get(self._state.onboarding, "onboarding", onboarding_id)
        return flow

    # --- messages ------------------------------------------------------------------

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
            state = self._state
            if thread_id is None:
                scope = state.room_messages.get(room_id)
            else:
                scope = state.thread_messages.get((room_id, thread_id))
            cursor = before if before is not None else after
            cursor_key = None
            if cursor is not None:
                cursor_key = check_cursor(state.messages.get(cursor), cursor, room_id, thread_id)
            entries = page_entries(scope, limit, cursor_key, before=before is not None)
            return [state.messages[entry[2]] for entry in entries]

    # --- keys ----------------------------------------------------------------------

    def _get_message_by_external_id(
        self, channel: str, bridge_id: str, external_id: str
    ) -> Message:
        with self._lock:
            self._check_open()
            key = (channel, bridge_id, external_id)
            message_id = self._state.message_keys.resolve(key)
            if message_id is None:
                raise NotFound("message", key)
            return self._state.messages[message_id]

    def _get_thread_by_external_id(self, room_id: str, external_thread_id: str) -> Thread:
        with self._lock:
            self._check_open()
            key = (room_id, external_thread_id)
            thread_id = self._state.thread_external_keys.resolve(key)
            if thread_id is None:
                raise NotFound("thread", key)
            return self._state.threads[thread_id]

    def _get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        with self._lock:
            self._check_open()
            key = (room_id, root_message_id)
            thread_id = self._state.thread_root_keys.resolve(key)
            if thread_id is None:
                raise NotFound("thread", key)
            return self._state.threads[thread_id]

    def _get_room_by_external_binding(self, channel: str, bridge_id: str, external_id: str) -> Room:
        with self._lock:
            self._check_open()
            key = (channel, bridge_id, external_id)
            room_id = self._state.binding_keys.get(key)
            if room_id is None or room_id not in self._state.rooms:
                raise NotFound("room", key)
            return self._state.rooms[room_id]

    def _list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        with self._lock:
            self._check_open()
            bindings = self._state.room_bindings.get(room_id, {}).values()
            return sorted(bindings, key=lambda binding: (binding.inserted_at, binding.id))

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
            state = self._state
            if target == DirectoryTarget.PARTICIPANT:
                return search_participants(
                    state.participants, query, limit, state.participant_names
                )
            return search_rooms(state.rooms, state.binding_keys, query, limit, state.room_names)

    # --- configuration records -----------------------------------------------------

    def _list_bridge_configs(self, *, enabled: bool | None) -> list[BridgeConfig]:
        with self._lock:
            self._check_open()
            configs = self._state.bridge_configs
            return [
                configs[key]
                for key in sorted(configs)
                if enabled is None or configs[key].enabled == enabled
            ]

    def _list_ingress_subscriptions(
        self, bridge_id: str, *, status: IngressStatus | None
    ) -> list[IngressSubscription]:
        with self._lock:
            self._check_open()
            subscriptions = self._state.ingress.get(bridge_id, {})
            return [
                subscriptions[key]
                for key in sorted(subscriptions)
                if status is None or subscriptions[key].status == status
            ]

    # --- enumeration (contract 9.2, keyset pages) ----------------------------------

    def _list_rooms(self, *, limit: int, after: str | None = None) -> list[Room]:
        """The first ``limit`` rooms after the room ``after`` in ``(inserted_at, id)`` order."""
        with self._lock:
            self._check_open()
            return ordered_after(self._state.rooms, self._state.room_order, limit, after, "room")

    def _list_threads(self, room_id: str, *, limit: int, after: str | None = None) -> list[Thread]:
        """The room's first ``limit`` threads after the thread ``after``."""
        with self._lock:
            self._check_open()
            state = self._state
            return ordered_after(
                state.threads,
                state.room_threads.get(room_id),
                limit,
                after,
                "thread",
                lambda thread: thread.room_id == room_id,
                f"room {room_id!r}",
            )

    def _list_participants(self, *, limit: int, after: str | None = None) -> list[Participant]:
        """The first ``limit`` participants with an id above ``after``, by id."""
        with self._lock:
            self._check_open()
            return ids_after(self._state.participants, limit, after, "participant")

    def _list_onboardings(self, *, limit: int, after: str | None = None) -> list[dict[str, Any]]:
        """The first ``limit`` onboarding flows with an id above ``after``, by id."""
        with self._lock:
            self._check_open()
            page: list[dict[str, Any]] = ids_after(
                self._state.onboarding, limit, after, "onboarding flow"
            )
            return page
