"""Tables of callback calls: one valid call per callback, and every bad-argument position.

The kit uses them to check that every callback refuses bad input with the exact typed
error (and writes nothing), and that every callback raises StoreClosed after close.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.callbacks import CALLBACKS, Group, callbacks_in
from jido_persistence.errors import InvalidArgument
from jido_persistence.models import (
    BridgeConfig,
    IngressSubscription,
    Message,
    MessageRole,
    Participant,
    ParticipantType,
    Room,
    RoomType,
    RoutingPolicy,
    Thread,
)

__all__ = [
    "ATTRS_POSITIONS",
    "BAD_ATTRS",
    "BAD_BINDING_ATTRS",
    "BAD_CHANNELS",
    "BAD_CURSORS",
    "BAD_ENABLED",
    "BAD_EXTERNAL_IDS",
    "BAD_IDS",
    "BAD_LIMITS",
    "BAD_MODELS",
    "BAD_QUERIES",
    "BAD_STATUSES",
    "BAD_TARGETS",
    "CHANNEL_POSITIONS",
    "CURSOR_POSITIONS",
    "EXTERNAL_ID_POSITIONS",
    "ID_POSITIONS",
    "INGRESS_CALLBACKS",
    "LIMIT_POSITIONS",
    "MODEL_POSITIONS",
    "OPTIONAL_ID_POSITIONS",
    "QUERY_POSITIONS",
    "TARGET_POSITIONS",
    "VALID_CALLS",
    "missing_calls",
]

Call = Callable[[PersistenceAdapter], Any]
BadCall = Callable[[PersistenceAdapter, Any], Any]

_ROOM = Room(id="room:valid", type=RoomType.GROUP)
_MESSAGE = Message(id="m:valid", room_id="room:valid", sender_id="p", role=MessageRole.USER)
_SUBSCRIPTION = IngressSubscription(bridge_id="b", subscription_id="s", adapter_name="slack")
_KEYED = Message(
    id="m:keyed",
    room_id="room:valid",
    sender_id="p",
    role=MessageRole.USER,
    external_id="E-keyed",
    metadata={"channel": "slack", "bridge_id": "b"},
)
_T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _empty_block(store: PersistenceAdapter) -> None:
    with store.transaction():
        pass


def _import_nothing(store: PersistenceAdapter) -> object:
    """``import_records([])``; a store holding records must refuse it (InvalidArgument)."""
    try:
        return store.import_records([])
    except InvalidArgument:
        if next(iter(store.export_records()), None) is None:
            raise
        return None


VALID_CALLS: Final[dict[str, Call]] = {
    "save_room": lambda s: s.save_room(_ROOM),
    "get_room": lambda s: s.get_room("room:valid"),
    "delete_room": lambda s: s.delete_room("room:valid"),
    "list_rooms": lambda s: s.list_rooms(),
    "save_participant": lambda s: s.save_participant(
        Participant(id="p", type=ParticipantType.HUMAN)
    ),
    "get_participant": lambda s: s.get_participant("p"),
    "delete_participant": lambda s: s.delete_participant("p"),
    "save_message": lambda s: s.save_message(_MESSAGE),
    "get_message": lambda s: s.get_message("m:valid"),
    "get_messages": lambda s: s.get_messages("room:valid"),
    "delete_message": lambda s: s.delete_message("m:valid"),
    "save_thread": lambda s: s.save_thread(Thread(id="t", room_id="room:valid")),
    "get_thread": lambda s: s.get_thread("t"),
    "get_thread_by_external_id": lambda s: s.get_thread_by_external_id("room:valid", "e"),
    "get_thread_by_root_message": lambda s: s.get_thread_by_root_message("room:valid", "m"),
    "list_threads": lambda s: s.list_threads("room:valid"),
    "get_or_create_room_by_external_binding": lambda s: s.get_or_create_room_by_external_binding(
        "slack", "b", "C", {"type": "group"}
    ),
    "get_or_create_participant_by_external_id": (
        lambda s: s.get_or_create_participant_by_external_id("slack", "U", {"type": "human"})
    ),
    "get_message_by_external_id": lambda s: s.get_message_by_external_id("slack", "b", "E"),
    "update_message_external_id": lambda s: s.update_message_external_id("m:valid", "E"),
    "get_room_by_external_binding": lambda s: s.get_room_by_external_binding("slack", "b", "C"),
    "create_room_binding": lambda s: s.create_room_binding("room:valid", "slack", "b", "C"),
    "list_room_bindings": lambda s: s.list_room_bindings("room:valid"),
    "delete_room_binding": lambda s: s.delete_room_binding("bind_0000000000000000"),
    "directory_search": lambda s: s.directory_search("room", {}),
    "directory_lookup": lambda s: s.directory_lookup("room", {"id": "room:valid"}),
    "save_onboarding": lambda s: s.save_onboarding({"onboarding_id": "o"}),
    "get_onboarding": lambda s: s.get_onboarding("o"),
    "save_bridge_config": lambda s: s.save_bridge_config(BridgeConfig(id="bc", adapter_module="m")),
    "get_bridge_config": lambda s: s.get_bridge_config("bc"),
    "list_bridge_configs": lambda s: s.list_bridge_configs(),
    "delete_bridge_config": lambda s: s.delete_bridge_config("bc"),
    "save_routing_policy": lambda s: s.save_routing_policy(RoutingPolicy(room_id="room:valid")),
    "get_routing_policy": lambda s: s.get_routing_policy("room:valid"),
    "delete_routing_policy": lambda s: s.delete_routing_policy("room:valid"),
    "save_ingress_subscription": lambda s: s.save_ingress_subscription(_SUBSCRIPTION),
    "list_ingress_subscriptions": lambda s: s.list_ingress_subscriptions("b"),
    "delete_ingress_subscription": lambda s: s.delete_ingress_subscription("b", "s"),
    "health_check": lambda s: s.health_check(),
    "ingest_message": lambda s: s.ingest_message(_KEYED),
    "get_or_create_thread_by_external_id": (
        lambda s: s.get_or_create_thread_by_external_id("room:valid", "e-new")
    ),
    "list_participants": lambda s: s.list_participants(),
    "list_onboardings": lambda s: s.list_onboardings(),
    "export_records": lambda s: list(s.export_records()),
    "import_records": _import_nothing,
    "delete_messages": lambda s: s.delete_messages("room:valid", before=_T0),
    "erase_participant": lambda s: s.erase_participant("p:erased"),
    "delete_onboarding": lambda s: s.delete_onboarding("o:erased"),
    "transaction": _empty_block,
}
"""One call with valid arguments for every callback of the contract's table."""


def missing_calls() -> list[str]:
    """The callbacks of :data:`jido_persistence.callbacks.CALLBACKS` the kit has no call for.

    Non-empty means the kit is behind core: a new callback needs its entry in
    :data:`VALID_CALLS` (and its argument positions below).
    """
    return sorted(set(CALLBACKS) - set(VALID_CALLS))


INGRESS_CALLBACKS: Final = frozenset(entry.name for entry in callbacks_in(Group.INGRESS))
"""The optional ingress-subscription callbacks, from the table."""

# --- where each kind of argument goes ------------------------------------------------

ID_POSITIONS: Final[dict[str, BadCall]] = {
    "get_room(room_id)": lambda s, v: s.get_room(v),
    "delete_room(room_id)": lambda s, v: s.delete_room(v),
    "get_participant(participant_id)": lambda s, v: s.get_participant(v),
    "delete_participant(participant_id)": lambda s, v: s.delete_participant(v),
    "get_message(message_id)": lambda s, v: s.get_message(v),
    "get_messages(room_id)": lambda s, v: s.get_messages(v),
    "delete_message(message_id)": lambda s, v: s.delete_message(v),
    "get_thread(thread_id)": lambda s, v: s.get_thread(v),
    "get_thread_by_external_id(room_id)": lambda s, v: s.get_thread_by_external_id(v, "e"),
    "get_thread_by_root_message(room_id)": lambda s, v: s.get_thread_by_root_message(v, "m"),
    "get_thread_by_root_message(root_message_id)": (
        lambda s, v: s.get_thread_by_root_message("room:1", v)
    ),
    "list_threads(room_id)": lambda s, v: s.list_threads(v),
    "update_message_external_id(message_id)": lambda s, v: s.update_message_external_id(v, "E"),
    "create_room_binding(room_id)": lambda s, v: s.create_room_binding(v, "slack", "b", "C9"),
    "list_room_bindings(room_id)": lambda s, v: s.list_room_bindings(v),
    "delete_room_binding(binding_id)": lambda s, v: s.delete_room_binding(v),
    "get_onboarding(onboarding_id)": lambda s, v: s.get_onboarding(v),
    "get_bridge_config(bridge_config_id)": lambda s, v: s.get_bridge_config(v),
    "delete_bridge_config(bridge_config_id)": lambda s, v: s.delete_bridge_config(v),
    "get_routing_policy(room_id)": lambda s, v: s.get_routing_policy(v),
    "delete_routing_policy(room_id)": lambda s, v: s.delete_routing_policy(v),
    "delete_ingress_subscription(subscription_id)": (
        lambda s, v: s.delete_ingress_subscription("b", v)
    ),
    "get_or_create_thread_by_external_id(room_id)": (
        lambda s, v: s.get_or_create_thread_by_external_id(v, "e-new")
    ),
    "delete_messages(room_id)": lambda s, v: s.delete_messages(v, before=_T0),
    "erase_participant(participant_id)": lambda s, v: s.erase_participant(v),
    "delete_onboarding(onboarding_id)": lambda s, v: s.delete_onboarding(v),
}
"""Id arguments (``None`` is never valid there)."""

OPTIONAL_ID_POSITIONS: Final[dict[str, BadCall]] = {
    "get_messages(thread_id=)": lambda s, v: s.get_messages("room:1", thread_id=v),
    "delete_messages(thread_id=)": (
        lambda s, v: s.delete_messages("room:1", before=_T0, thread_id=v)
    ),
}
"""Id arguments where ``None`` is valid."""

CHANNEL_POSITIONS: Final[dict[str, BadCall]] = {
    "get_or_create_room_by_external_binding(channel)": (
        lambda s, v: s.get_or_create_room_by_external_binding(v, "b", "C9", {"type": "group"})
    ),
    "get_or_create_participant_by_external_id(channel)": (
        lambda s, v: s.get_or_create_participant_by_external_id(v, "U9", {"type": "human"})
    ),
    "get_message_by_external_id(channel)": lambda s, v: s.get_message_by_external_id(v, "b", "E"),
    "get_room_by_external_binding(channel)": (
        lambda s, v: s.get_room_by_external_binding(v, "b", "C")
    ),
    "create_room_binding(channel)": lambda s, v: s.create_room_binding("room:1", v, "b", "C9"),
}

EXTERNAL_ID_POSITIONS: Final[dict[str, BadCall]] = {
    "get_or_create_room_by_external_binding(bridge_id)": (
        lambda s, v: s.get_or_create_room_by_external_binding("slack", v, "C9", {"type": "group"})
    ),
    "get_or_create_room_by_external_binding(external_id)": (
        lambda s, v: s.get_or_create_room_by_external_binding("slack", "b", v, {"type": "group"})
    ),
    "get_or_create_participant_by_external_id(external_id)": (
        lambda s, v: s.get_or_create_participant_by_external_id("slack", v, {"type": "human"})
    ),
    "get_message_by_external_id(bridge_id)": (
        lambda s, v: s.get_message_by_external_id("slack", v, "E")
    ),
    "get_message_by_external_id(external_id)": (
        lambda s, v: s.get_message_by_external_id("slack", "b", v)
    ),
    "get_room_by_external_binding(bridge_id)": (
        lambda s, v: s.get_room_by_external_binding("slack", v, "C")
    ),
    "get_room_by_external_binding(external_id)": (
        lambda s, v: s.get_room_by_external_binding("slack", "b", v)
    ),
    "create_room_binding(bridge_id)": lambda s, v: s.create_room_binding("room:1", "s", v, "C9"),
    "create_room_binding(external_id)": lambda s, v: s.create_room_binding("room:1", "s", "b", v),
    "get_thread_by_external_id(external_thread_id)": (
        lambda s, v: s.get_thread_by_external_id("room:1", v)
    ),
    "update_message_external_id(external_id)": (
        lambda s, v: s.update_message_external_id("m:1", v)
    ),
    "list_ingress_subscriptions(bridge_id)": lambda s, v: s.list_ingress_subscriptions(v),
    "delete_ingress_subscription(bridge_id)": (lambda s, v: s.delete_ingress_subscription(v, "s")),
    "get_or_create_thread_by_external_id(external_thread_id)": (
        lambda s, v: s.get_or_create_thread_by_external_id("room:1", v)
    ),
}

LIMIT_POSITIONS: Final[dict[str, BadCall]] = {
    "list_rooms(limit=)": lambda s, v: s.list_rooms(limit=v),
    "get_messages(limit=)": lambda s, v: s.get_messages("room:1", limit=v),
    "list_threads(limit=)": lambda s, v: s.list_threads("room:1", limit=v),
    "directory_search(limit=)": lambda s, v: s.directory_search("room", {}, limit=v),
    "list_participants(limit=)": lambda s, v: s.list_participants(limit=v),
    "list_onboardings(limit=)": lambda s, v: s.list_onboardings(limit=v),
}

CURSOR_POSITIONS: Final[dict[str, BadCall]] = {
    "get_messages(before=)": lambda s, v: s.get_messages("room:1", before=v),
    "get_messages(after=)": lambda s, v: s.get_messages("room:1", after=v),
    "list_rooms(after=)": lambda s, v: s.list_rooms(after=v),
    "list_threads(after=)": lambda s, v: s.list_threads("room:1", after=v),
    "list_participants(after=)": lambda s, v: s.list_participants(after=v),
    "list_onboardings(after=)": lambda s, v: s.list_onboardings(after=v),
}

MODEL_POSITIONS: Final[dict[str, BadCall]] = {
    "save_room": lambda s, v: s.save_room(v),
    "save_participant": lambda s, v: s.save_participant(v),
    "save_message": lambda s, v: s.save_message(v),
    "save_thread": lambda s, v: s.save_thread(v),
    "save_bridge_config": lambda s, v: s.save_bridge_config(v),
    "save_routing_policy": lambda s, v: s.save_routing_policy(v),
    "save_ingress_subscription": lambda s, v: s.save_ingress_subscription(v),
    "ingest_message": lambda s, v: s.ingest_message(v),
}

TARGET_POSITIONS: Final[dict[str, BadCall]] = {
    "directory_search(target)": lambda s, v: s.directory_search(v, {}),
    "directory_lookup(target)": lambda s, v: s.directory_lookup(v, {"id": "room:1"}),
}

QUERY_POSITIONS: Final[dict[str, BadCall]] = {
    "directory_search(query)": lambda s, v: s.directory_search("participant", v),
    "directory_lookup(query)": lambda s, v: s.directory_lookup("room", v),
}

ATTRS_POSITIONS: Final[dict[str, BadCall]] = {
    "get_or_create_room_by_external_binding(attrs)": (
        lambda s, v: s.get_or_create_room_by_external_binding("slack", "b", "C-new", v)
    ),
}

# --- bad values ----------------------------------------------------------------------

_NOT_STRINGS: Final[tuple[Any, ...]] = (0, 1, -1, 1.5, True, False, b"x", ["x"], {"id": "x"})
_BAD_TEXT: Final = ("", "\x00", "a\x00b", "\ud800", "a\udfff", "x" * 513)

BAD_IDS: Final[tuple[Any, ...]] = (None, *_NOT_STRINGS, *_BAD_TEXT)
BAD_CHANNELS: Final[tuple[Any, ...]] = (None, *_NOT_STRINGS, *_BAD_TEXT)
BAD_EXTERNAL_IDS: Final[tuple[Any, ...]] = (
    None,
    True,
    False,
    1.0,
    -0.0,
    b"1",
    ["1"],
    {"1": 1},
    *_BAD_TEXT,
    10**600,
)
BAD_LIMITS: Final[tuple[Any, ...]] = (True, False, -1, -(2**63), 2**63, 2**64, 1.0, "1", b"1", [1])
BAD_CURSORS: Final[tuple[Any, ...]] = (0, 1, True, b"m", ["m"], *_BAD_TEXT)
BAD_MODELS: Final[tuple[Any, ...]] = (None, {}, {"id": "r", "type": "group"}, "room", 1, [])
BAD_TARGETS: Final[tuple[Any, ...]] = (
    "",
    "participants",
    "rooms",
    "ROOM",
    "Room",
    None,
    1,
    b"room",
)
BAD_QUERIES: Final[tuple[Any, ...]] = (
    None,
    "name",
    ["name"],
    {"name": 1},
    {"name": b"x"},
    {"name": "\x00"},
    {"name": "\ud800"},
    {"id": ""},
    {"id": True},
    {"channel": 1},
    {"channel": ""},
    {"bridge_id": 1.5},
    {"external_id": False},
)
BAD_ENABLED: Final[tuple[Any, ...]] = (0, 1, "true", "", [], 1.0)
BAD_STATUSES: Final[tuple[Any, ...]] = ("", "ACTIVE", "Active", "gone", 1, True, b"active")
BAD_ATTRS: Final[tuple[Any, ...]] = (
    "attrs",
    ["type"],
    1,
    {1: "x"},
    {},
    {"type": "nope"},
    {"type": "group", "bogus": 1},
    {"type": "group", "id": 1},
    {"type": "group", "id": ""},
    {"type": "group", "name": "a\x00"},
    {"type": "group", "metadata": {"x": float("nan")}},
)
BAD_BINDING_ATTRS: Final[tuple[Any, ...]] = (
    "attrs",
    1,
    {"room_id": "r"},
    {"channel": "x"},
    {"bogus": True},
    {"direction": "sideways"},
    {"enabled": "maybe"},
    {"id": 7},
    {"inserted_at": "yesterday"},
)
