"""A hypothesis state machine comparing an adapter with the in-memory reference.

:class:`PersistenceComparison` drives the adapter under test and a fresh
:class:`~jido_persistence.memory.MemoryAdapter` with the same random sequence of every
callback (saves that move messages between rooms and threads and re-key them, deletes
and cascades, cursor paging both ways, get-or-create with live, stale and new keys,
bindings, directory search and lookup, bridge configs, routing policies, onboarding,
ingress subscriptions, bad arguments, and close + reopen for durable adapters), and
after every step asserts identical results (type-exact canonical JSON) and identical
errors (same class; same ``entity``/``key`` for NotFound).  When the adapter offers the
raw index reader (:class:`~jido_persistence.adapter.SupportsRawIndex`), an invariant
compares its keys and row counts with the reference's after every step, so stale
index entries that no read path returns are caught too.

Records are created with explicit ids and timestamps drawn from small pools, so both
stores hold identical records and collisions (ties, shared keys, re-saves) are frequent.
Binding records that ``get_or_create_room_by_external_binding`` creates get ids and
timestamps of their own in each store; they are compared by their natural key.

Use it from a test::

    from jido_persistence_conformance import ClassStoreFactory
    from jido_persistence_conformance.stateful import make_state_machine, run_state_machine

    def test_my_adapter_matches_the_reference():
        run_state_machine(ClassStoreFactory(MyAdapter))

    TestMyAdapterMachine = make_state_machine(ClassStoreFactory(MyAdapter)).TestCase

The defaults (25 examples of up to 30 steps) keep a run to seconds; raise them with
``run_state_machine(factory, settings=hypothesis.settings(max_examples=500,
stateful_step_count=100, deadline=None))`` or, for ``TestCase``, by assigning
``TestMyAdapterMachine.settings``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar, Final, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from pydantic import BaseModel

from jido_persistence.adapter import PersistenceAdapter, SupportsRawIndex
from jido_persistence.errors import AmbiguousLookup, NotFound, NotSupported
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import (
    BindingDirection,
    Message,
    MessageRole,
    MessageStatus,
    Participant,
    ParticipantType,
    RoomBinding,
    RoomType,
    TextPart,
)
from jido_persistence_conformance import strategies as kit
from jido_persistence_conformance.factories import StoreFactory

__all__ = [
    "DEFAULT_SETTINGS",
    "PersistenceComparison",
    "make_state_machine",
    "run_state_machine",
]

DEFAULT_SETTINGS: Final = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
"""25 examples of up to 30 steps: seconds for an in-process adapter."""

ROOM_IDS: Final = ("room:1", "room:2", "a", "B", "é", "\U0001d538")
PARTICIPANT_IDS: Final = ("p:1", "p:2", "P", "ß")
MESSAGE_IDS: Final = ("m:1", "m:2", "m:3", "M", "m:é", "m10", "m9", "_")
THREAD_IDS: Final = ("t:1", "t:2", "T", "t%")
BINDING_IDS: Final = ("bind:1", "bind:2", "bind:3", "bind:B")
"""Explicit binding ids; ``"bind:"`` sorts before the generated ``"bind_..."`` ids."""
CONFIG_IDS: Final = ("bridge:1", "bridge:2", "B")
ONBOARDING_IDS: Final = ("flow:1", "flow:2", "F")
CHANNELS: Final = ("slack", "Slack", "telegram")
BRIDGE_IDS: Final[tuple[str | int, ...]] = ("1", 1, "b1", "B1")
EXTERNAL_IDS: Final[tuple[str | int, ...]] = ("100", 100, "x", "X", "%", "_")
EXTERNAL_THREAD_IDS: Final[tuple[str | int, ...]] = ("xt:1", "7", 7)
NAMES: Final = (
    None,
    "",
    "straße",
    "STRASSE",
    "100% real",
    "100 real",
    "a_b",
    "axb",
    "a\\b",
    "*",
    "İstanbul",
    "Σίσυφος",
    "e\u0301",
    "general",
    "General chat",
)
_T0: Final = datetime(2020, 1, 1, tzinfo=UTC)
TIMESTAMPS: Final = (
    _T0,
    _T0 + timedelta(microseconds=1),
    datetime(2020, 1, 1, 5, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),  # == _T0
    datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime.min.replace(tzinfo=UTC),
    datetime.max.replace(tzinfo=UTC),
)
"""Few, colliding timestamps (equal instants in other offsets) so ties are frequent."""
MESSAGE_TIMESTAMPS: Final = (None, *TIMESTAMPS)
LIMITS: Final = (0, 1, 2, 3, 100, 2**63 - 1)

_GENERATED: Final = "<generated>"


def _canonical(value: Any) -> Any:
    """A JSON-ready form of a callback result; generated binding ids are masked."""
    if isinstance(value, RoomBinding) and value.id not in BINDING_IDS:
        data = value.model_dump(mode="json")
        data["id"] = data["inserted_at"] = _GENERATED
        return data
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    return value


def _outcome(call: Callable[[], Any]) -> str:
    """Run ``call``; return the canonical JSON of its result or of its error."""
    try:
        result = call()
    except Exception as error:  # every error is compared, unexpected ones included
        described: dict[str, Any] = {"error": f"{type(error).__module__}.{type(error).__name__}"}
        if isinstance(error, NotFound):
            described.update(entity=error.entity, key=_canonical(error.key))
        if isinstance(error, AmbiguousLookup):
            described.update(matches=_canonical(error.matches), truncated=error.truncated)
        return json.dumps(described, sort_keys=True)
    return json.dumps({"result": _sort_generated_runs(_canonical(result))}, sort_keys=True)


def _sort_generated_runs(value: Any) -> Any:
    """Order runs of generated bindings by natural key (their ids are random ties)."""
    if not isinstance(value, list):
        return value
    out: list[Any] = []
    run: list[Any] = []
    for item in [*value, None]:
        if isinstance(item, dict) and item.get("id") == _GENERATED:
            run.append(item)
            continue
        out.extend(sorted(run, key=lambda b: json.dumps(b, sort_keys=True)))
        run = []
        if item is not None:
            out.append(item)
    return out


def _clip(text: str, size: int = 2000) -> str:
    return text if len(text) <= size else text[:size] + f"... ({len(text)} chars)"


def _mutate(flow: Any) -> None:
    """Change a returned onboarding flow in place, at the top level and one level down."""
    if isinstance(flow, dict):
        for value in flow.values():
            if isinstance(value, dict):
                value["__mutated__"] = True
            elif isinstance(value, list):
                value.append("__mutated__")
        flow["__mutated__"] = True


_ROOM_IDS = st.sampled_from(ROOM_IDS)
_MESSAGE_IDS = st.sampled_from(MESSAGE_IDS)
_THREAD_IDS = st.sampled_from(THREAD_IDS)
_PARTICIPANT_IDS = st.sampled_from(PARTICIPANT_IDS)
_CHANNELS = st.sampled_from(CHANNELS)
_BRIDGES = st.sampled_from(BRIDGE_IDS)
_EXTERNALS = st.sampled_from(EXTERNAL_IDS)
_TIMESTAMPS = st.sampled_from(TIMESTAMPS)
_LIMITS = st.sampled_from(LIMITS)
_NAMES = st.sampled_from(NAMES)


ModelT = TypeVar("ModelT", bound=BaseModel)


def _revalidated(model: ModelT, **changes: Any) -> ModelT:
    """``model`` with ``changes``, validated again (so timestamps are normalised)."""
    return type(model).model_validate({**model.model_dump(), **changes})


def _messages() -> st.SearchStrategy[Message]:
    keyed = st.fixed_dictionaries({"channel": _CHANNELS, "bridge_id": _BRIDGES})
    timestamps = st.sampled_from(MESSAGE_TIMESTAMPS)
    return st.builds(
        Message,
        id=_MESSAGE_IDS,
        room_id=_ROOM_IDS,
        sender_id=_PARTICIPANT_IDS,
        role=st.sampled_from(MessageRole),
        content=st.lists(kit.content_parts(), max_size=1) | st.just([TextPart(text="hi")]),
        external_id=st.none() | _EXTERNALS.map(str),
        thread_id=st.none() | _THREAD_IDS,
        status=st.sampled_from(MessageStatus),
        metadata=keyed | kit.json_objects(max_size=2),
        inserted_at=timestamps,
        updated_at=timestamps,
    )


def _room_attrs() -> st.SearchStrategy[dict[str, Any]]:
    valid = st.fixed_dictionaries(
        {"id": _ROOM_IDS, "type": st.sampled_from(RoomType), "inserted_at": _TIMESTAMPS},
        optional={"name": _NAMES, "external_bindings": st.just({"other": {"x": "y"}})},
    )
    return valid | st.just({"id": "room:1"})


def _participant_attrs() -> st.SearchStrategy[dict[str, Any]]:
    valid = st.fixed_dictionaries(
        {"id": _PARTICIPANT_IDS, "type": st.sampled_from(ParticipantType)},
        optional={"identity": _NAMES.map(lambda n: {"name": n})},
    )
    return valid | st.just({"id": "p:1", "type": "room"})


def _binding_attrs() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"inserted_at": _TIMESTAMPS},
        optional={
            "id": st.sampled_from(BINDING_IDS),
            "direction": st.sampled_from(BindingDirection),
            "enabled": st.booleans(),
        },
    )


class PersistenceComparison(RuleBasedStateMachine):
    """Drives ``factory``'s store and a MemoryAdapter alike; every step must agree.

    Subclass with ``factory`` set (or use :func:`make_state_machine`).  A mismatch
    fails with the callback, its arguments and both outcomes.
    """

    factory: ClassVar[StoreFactory | None] = None

    def __init__(self) -> None:
        super().__init__()
        factory = type(self).factory
        if factory is None:
            raise TypeError("set PersistenceComparison.factory, or use make_state_machine()")
        self.store_factory = factory
        self.store: PersistenceAdapter = factory.create()
        self.reference = MemoryAdapter()
        self.has_ingress = self.store.capabilities.ingress_subscriptions

    def teardown(self) -> None:
        """Close both stores (the factory removes what it created)."""
        self.store.close()
        self.reference.close()

    # --- comparison ----------------------------------------------------------------

    def compare(self, name: str, *args: Any, **kwargs: Any) -> str:
        """Call ``name`` on both stores with the same arguments; assert equal outcomes."""
        expected = _outcome(lambda: getattr(self.reference, name)(*args, **kwargs))
        actual = _outcome(lambda: getattr(self.store, name)(*args, **kwargs))
        self._assert_same(f"{name}(*{args!r}, **{kwargs!r})", expected, actual)
        return expected

    def _assert_same(self, what: str, expected: str, actual: str) -> None:
        assert actual == expected, (
            f"{what} differs from the reference:\n  reference: {_clip(expected)}"
            f"\n  adapter:   {_clip(actual)}"
        )

    # --- rooms ---------------------------------------------------------------------

    @rule(
        room=st.builds(
            _revalidated, kit.rooms(room_ids=_ROOM_IDS), name=_NAMES, inserted_at=_TIMESTAMPS
        )
    )
    def save_room(self, room: Any) -> None:
        """Save a room (often a re-save under a pooled id)."""
        self.compare("save_room", room)

    @rule(room_id=_ROOM_IDS)
    def get_room(self, room_id: str) -> None:
        """Read a room back (or NotFound)."""
        self.compare("get_room", room_id)

    @rule(room_id=_ROOM_IDS)
    def delete_room(self, room_id: str) -> None:
        """Delete a room and cascade (messages, threads, bindings, policy)."""
        self.compare("delete_room", room_id)

    @rule(limit=_LIMITS)
    def list_rooms(self, limit: int) -> None:
        """List rooms in ``(inserted_at, id)`` order."""
        self.compare("list_rooms", limit=limit)

    # --- participants --------------------------------------------------------------

    @rule(
        participant=st.builds(
            _revalidated,
            kit.participants(participant_ids=_PARTICIPANT_IDS),
            identity=_NAMES.map(lambda n: {"name": n}),
        )
    )
    def save_participant(self, participant: Any) -> None:
        """Save a participant with a pooled (often trap) name."""
        self.compare("save_participant", participant)

    @rule(participant_id=_PARTICIPANT_IDS)
    def get_participant(self, participant_id: str) -> None:
        """Read a participant back."""
        self.compare("get_participant", participant_id)

    @rule(participant_id=_PARTICIPANT_IDS)
    def delete_participant(self, participant_id: str) -> None:
        """Delete a participant (its keys may stay behind, healed by get-or-create)."""
        self.compare("delete_participant", participant_id)

    # --- messages ------------------------------------------------------------------

    @rule(message=_messages())
    def save_message(self, message: Message) -> None:
        """Save or re-save a message: moves rooms/threads, changes or drops its key."""
        self.compare("save_message", message)

    @rule(message_id=_MESSAGE_IDS)
    def get_message(self, message_id: str) -> None:
        """Read a message back."""
        self.compare("get_message", message_id)

    @rule(message_id=_MESSAGE_IDS)
    def delete_message(self, message_id: str) -> None:
        """Delete a message and its index entries."""
        self.compare("delete_message", message_id)

    @rule(
        room_id=_ROOM_IDS,
        limit=_LIMITS,
        cursor=st.none() | _MESSAGE_IDS,
        direction=st.sampled_from(("before", "after")),
        thread_id=st.none() | _THREAD_IDS,
    )
    def get_messages(
        self, room_id: str, limit: int, cursor: str | None, direction: str, thread_id: str | None
    ) -> None:
        """Page a room (or thread) with or without a cursor, either way."""
        cursor_kw = {} if cursor is None else {direction: cursor}
        self.compare("get_messages", room_id, limit=limit, thread_id=thread_id, **cursor_kw)

    @rule(room_id=_ROOM_IDS, thread_id=st.none() | _THREAD_IDS, limit=st.sampled_from((1, 2)))
    def page_backwards(self, room_id: str, thread_id: str | None, limit: int) -> None:
        """Page backwards with ``before=`` the first id of each page until empty."""
        cursor: str | None = None
        for _ in range(len(MESSAGE_IDS) + 2):
            kwargs: dict[str, Any] = {"limit": limit, "thread_id": thread_id}
            if cursor is not None:
                kwargs["before"] = cursor
            page = self.reference.get_messages(room_id, **kwargs)
            self.compare("get_messages", room_id, **kwargs)
            if not page:
                return
            cursor = page[0].id

    @rule(channel=_CHANNELS, bridge_id=_BRIDGES, external_id=_EXTERNALS)
    def get_message_by_external_id(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> None:
        """Resolve a message key (int and str ids are the same key)."""
        self.compare("get_message_by_external_id", channel, bridge_id, external_id)

    @rule(message_id=_MESSAGE_IDS, external_id=_EXTERNALS)
    def update_message_external_id(self, message_id: str, external_id: str | int) -> None:
        """Re-key a message: the old key stops resolving to it."""
        self.compare("update_message_external_id", message_id, external_id)

    # --- threads -------------------------------------------------------------------

    @rule(
        thread=kit.threads(
            room_ids=_ROOM_IDS,
            thread_ids=_THREAD_IDS,
            external_thread_ids=st.sampled_from(("xt:1", "7")),
            root_message_ids=_MESSAGE_IDS,
            timestamps=_TIMESTAMPS,
        )
    )
    def save_thread(self, thread: Any) -> None:
        """Save or re-save a thread: moves its per-room keys."""
        self.compare("save_thread", thread)

    @rule(thread_id=_THREAD_IDS)
    def get_thread(self, thread_id: str) -> None:
        """Read a thread back."""
        self.compare("get_thread", thread_id)

    @rule(room_id=_ROOM_IDS, external=st.sampled_from(EXTERNAL_THREAD_IDS))
    def get_thread_by_external_id(self, room_id: str, external: str | int) -> None:
        """Resolve a thread by external id (per room, last save wins)."""
        self.compare("get_thread_by_external_id", room_id, external)

    @rule(room_id=_ROOM_IDS, root=_MESSAGE_IDS)
    def get_thread_by_root_message(self, room_id: str, root: str) -> None:
        """Resolve a thread by root message (per room, last save wins)."""
        self.compare("get_thread_by_root_message", room_id, root)

    @rule(room_id=_ROOM_IDS, limit=_LIMITS)
    def list_threads(self, room_id: str, limit: int) -> None:
        """The oldest threads of a room."""
        self.compare("list_threads", room_id, limit=limit)

    # --- get-or-create and bindings -------------------------------------------------

    @rule(channel=_CHANNELS, bridge_id=_BRIDGES, external_id=_EXTERNALS, attrs=_room_attrs())
    def get_or_create_room(
        self, channel: str, bridge_id: str | int, external_id: str | int, attrs: dict[str, Any]
    ) -> None:
        """Get-or-create a room: live, stale (room deleted) or new key; bad attrs."""
        self.compare(
            "get_or_create_room_by_external_binding", channel, bridge_id, external_id, attrs
        )

    @rule(channel=_CHANNELS, external_id=_EXTERNALS, attrs=_participant_attrs())
    def get_or_create_participant(
        self, channel: str, external_id: str | int, attrs: dict[str, Any]
    ) -> None:
        """Get-or-create a participant: live, stale or new key; bad attrs."""
        self.compare("get_or_create_participant_by_external_id", channel, external_id, attrs)

    @rule(channel=_CHANNELS, bridge_id=_BRIDGES, external_id=_EXTERNALS)
    def get_room_by_external_binding(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> None:
        """Resolve a binding key (NotFound when unbound or the room is gone)."""
        self.compare("get_room_by_external_binding", channel, bridge_id, external_id)

    @rule(
        room_id=_ROOM_IDS,
        channel=_CHANNELS,
        bridge_id=_BRIDGES,
        external_id=_EXTERNALS,
        attrs=_binding_attrs(),
    )
    def create_room_binding(
        self,
        room_id: str,
        channel: str,
        bridge_id: str | int,
        external_id: str | int,
        attrs: dict[str, Any],
    ) -> None:
        """Create or update a binding record; the key moves to ``room_id``."""
        self.compare("create_room_binding", room_id, channel, bridge_id, external_id, attrs)

    @rule(room_id=_ROOM_IDS)
    def list_room_bindings(self, room_id: str) -> None:
        """A room's binding records in ``(inserted_at, id)`` order."""
        self.compare("list_room_bindings", room_id)

    @rule(binding_id=st.sampled_from(BINDING_IDS))
    def delete_room_binding(self, binding_id: str) -> None:
        """Delete a binding record by explicit id (NotFound when unknown)."""
        self.compare("delete_room_binding", binding_id)

    @rule(room_id=_ROOM_IDS, data=st.data())
    def delete_generated_binding(self, room_id: str, data: st.DataObject) -> None:
        """Delete a binding that get-or-create made, by each store's own id for it."""
        self.compare("list_room_bindings", room_id)

        def natural(binding: RoomBinding) -> tuple[str, ...]:
            return (binding.channel, binding.bridge_id, binding.external_room_id)

        ours = {
            natural(b): b.id
            for b in self.store.list_room_bindings(room_id)
            if b.id not in BINDING_IDS
        }
        theirs = {
            natural(b): b.id
            for b in self.reference.list_room_bindings(room_id)
            if b.id not in BINDING_IDS
        }
        if not theirs:
            return
        key = data.draw(st.sampled_from(sorted(theirs)), label="binding key")
        expected = _outcome(lambda: self.reference.delete_room_binding(theirs[key]))
        actual = _outcome(lambda: self.store.delete_room_binding(ours.get(key, "bind:none")))
        self._assert_same(f"delete_room_binding(<generated {key}>)", expected, actual)

    # --- directory -----------------------------------------------------------------

    @rule(data=st.data(), directory_target=st.sampled_from(("participant", "room")))
    def directory(self, data: st.DataObject, directory_target: str) -> None:
        """Search and look up with names cut from stored names, ids and key parts."""
        target = directory_target
        names: list[object] = [room.name for room in self.reference.list_rooms(limit=1000)]
        names += [
            p.identity.get("name")
            for p in self.reference.directory_search("participant", {})
            if isinstance(p, Participant)
        ]
        texts = [n for n in names if isinstance(n, str)] + [n for n in NAMES if n is not None]
        source = data.draw(st.sampled_from(texts), label="name source")
        start = data.draw(st.integers(0, len(source)), label="start")
        stop = data.draw(st.integers(start, len(source)), label="stop")
        folds: list[Callable[[str], str]] = [str, str.upper, str.casefold, str.lower]
        fold = data.draw(st.sampled_from(folds), label="case")
        query: dict[str, Any] = {}
        if data.draw(st.booleans(), label="with name"):
            query["name"] = fold(source[start:stop])
        optional = {
            "id": _PARTICIPANT_IDS if target == "participant" else _ROOM_IDS,
            "channel": _CHANNELS,
            "bridge_id": _BRIDGES,
            "external_id": _EXTERNALS,
        }
        for key, values in optional.items():
            if data.draw(st.integers(0, 3), label=f"with {key}") == 0:
                query[key] = data.draw(values, label=key)
        limit = data.draw(st.none() | _LIMITS, label="limit")
        self.compare("directory_search", target, query, limit=limit)
        self.compare("directory_lookup", target, query)

    # --- onboarding, configs, policies ---------------------------------------------

    @rule(flow=kit.onboarding_flows(onboarding_ids=st.sampled_from(ONBOARDING_IDS)))
    def save_onboarding(self, flow: dict[str, Any]) -> None:
        """Save a flow, then change the caller's dict: the store keeps its own copy."""
        theirs, ours = copy.deepcopy(flow), copy.deepcopy(flow)
        expected = _outcome(lambda: self.reference.save_onboarding(theirs))
        actual = _outcome(lambda: self.store.save_onboarding(ours))
        self._assert_same("save_onboarding", expected, actual)
        _mutate(theirs)
        _mutate(ours)

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

    @rule(config=kit.bridge_configs(config_ids=st.sampled_from(CONFIG_IDS)))
    def save_bridge_config(self, config: Any) -> None:
        """Save a bridge config."""
        self.compare("save_bridge_config", config)

    @rule(config_id=st.sampled_from(CONFIG_IDS))
    def get_bridge_config(self, config_id: str) -> None:
        """Read a bridge config back."""
        self.compare("get_bridge_config", config_id)

    @rule(enabled=st.sampled_from((None, True, False)))
    def list_bridge_configs(self, enabled: bool | None) -> None:
        """List configs sorted by id, filtered by ``enabled``."""
        self.compare("list_bridge_configs", enabled=enabled)

    @rule(config_id=st.sampled_from(CONFIG_IDS))
    def delete_bridge_config(self, config_id: str) -> None:
        """Delete a config (NotFound when unknown)."""
        self.compare("delete_bridge_config", config_id)

    @rule(policy=kit.routing_policies(room_ids=_ROOM_IDS))
    def save_routing_policy(self, policy: Any) -> None:
        """Save a room's routing policy."""
        self.compare("save_routing_policy", policy)

    @rule(room_id=_ROOM_IDS)
    def get_routing_policy(self, room_id: str) -> None:
        """Read a routing policy back."""
        self.compare("get_routing_policy", room_id)

    @rule(room_id=_ROOM_IDS)
    def delete_routing_policy(self, room_id: str) -> None:
        """Delete a routing policy (NotFound when unknown)."""
        self.compare("delete_routing_policy", room_id)

    # --- ingress subscriptions (optional) ------------------------------------------

    @rule(
        subscription=kit.ingress_subscriptions(
            bridge_ids=st.sampled_from(("1", "b1")),
            subscription_ids=st.sampled_from(("s:1", "s:2", "S", "s%")),
        ),
        bridge_id=_BRIDGES,
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
        try:
            getattr(self.store, name)(*args, **kwargs)
        except NotSupported:
            return
        raise AssertionError(f"{name}() must raise NotSupported: the adapter lacks the trio")

    # --- bad arguments ---------------------------------------------------------------

    @rule(data=st.data())
    def bad_arguments(self, data: st.DataObject) -> None:
        """A callback with an invalid argument: the same typed error, nothing written."""
        calls: list[Callable[[], tuple[str, tuple[Any, ...], dict[str, Any]]]] = [
            lambda: ("get_room", (data.draw(kit.bad_ids()),), {}),
            lambda: ("delete_room", (data.draw(kit.bad_ids()),), {}),
            lambda: ("list_rooms", (), {"limit": data.draw(kit.bad_limits())}),
            lambda: ("get_messages", ("room:1",), {"limit": data.draw(kit.bad_limits())}),
            lambda: ("get_messages", ("room:1",), {"before": data.draw(kit.bad_cursors())}),
            lambda: ("get_messages", ("room:1",), {"before": "m:1", "after": "m:2"}),
            lambda: ("get_messages", ("room:1",), {"limit": -1, "before": ""}),
            lambda: (
                "get_or_create_room_by_external_binding",
                (data.draw(kit.bad_channels()), "1", "x", {"type": "group"}),
                {},
            ),
            lambda: (
                "get_or_create_room_by_external_binding",
                ("slack", data.draw(kit.bad_external_ids()), "x", {"type": "group"}),
                {},
            ),
            lambda: (
                "get_or_create_room_by_external_binding",
                ("slack", "1", data.draw(_EXTERNALS), data.draw(kit.bad_attrs())),
                {},
            ),
            lambda: (
                "create_room_binding",
                ("room:1", "slack", "1", "x", data.draw(kit.bad_binding_attrs())),
                {},
            ),
            lambda: ("directory_search", (data.draw(kit.bad_directory_targets()), {}), {}),
            lambda: ("directory_lookup", ("room", data.draw(kit.bad_directory_queries())), {}),
            lambda: ("save_onboarding", (data.draw(kit.bad_onboarding_flows())[0],), {}),
            lambda: ("list_bridge_configs", (), {"enabled": data.draw(kit.bad_enabled_filters())}),
            lambda: ("save_room", (data.draw(kit.bad_models()),), {}),
            lambda: ("update_message_external_id", ("m:1", data.draw(kit.bad_external_ids())), {}),
            lambda: (
                "get_thread_by_external_id",
                ("room:1", data.draw(kit.bad_external_ids())),
                {},
            ),
        ]
        index = data.draw(st.integers(0, len(calls) - 1), label="bad call")
        name, args, kwargs = calls[index]()
        self.compare(name, *args, **kwargs)

    # --- durability ----------------------------------------------------------------

    @precondition(lambda self: self.store.capabilities.durable)
    @rule()
    def reopen(self) -> None:
        """Close the adapter and reopen it on the same data (durable adapters only)."""
        self.store.close()
        self.store = self.store_factory.reopen(self.store)

    # --- invariants ----------------------------------------------------------------

    @invariant()
    def raw_indexes_agree(self) -> None:
        """The adapter's raw keys and row counts equal the reference's."""
        if not isinstance(self.store, SupportsRawIndex):
            return
        expected = self._raw(self.reference)
        actual = self._raw(self.store)
        if not self.has_ingress:
            expected["row_counts"].pop("ingress_subscriptions", None)
            actual["row_counts"].pop("ingress_subscriptions", None)
        self._assert_same("raw_index()", json.dumps(expected), json.dumps(actual))

    def _raw(self, store: SupportsRawIndex) -> dict[str, Any]:
        raw: dict[str, Any] = dict(store.raw_index())
        out: dict[str, Any] = {}
        for name in (
            "room_binding_keys",
            "participant_keys",
            "message_keys",
            "thread_external_keys",
            "thread_root_keys",
        ):
            entries = raw.get(name, {})
            if name == "participant_keys":
                entries = {k: v for k, v in entries.items() if self._participant_exists(v)}
            out[name] = sorted([list(key), value] for key, value in entries.items())
        out["row_counts"] = dict(sorted(raw.get("row_counts", {}).items()))
        return out

    def _participant_exists(self, participant_id: str) -> bool:
        try:
            self.reference.get_participant(participant_id)
        except NotFound:
            return False
        return True


def make_state_machine(factory: StoreFactory) -> type[PersistenceComparison]:
    """A :class:`PersistenceComparison` subclass bound to ``factory``.

    ``make_state_machine(factory).TestCase`` is a unittest/pytest test case running it
    with :data:`DEFAULT_SETTINGS`.
    """
    machine = type(
        "PersistenceComparisonOf" + type(factory).__name__,
        (PersistenceComparison,),
        {"factory": factory, "__doc__": PersistenceComparison.__doc__},
    )
    machine.TestCase.settings = DEFAULT_SETTINGS  # type: ignore[attr-defined]
    return machine


def run_state_machine(factory: StoreFactory, *, settings: settings | None = None) -> None:
    """Run the comparison machine on ``factory``'s stores; raise on the first mismatch.

    ``settings`` defaults to :data:`DEFAULT_SETTINGS` (25 examples of up to 30 steps).
    Raises AssertionError (shrunk to a minimal failing sequence of calls) when the
    adapter and the reference disagree.
    """
    run_state_machine_as_test(
        make_state_machine(factory), settings=settings if settings is not None else DEFAULT_SETTINGS
    )
