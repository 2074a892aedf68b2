"""A hypothesis state machine comparing an adapter with the in-memory reference.

:class:`PersistenceComparison` drives the adapter under test and a fresh
:class:`~jido_persistence.memory.MemoryAdapter` with the same random sequence of every
callback (saves that move messages between rooms and threads and re-key them, deletes
and cascades, cursor paging both ways, get-or-create with live, stale and new keys,
bindings, directory search and lookup, bridge configs, routing policies, onboarding,
ingress subscriptions, bad arguments, and close + reopen for durable adapters), and
asserts identical results (type-exact canonical JSON) and identical errors (same class;
same ``entity``/``key`` for NotFound; same matches for AmbiguousLookup).

After every step that wrote, an invariant reads both stores in full: every list and
page (rooms, each room's messages, threads and bindings, configs, policies) and every
key the run has used (message, thread and binding keys, including keys that should
have stopped resolving); and, when the adapter offers the raw index reader
(:class:`~jido_persistence.adapter.SupportsRawIndex`), its keys and row counts (every
writing step for in-memory adapters, every 5th for durable ones, and at the end of
each run), so stale index entries that no read path returns are caught too.  "Probe"
rules run short sequences that set up the states bugs hide in (a key shared by two
messages then re-keyed, a key moved between rooms, stale keys, trap names, a room with
one of everything deleted), so each of the kit's seeded bugs is found within a few
examples.

Records are created with explicit ids and timestamps drawn from small pools, so both
stores hold identical records and collisions (ties, shared keys, re-saves) are
frequent.  Binding records that ``get_or_create_room_by_external_binding`` creates get
ids and timestamps of their own in each store; they are compared by natural key.

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
    Presence,
    Room,
    RoomBinding,
    RoomType,
    RoutingPolicy,
    TextPart,
    Thread,
    ThreadStatus,
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

ALL: Final = 2**63 - 1
ROOM_IDS: Final = ("room:1", "B", "é")
GHOST_ROOM: Final = "ghost"
"""A room id that is never saved: bindings to it are stale from the start."""
PARTICIPANT_IDS: Final = ("p:1", "P", "ß")
MESSAGE_IDS: Final = ("m:1", "m:2", "M", "m:é", "_")
THREAD_IDS: Final = ("t:1", "T")
BINDING_IDS: Final = ("bind:1", "bind:2", "bind:B")
"""Explicit binding ids; ``"bind:"`` sorts before the generated ``"bind_..."`` ids."""
CONFIG_IDS: Final = ("bridge:1", "B")
ONBOARDING_IDS: Final = ("flow:1", "F")
ROOM_KEYS: Final[tuple[tuple[str, str | int, str | int], ...]] = (
    ("slack", "1", "100"),
    ("slack", 1, 100),
    ("Slack", "1", "100"),
    ("slack", "b1", "x"),
    ("slack", 1, "%"),
)
"""``(channel, bridge_id, external_id)`` keys: int and str spellings of one key, and a
channel differing only by case (a different key)."""
EXTERNAL_IDS: Final[tuple[str | int, ...]] = ("100", 100, "x", "%")
EXTERNAL_THREAD_IDS: Final = ("xt:1", "7")
NAMES: Final = (None, "straße", "100% real", "a_b", "İstanbul", "e\u0301", "General chat")
TRAP_NAMES: Final = ("straße", "100% real", "a_b")
"""Names that a casefold or an unescaped LIKE gets wrong."""
NAME_QUERIES: Final = ("", "STRASSE", "%", "0% r", "a_b", "_", "i\u0307", "GENERAL", "É", "E\u0301")
"""Names every directory step searches for: casefold and wildcard traps."""
_T0: Final = datetime(2020, 1, 1, tzinfo=UTC)
TIMESTAMPS: Final = (
    _T0,
    datetime(2020, 1, 1, 5, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),  # == _T0
    _T0 + timedelta(microseconds=1),
    datetime.min.replace(tzinfo=UTC),
    datetime.max.replace(tzinfo=UTC),
)
"""Few, colliding timestamps (equal instants in other offsets) so ties are frequent."""
LIMITS: Final = (0, 1, 2, 100, ALL)

_GENERATED: Final = "<generated>"
_WRITES: Final = ("save_", "delete_", "create_", "update_", "get_or_create_")
ModelT = TypeVar("ModelT", bound=BaseModel)


# --- canonical outcomes ---------------------------------------------------------------


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


def _clip(text: str, size: int = 2000) -> str:
    return text if len(text) <= size else text[:size] + f"... ({len(text)} chars)"


def _mutate(flow: Any) -> None:
    """Change an onboarding flow in place, at the top level and one level down."""
    if isinstance(flow, dict):
        for value in flow.values():
            if isinstance(value, dict):
                value["__mutated__"] = True
            elif isinstance(value, list):
                value.append("__mutated__")
        flow["__mutated__"] = True


def _normalised(key: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(str(part) for part in key)


# --- strategies of the machine's arguments ----------------------------------------------

_ROOM_IDS = st.sampled_from(ROOM_IDS)
_MESSAGE_IDS = st.sampled_from(MESSAGE_IDS)
_THREAD_IDS = st.sampled_from(THREAD_IDS)
_PARTICIPANT_IDS = st.sampled_from(PARTICIPANT_IDS)
_ROOM_KEYS = st.sampled_from(ROOM_KEYS)
_EXTERNALS = st.sampled_from(EXTERNAL_IDS)
_TIMESTAMPS = st.sampled_from(TIMESTAMPS)
_LIMITS = st.sampled_from(LIMITS)
_NAMES = st.sampled_from(NAMES)
_BAD_ATTRS = kit.bad_attrs()
_BAD_BINDING_ATTRS = kit.bad_binding_attrs()
_BAD_CHANNELS = kit.bad_channels()
_BAD_CURSORS = kit.bad_cursors()
_BAD_DIRECTORY_QUERIES = kit.bad_directory_queries()
_BAD_DIRECTORY_TARGETS = kit.bad_directory_targets()
_BAD_ENABLED_FILTERS = kit.bad_enabled_filters()
_BAD_EXTERNAL_IDS = kit.bad_external_ids()
_BAD_IDS = kit.bad_ids()
_BAD_LIMITS = kit.bad_limits()
_BAD_MODELS = kit.bad_models()
_BAD_ONBOARDING_FLOWS = kit.bad_onboarding_flows()


def _revalidated(model: ModelT, **changes: Any) -> ModelT:
    """``model`` with ``changes``, validated again (so timestamps are normalised)."""
    return type(model).model_validate({**model.model_dump(), **changes})


def _message_metadata(key: tuple[str, str | int, str | int] | None) -> dict[str, Any]:
    return {} if key is None else {"channel": key[0], "bridge_id": key[1]}


def _messages() -> st.SearchStrategy[Message]:
    timestamps = st.none() | _TIMESTAMPS
    key = st.none() | _ROOM_KEYS
    return st.builds(
        lambda key, external, **fields: Message(
            metadata=_message_metadata(key),
            external_id=None if external is None else str(external),
            **fields,
        ),
        key,
        st.none() | _EXTERNALS,
        id=_MESSAGE_IDS,
        room_id=_ROOM_IDS,
        sender_id=_PARTICIPANT_IDS,
        role=st.sampled_from(MessageRole),
        content=st.just([TextPart(text="hi")]) | st.lists(kit.content_parts(), max_size=1),
        thread_id=st.none() | _THREAD_IDS,
        status=st.sampled_from(MessageStatus),
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


_RECORD_GETTERS: Final = {
    "room": ("get_room", ROOM_IDS),
    "participant": ("get_participant", PARTICIPANT_IDS),
    "message": ("get_message", MESSAGE_IDS),
    "thread": ("get_thread", THREAD_IDS),
    "bridge_config": ("get_bridge_config", CONFIG_IDS),
    "routing_policy": ("get_routing_policy", ROOM_IDS),
    "onboarding": ("get_onboarding", ONBOARDING_IDS),
}
_RECORD_DELETERS: Final = {
    "participant": ("delete_participant", PARTICIPANT_IDS),
    "bridge_config": ("delete_bridge_config", CONFIG_IDS),
    "routing_policy": ("delete_routing_policy", ROOM_IDS),
}


class PersistenceComparison(RuleBasedStateMachine):
    """Drives ``factory``'s store and a MemoryAdapter alike; every step must agree.

    Subclass with ``factory`` set (or use :func:`make_state_machine`).  A mismatch
    fails with the callback, its arguments and both outcomes.
    """

    factory: ClassVar[StoreFactory | None] = None

    raw_index_every: ClassVar[int | None] = None
    """Compare raw indexes after every n-th writing step (and at the end of each run).

    ``None``: every step for non-durable adapters, every 5th for durable ones, whose
    raw reads are full table scans (about 0.1 s for DuckDB).
    """

    def __init__(self) -> None:
        super().__init__()
        factory = type(self).factory
        if factory is None:
            raise TypeError("set PersistenceComparison.factory, or use make_state_machine()")
        self.store_factory = factory
        self.store: PersistenceAdapter = factory.create()
        self.reference = MemoryAdapter()
        self.has_ingress = self.store.capabilities.ingress_subscriptions
        self.message_keys: set[tuple[str, ...]] = set()
        self.thread_external_keys: set[tuple[str, str]] = set()
        self.thread_root_keys: set[tuple[str, str]] = set()
        self.dirty = True
        """Whether a step may have written since the last full comparison."""
        every = type(self).raw_index_every
        self.raw_every = (
            every if every is not None else (5 if self.store.capabilities.durable else 1)
        )
        self.writing_steps = 0

    def teardown(self) -> None:
        """Compare the raw indexes a last time, then close both stores."""
        try:
            if not self.store.closed:
                self.raw_indexes_agree()
        finally:
            self.store.close()
            self.reference.close()

    # --- comparison ----------------------------------------------------------------

    def compare(self, name: str, *args: Any, **kwargs: Any) -> str:
        """Call ``name`` on both stores with the same arguments; assert equal outcomes."""
        if name.startswith(_WRITES):
            self.dirty = True
        expected = _outcome(lambda: getattr(self.reference, name)(*args, **kwargs))
        actual = _outcome(lambda: getattr(self.store, name)(*args, **kwargs))
        self._assert_same(f"{name}(*{args!r}, **{kwargs!r})", expected, actual)
        return expected

    def _assert_same(self, what: str, expected: str, actual: str) -> None:
        assert actual == expected, (
            f"{what} differs from the reference:\n  reference: {_clip(expected)}"
            f"\n  adapter:   {_clip(actual)}"
        )

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

    def _stored_messages(self) -> list[Message]:
        return [
            message
            for room_id in ROOM_IDS
            for message in self.reference.get_messages(room_id, limit=ALL)
        ]

    def _pick_message(self, data: st.DataObject) -> str:
        """A stored message's id (twice as likely) or any pooled id."""
        stored = sorted(message.id for message in self._stored_messages())
        return data.draw(st.sampled_from([*stored, *MESSAGE_IDS]), label="message id")

    def _pick_room(self, data: st.DataObject) -> str:
        """The room of a stored message (twice as likely) or any pooled room id."""
        stored = sorted(message.room_id for message in self._stored_messages())
        return data.draw(st.sampled_from([*stored, *ROOM_IDS]), label="room id")

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

    # --- invariants ----------------------------------------------------------------

    @invariant()
    def stores_agree(self) -> None:
        """After a step that wrote: full reads and raw indexes agree (see below)."""
        if not self.dirty:
            return
        self.reads_agree()
        self.writing_steps += 1
        if self.writing_steps % self.raw_every == 0:
            self.raw_indexes_agree()
        self.dirty = False

    def reads_agree(self) -> None:
        """Every list, page and used key reads the same from both stores."""
        self.compare("list_rooms", limit=ALL)
        self.compare("list_bridge_configs")
        self.compare("list_bridge_configs", enabled=False)
        self.compare("list_room_bindings", GHOST_ROOM)
        for room_id in ROOM_IDS:
            self.compare("get_routing_policy", room_id)
            self.compare("get_messages", room_id, limit=ALL)
            self.compare("get_messages", room_id, limit=1)
            self.compare("list_threads", room_id, limit=1)
            self.compare("list_room_bindings", room_id)
        for key in ROOM_KEYS[::2]:
            self.compare("get_room_by_external_binding", *key)
        for message_key in sorted(self.message_keys):
            self.compare("get_message_by_external_id", *message_key)
        for room_id, external in sorted(self.thread_external_keys):
            self.compare("get_thread_by_external_id", room_id, external)
        for room_id, root in sorted(self.thread_root_keys):
            self.compare("get_thread_by_root_message", room_id, root)

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
            out[name] = sorted(([list(key), value] for key, value in entries.items()), key=str)
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
