"""The comparison machine's probes and edge rules: set-ups bugs hide in, and error paths.

"Probe" rules run short sequences that set up the states bugs hide in (a key shared
by two messages then re-keyed, a key moved between rooms, stale keys, trap names, a
room with one of everything deleted), so each of the kit's seeded bugs is found
within a few examples.  The other rules here cover onboarding copies, the optional
ingress trio, bad arguments, and close + reopen for durable adapters.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import NotSupported
from jido_persistence.models import (
    Message,
    MessageRole,
    Participant,
    ParticipantType,
    Room,
    RoomType,
    RoutingPolicy,
    Thread,
)
from jido_persistence_conformance import strategies as kit
from jido_persistence_conformance._stateful_base import _ComparisonBase
from jido_persistence_conformance._stateful_outcomes import _mutate, _outcome
from jido_persistence_conformance._stateful_pools import (
    _BAD_ATTRS,
    _BAD_BINDING_ATTRS,
    _BAD_CHANNELS,
    _BAD_CURSORS,
    _BAD_DIRECTORY_QUERIES,
    _BAD_DIRECTORY_TARGETS,
    _BAD_ENABLED_FILTERS,
    _BAD_EXTERNAL_IDS,
    _BAD_IDS,
    _BAD_LIMITS,
    _BAD_MODELS,
    _BAD_ONBOARDING_FLOWS,
    _EXTERNALS,
    _MESSAGE_IDS,
    _PARTICIPANT_IDS,
    _ROOM_IDS,
    _ROOM_KEYS,
    _T0,
    _THREAD_IDS,
    ALL,
    GHOST_ROOM,
    NAME_QUERIES,
    ONBOARDING_IDS,
    PARTICIPANT_IDS,
    ROOM_IDS,
    THREAD_IDS,
    TIMESTAMPS,
    TRAP_NAMES,
    _message_metadata,
    _normalised,
)


class _ProbeRules(_ComparisonBase):
    """Probe sequences, onboarding copies, ingress, bad arguments and reopen."""

    # --- probes: short sequences that set up the states bugs hide in -----------------

    @rule(data=st.data(), key=_ROOM_KEYS, externals=st.lists(_EXTERNALS, min_size=2, max_size=3))
    def probe_message_key(
        self, data: st.DataObject, key: tuple[str, str | int, str | int], externals: list[Any]
    ) -> None:
        """Two messages share a key (the latest save wins), are paged by cursor, one is
        re-keyed and one deleted."""
        room_id = self._pick_room(data)
        first, second = data.draw(
            st.lists(_MESSAGE_IDS, min_size=2, max_size=2, unique=True), label="message ids"
        )
        for message_id in (first, second):
            message = Message(
                id=message_id,
                room_id=room_id,
                sender_id="p:1",
                role=MessageRole.USER,
                external_id=str(externals[0]),
                metadata=_message_metadata(key),
                inserted_at=_T0,
                updated_at=None,
            )
            self.message_keys.add(_normalised((key[0], key[1], externals[0])))
            self.compare("save_message", message)
        self.reads_agree()
        for cursor in (first, second):
            self.compare("get_messages", room_id, limit=1, before=cursor)
            self.compare("get_messages", room_id, limit=1, after=cursor)
        for external in externals[1:]:
            self.message_keys.add(_normalised((key[0], key[1], external)))
            self.compare("update_message_external_id", second, external)
        self.reads_agree()
        self.compare("delete_message", data.draw(st.sampled_from((first, second)), label="gone"))

    @rule(
        rooms=st.lists(st.sampled_from((*ROOM_IDS, GHOST_ROOM)), min_size=2, max_size=2),
        key=_ROOM_KEYS,
        how=st.sampled_from(("delete_room", "delete_room_binding")),
    )
    def probe_rebind(
        self, rooms: list[str], key: tuple[str, str | int, str | int], how: str
    ) -> None:
        """A key moves from one room to another; the first room's binding goes away."""
        first, second = rooms
        self.compare("create_room_binding", first, *key, {"id": "bind:1", "inserted_at": _T0})
        self.compare("create_room_binding", second, *key, {"id": "bind:2", "inserted_at": _T0})
        if how == "delete_room":
            self.compare("delete_room", first)
        else:
            self.compare("delete_room_binding", "bind:1")
        self.compare("get_room_by_external_binding", *key)

    @rule(
        room_id=_ROOM_IDS,
        participant_id=_PARTICIPANT_IDS,
        names=st.lists(st.sampled_from(TRAP_NAMES), min_size=2, max_size=2),
    )
    def probe_names(self, room_id: str, participant_id: str, names: list[str]) -> None:
        """Name rooms and participants with trap names; search and look up by trap names."""
        for name, room in zip(names, (room_id, ROOM_IDS[0]), strict=True):
            self.compare(
                "save_room", Room(id=room, type=RoomType.GROUP, name=name, inserted_at=_T0)
            )
        for name, person in zip(names, (participant_id, PARTICIPANT_IDS[0]), strict=True):
            participant = Participant(
                id=person, type=ParticipantType.HUMAN, identity={"name": name}
            )
            self.compare("save_participant", participant)
        for target in ("participant", "room"):
            for query in NAME_QUERIES:
                self.compare("directory_search", target, {"name": query})
                self.compare("directory_lookup", target, {"name": query})

    @rule(key=_ROOM_KEYS, room_id=_ROOM_IDS, participant_id=_PARTICIPANT_IDS)
    def probe_stale_keys(
        self, key: tuple[str, str | int, str | int], room_id: str, participant_id: str
    ) -> None:
        """Keys whose room or participant is gone are healed by get-or-create."""
        self.compare("create_room_binding", GHOST_ROOM, *key, {"inserted_at": _T0})
        attrs = {"id": room_id, "type": RoomType.GROUP, "inserted_at": _T0}
        self.compare("get_or_create_room_by_external_binding", *key, attrs)
        person = {"id": participant_id, "type": ParticipantType.AGENT}
        self.compare("get_or_create_participant_by_external_id", key[0], key[2], person)
        self.compare("delete_participant", participant_id)
        self.compare("get_or_create_participant_by_external_id", key[0], key[2], person)

    @rule(room_id=_ROOM_IDS, key=_ROOM_KEYS, message_id=_MESSAGE_IDS, thread_id=_THREAD_IDS)
    def probe_cascade(
        self, room_id: str, key: tuple[str, str | int, str | int], message_id: str, thread_id: str
    ) -> None:
        """Give a room one of everything, then delete it: the cascade takes it all."""
        self.compare("save_room", Room(id=room_id, type=RoomType.CHANNEL, inserted_at=_T0))
        message = Message(
            id=message_id,
            room_id=room_id,
            sender_id="p:1",
            role=MessageRole.USER,
            thread_id=thread_id,
            external_id="x",
            metadata=_message_metadata(key),
            inserted_at=None,
            updated_at=None,
        )
        self.message_keys.add(_normalised((key[0], key[1], "x")))
        self.compare("save_message", message)
        for other in THREAD_IDS:
            when = _T0 if other == thread_id else TIMESTAMPS[2]
            thread = Thread(id=other, room_id=room_id, external_thread_id="xt:1", inserted_at=when)
            self.compare("save_thread", thread)
        self.thread_external_keys.add((room_id, "xt:1"))
        self.compare("save_routing_policy", RoutingPolicy(room_id=room_id, inserted_at=_T0))
        self.compare("create_room_binding", room_id, *key, {"id": "bind:B", "inserted_at": _T0})
        self.reads_agree()
        self.compare("delete_room", room_id)

    # --- onboarding, configs ---------------------------------------------------------

    @rule(
        flow=st.builds(
            lambda flow, number: {**flow, "number": number},
            kit.onboarding_flows(onboarding_ids=st.sampled_from(ONBOARDING_IDS)),
            st.sampled_from((1e16, -0.0, 1.0, ALL, -ALL - 1, True, 0, 0.5)),
        )
    )
    def save_onboarding(self, flow: dict[str, Any]) -> None:
        """Save a flow, then change the caller's dict: the store keeps its own copy."""
        theirs, ours = copy.deepcopy(flow), copy.deepcopy(flow)
        self.dirty = True
        expected = _outcome(lambda: self.reference.save_onboarding(theirs))
        actual = _outcome(lambda: self.store.save_onboarding(ours))
        self._assert_same("save_onboarding", expected, actual)
        _mutate(theirs)
        _mutate(ours)
        self.get_onboarding(flow["onboarding_id"])

    @rule(onboarding_id=st.sampled_from(ONBOARDING_IDS))
    def get_onboarding(self, onboarding_id: str) -> None:
        """Read a flow, change the returned dict, read again: nothing leaks."""
        got: dict[str, dict[str, Any]] = {}

        def get(store: PersistenceAdapter, name: str) -> dict[str, Any]:
            flow = got[name] = store.get_onboarding(onboarding_id)
            return flow

        self._assert_same(
            f"get_onboarding({onboarding_id!r})",
            _outcome(lambda: get(self.reference, "reference")),
            _outcome(lambda: get(self.store, "store")),
        )
        for flow in got.values():
            _mutate(flow)
        self.compare("get_onboarding", onboarding_id)

    # --- ingress subscriptions (optional) ------------------------------------------

    @rule(
        subscription=kit.ingress_subscriptions(
            bridge_ids=st.sampled_from(("1", "b1")),
            subscription_ids=st.sampled_from(("s:1", "S", "s%")),
        ),
        bridge_id=st.sampled_from(("1", 1, "b1")),
        subscription_id=st.sampled_from(("s:1", "S")),
        status=st.none() | st.sampled_from(("active", "pending", "deleted")),
        action=st.sampled_from(("save", "list", "delete")),
    )
    def ingress(
        self,
        subscription: Any,
        bridge_id: str | int,
        subscription_id: str,
        status: str | None,
        action: str,
    ) -> None:
        """Save, list or delete an ingress subscription, or expect NotSupported."""
        calls: dict[str, tuple[str, tuple[Any, ...], dict[str, Any]]] = {
            "save": ("save_ingress_subscription", (subscription,), {}),
            "list": ("list_ingress_subscriptions", (bridge_id,), {"status": status}),
            "delete": ("delete_ingress_subscription", (bridge_id, subscription_id), {}),
        }
        name, args, kwargs = calls[action]
        if self.has_ingress:
            self.compare(name, *args, **kwargs)
            return
        self.dirty = True
        try:
            getattr(self.store, name)(*args, **kwargs)
        except NotSupported:
            return
        raise AssertionError(f"{name}() must raise NotSupported: the adapter lacks the trio")

    # --- bad arguments ---------------------------------------------------------------

    @rule(data=st.data())
    def bad_arguments(self, data: st.DataObject) -> None:
        """A callback with an invalid argument: the same typed error, nothing written."""
        draw = data.draw
        calls: list[Callable[[], tuple[str, tuple[Any, ...], dict[str, Any]]]] = [
            lambda: ("get_room", (draw(_BAD_IDS),), {}),
            lambda: ("delete_room", (draw(_BAD_IDS),), {}),
            lambda: ("list_rooms", (), {"limit": draw(_BAD_LIMITS)}),
            lambda: ("get_messages", ("room:1",), {"limit": draw(_BAD_LIMITS)}),
            lambda: ("get_messages", ("room:1",), {"before": draw(_BAD_CURSORS)}),
            lambda: ("get_messages", ("room:1",), {"before": "m:1", "after": "m:2"}),
            lambda: ("get_messages", ("room:1",), {"limit": -1, "before": ""}),
            lambda: (
                "get_or_create_room_by_external_binding",
                (draw(_BAD_CHANNELS), "1", "x", {"type": "group"}),
                {},
            ),
            lambda: (
                "get_or_create_room_by_external_binding",
                ("slack", draw(_BAD_EXTERNAL_IDS), "x", {"type": "group"}),
                {},
            ),
            lambda: (
                "get_or_create_room_by_external_binding",
                (*draw(_ROOM_KEYS), draw(_BAD_ATTRS)),
                {},
            ),
            lambda: (
                "create_room_binding",
                (draw(_ROOM_IDS), *draw(_ROOM_KEYS), draw(_BAD_BINDING_ATTRS)),
                {},
            ),
            lambda: ("directory_search", (draw(_BAD_DIRECTORY_TARGETS), {}), {}),
            lambda: ("directory_lookup", ("room", draw(_BAD_DIRECTORY_QUERIES)), {}),
            lambda: ("save_onboarding", (draw(_BAD_ONBOARDING_FLOWS)[0],), {}),
            lambda: ("list_bridge_configs", (), {"enabled": draw(_BAD_ENABLED_FILTERS)}),
            lambda: ("save_room", (draw(_BAD_MODELS),), {}),
            lambda: ("update_message_external_id", ("m:1", draw(_BAD_EXTERNAL_IDS)), {}),
            lambda: ("get_thread_by_external_id", ("room:1", draw(_BAD_EXTERNAL_IDS)), {}),
        ]
        index = draw(st.integers(0, len(calls) - 1), label="bad call")
        name, args, kwargs = calls[index]()
        self.compare(name, *args, **kwargs)

    # --- durability ----------------------------------------------------------------

    @precondition(lambda self: self.store.capabilities.durable)
    @rule()
    def reopen(self) -> None:
        """Close the adapter and reopen it on the same data (durable adapters only)."""
        self.store.close()
        self.store = self.store_factory.reopen(self.store)
        self.dirty = True
