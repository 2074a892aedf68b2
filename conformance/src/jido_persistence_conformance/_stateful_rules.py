"""The comparison machine's everyday rules: saves, reads, deletes, paging, keys, directory.

Each rule calls one callback (or a few) on both stores with the same arguments drawn
from the pools of ``_stateful_pools``: saves that move messages between rooms and
threads and re-key them, deletes and cascades, cursor paging both ways, get-or-create
with live, stale and new keys, bindings, and directory search and lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import rule

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import NotFound
from jido_persistence.models import (
    Message,
    Participant,
    ParticipantType,
    Presence,
    Room,
    RoomType,
    Thread,
    ThreadStatus,
)
from jido_persistence_conformance import strategies as kit
from jido_persistence_conformance._stateful_base import _ComparisonBase
from jido_persistence_conformance._stateful_outcomes import _outcome
from jido_persistence_conformance._stateful_pools import (
    _EXTERNALS,
    _LIMITS,
    _MESSAGE_IDS,
    _NAMES,
    _PARTICIPANT_IDS,
    _RECORD_DELETERS,
    _RECORD_GETTERS,
    _ROOM_IDS,
    _ROOM_KEYS,
    _THREAD_IDS,
    _TIMESTAMPS,
    BINDING_IDS,
    CONFIG_IDS,
    EXTERNAL_THREAD_IDS,
    GHOST_ROOM,
    MESSAGE_IDS,
    NAME_QUERIES,
    NAMES,
    ROOM_IDS,
    _binding_attrs,
    _messages,
    _normalised,
    _participant_attrs,
    _revalidated,
    _room_attrs,
)


class _RecordRules(_ComparisonBase):
    """Rules that save, read, page, delete and re-key records, and search the directory."""

    # --- saves ---------------------------------------------------------------------

    @rule(
        room=st.builds(
            Room,
            id=_ROOM_IDS,
            type=st.sampled_from(RoomType),
            name=_NAMES,
            external_bindings=st.just({}) | st.just({"slack": {"1": "100"}}),
            metadata=st.just({}) | kit.json_objects(max_size=2),
            inserted_at=_TIMESTAMPS,
        )
        | st.builds(_revalidated, kit.rooms(room_ids=_ROOM_IDS), inserted_at=_TIMESTAMPS)
    )
    def save_room(self, room: Any) -> None:
        """Save a room (often a re-save under a pooled id)."""
        self.compare("save_room", room)

    @rule(
        participant=st.builds(
            Participant,
            id=_PARTICIPANT_IDS,
            type=st.sampled_from(ParticipantType),
            identity=_NAMES.map(lambda n: {"name": n}) | st.just({"name": 7}),
            external_ids=st.just({}) | st.just({"slack": "100"}),
            presence=st.sampled_from(Presence),
        )
        | kit.participants(participant_ids=_PARTICIPANT_IDS)
    )
    def save_participant(self, participant: Any) -> None:
        """Save a participant with a pooled (often trap) name."""
        self.compare("save_participant", participant)

    @rule(
        batch=st.lists(_messages(), min_size=1, max_size=4),
        same_room=st.none() | _ROOM_IDS,
    )
    def save_messages(self, batch: list[Message], same_room: str | None) -> None:
        """Save or re-save messages: moves rooms/threads, changes or drops keys, ties."""
        for given in batch:
            message = (
                given if same_room is None else given.model_copy(update={"room_id": same_room})
            )
            if message.external_id is not None and "channel" in message.metadata:
                meta = message.metadata
                self.message_keys.add(
                    _normalised((meta["channel"], meta["bridge_id"], message.external_id))
                )
            self.compare("save_message", message)

    @rule(
        thread=st.builds(
            Thread,
            id=_THREAD_IDS,
            room_id=_ROOM_IDS,
            external_thread_id=st.none() | st.sampled_from(EXTERNAL_THREAD_IDS),
            root_message_id=st.none() | st.sampled_from(MESSAGE_IDS[:2]),
            status=st.sampled_from(ThreadStatus),
            inserted_at=_TIMESTAMPS,
            updated_at=_TIMESTAMPS,
        )
    )
    def save_thread(self, thread: Any) -> None:
        """Save or re-save a thread: moves its per-room keys."""
        if thread.external_thread_id is not None:
            self.thread_external_keys.add((thread.room_id, thread.external_thread_id))
        if thread.root_message_id is not None:
            self.thread_root_keys.add((thread.room_id, thread.root_message_id))
        self.compare("save_thread", thread)

    @rule(config=kit.bridge_configs(config_ids=st.sampled_from(CONFIG_IDS)))
    def save_bridge_config(self, config: Any) -> None:
        """Save a bridge config."""
        self.compare("save_bridge_config", config)

    @rule(policy=kit.routing_policies(room_ids=_ROOM_IDS))
    def save_routing_policy(self, policy: Any) -> None:
        """Save a room's routing policy."""
        self.compare("save_routing_policy", policy)

    # --- reads and deletes by id ------------------------------------------------------

    @rule(kind=st.sampled_from(sorted(_RECORD_GETTERS)), data=st.data())
    def get_record(self, kind: str, data: st.DataObject) -> None:
        """Read one record by id (existing or not)."""
        name, pool = _RECORD_GETTERS[kind]
        self.compare(name, data.draw(st.sampled_from(pool), label="id"))

    @rule(
        kind=st.sampled_from(("rooms", "threads", "bindings", "configs", "thread_keys")),
        room_id=_ROOM_IDS,
        limit=_LIMITS,
        enabled=st.sampled_from((None, True, False)),
        external=st.sampled_from((*EXTERNAL_THREAD_IDS, 7)),
        root=_MESSAGE_IDS,
    )
    def list_records(
        self,
        kind: str,
        room_id: str,
        limit: int,
        enabled: bool | None,
        external: str | int,
        root: str,
    ) -> None:
        """List with a random limit or filter, or resolve thread keys (``7`` is ``"7"``)."""
        if kind == "rooms":
            self.compare("list_rooms", limit=limit)
        elif kind == "threads":
            self.compare("list_threads", room_id, limit=limit)
        elif kind == "bindings":
            self.compare("list_room_bindings", room_id)
        elif kind == "configs":
            self.compare("list_bridge_configs", enabled=enabled)
        else:
            self.compare("get_thread_by_external_id", room_id, external)
            self.compare("get_thread_by_root_message", room_id, root)

    @rule(kind=st.sampled_from(sorted(_RECORD_DELETERS)), data=st.data())
    def delete_record(self, kind: str, data: st.DataObject) -> None:
        """Delete a participant, config or policy by id (NotFound where the contract says)."""
        name, pool = _RECORD_DELETERS[kind]
        self.compare(name, data.draw(st.sampled_from(pool), label="id"))

    @rule(data=st.data())
    def delete_room(self, data: st.DataObject) -> None:
        """Delete a room and cascade (messages, threads, bindings, policy, keys)."""
        room_id = data.draw(st.sampled_from((*ROOM_IDS, GHOST_ROOM)), label="room id")
        self.compare("delete_room", room_id)

    @rule(data=st.data())
    def delete_message(self, data: st.DataObject) -> None:
        """Delete a stored (or unknown) message and every index entry of it."""
        self.compare("delete_message", self._pick_message(data))

    @rule(data=st.data())
    def delete_room_binding(self, data: st.DataObject) -> None:
        """Delete a binding by explicit id (NotFound when unknown)."""
        binding_id = data.draw(st.sampled_from(BINDING_IDS), label="binding id")
        self.compare("delete_room_binding", binding_id)

    # --- messages ------------------------------------------------------------------
    @rule(
        limit=_LIMITS,
        direction=st.sampled_from(("before", "after", None)),
        thread_id=st.none() | _THREAD_IDS,
        data=st.data(),
    )
    def get_messages(
        self,
        limit: int,
        direction: str | None,
        thread_id: str | None,
        data: st.DataObject,
    ) -> None:
        """Page a room (or thread) with or without a cursor, either way."""
        room_id = self._pick_room(data)
        cursor_kw = {} if direction is None else {direction: self._pick_message(data)}
        self.compare("get_messages", room_id, limit=limit, thread_id=thread_id, **cursor_kw)

    @rule(
        thread_id=st.none() | _THREAD_IDS,
        limit=st.sampled_from((1, 2)),
        direction=st.sampled_from(("before", "after")),
        data=st.data(),
    )
    def page_through(
        self, thread_id: str | None, limit: int, direction: str, data: st.DataObject
    ) -> None:
        """Page with ``before=`` the first (or ``after=`` the last) id of each page."""
        room_id = self._pick_room(data)
        cursor: str | None = None
        for _ in range(len(MESSAGE_IDS) + 2):
            kwargs: dict[str, Any] = {"limit": limit, "thread_id": thread_id}
            if cursor is not None:
                kwargs[direction] = cursor
            self.compare("get_messages", room_id, **kwargs)
            page = self.reference.get_messages(room_id, **kwargs)
            if not page:
                return
            cursor = page[0].id if direction == "before" else page[-1].id

    @rule(data=st.data(), external_id=_EXTERNALS)
    def update_message_external_id(self, data: st.DataObject, external_id: str | int) -> None:
        """Re-key a message: the old key stops resolving to it."""
        message_id = self._pick_message(data)
        try:
            message = self.reference.get_message(message_id)
        except NotFound:
            message = None
        if message is not None and "channel" in message.metadata:
            meta = message.metadata
            self.message_keys.add(_normalised((meta["channel"], meta["bridge_id"], external_id)))
        self.compare("update_message_external_id", message_id, external_id)

    # --- get-or-create and bindings -------------------------------------------------

    @rule(key=_ROOM_KEYS, attrs=_room_attrs())
    def get_or_create_room(self, key: tuple[str, str | int, str | int], attrs: Any) -> None:
        """Get-or-create a room: live, stale (room gone) or new key; bad attrs."""
        self.compare("get_or_create_room_by_external_binding", *key, attrs)

    @rule(key=_ROOM_KEYS, attrs=_participant_attrs())
    def get_or_create_participant(
        self, key: tuple[str, str | int, str | int], attrs: dict[str, Any]
    ) -> None:
        """Get-or-create a participant: live, stale or new key; bad attrs."""
        self.compare("get_or_create_participant_by_external_id", key[0], key[2], attrs)

    @rule(
        room_id=st.sampled_from((*ROOM_IDS, GHOST_ROOM)),
        key=_ROOM_KEYS,
        attrs=_binding_attrs(),
        again=st.booleans(),
    )
    def create_room_binding(
        self,
        room_id: str,
        key: tuple[str, str | int, str | int],
        attrs: dict[str, Any],
        again: bool,
    ) -> None:
        """Create or update a binding record (twice: an upsert); the key moves to ``room_id``.

        Rooms that do not exist make stale keys for get-or-create to heal.
        """
        self.compare("create_room_binding", room_id, *key, attrs)
        if again:
            self.compare("create_room_binding", room_id, *key, {"enabled": False})

    @rule(room_id=_ROOM_IDS, data=st.data())
    def delete_generated_binding(self, room_id: str, data: st.DataObject) -> None:
        """Delete a binding that get-or-create made, by each store's own id for it."""

        def generated(store: PersistenceAdapter) -> dict[tuple[str, ...], str]:
            return {
                (b.channel, b.bridge_id, b.external_room_id): b.id
                for b in store.list_room_bindings(room_id)
                if b.id not in BINDING_IDS
            }

        theirs, ours = generated(self.reference), generated(self.store)
        if not theirs:
            return
        key = data.draw(st.sampled_from(sorted(theirs)), label="binding key")
        self.dirty = True
        expected = _outcome(lambda: self.reference.delete_room_binding(theirs[key]))
        actual = _outcome(lambda: self.store.delete_room_binding(ours.get(key, "bind:none")))
        self._assert_same(f"delete_room_binding(<generated {key}>)", expected, actual)

    # --- directory -----------------------------------------------------------------

    @rule(data=st.data(), directory_target=st.sampled_from(("participant", "room")))
    def directory(self, data: st.DataObject, directory_target: str) -> None:
        """Search and look up by trap names, and by a random query built from the pools."""
        for name in NAME_QUERIES:
            self.compare("directory_search", directory_target, {"name": name})
            self.compare("directory_lookup", directory_target, {"name": name})
        query: dict[str, Any] = {}
        if data.draw(st.booleans(), label="with name"):
            source = data.draw(st.sampled_from([n for n in NAMES if n]), label="name source")
            start = data.draw(st.integers(0, len(source)), label="start")
            stop = data.draw(st.integers(start, len(source)), label="stop")
            folds: list[Callable[[str], str]] = [str, str.upper, str.casefold, str.lower]
            query["name"] = data.draw(st.sampled_from(folds), label="case")(source[start:stop])
        ids = _PARTICIPANT_IDS if directory_target == "participant" else _ROOM_IDS
        key = data.draw(_ROOM_KEYS, label="key")
        parts = {"id": ids, "channel": st.just(key[0]), "bridge_id": st.just(key[1])}
        parts["external_id"] = st.just(key[2])
        for field, values in parts.items():
            if data.draw(st.booleans(), label=f"with {field}"):
                query[field] = data.draw(values, label=field)
        limit = data.draw(st.none() | _LIMITS, label="limit")
        self.compare("directory_search", directory_target, query, limit=limit)
        self.compare("directory_lookup", directory_target, query)
