"""The comparison machine's pools: the few ids, keys, names and timestamps it draws from.

Records are created with explicit ids and timestamps drawn from small pools, so both
stores hold identical records and collisions (ties, shared keys, re-saves) are
frequent.  This module holds those pools, the strategies built on them (messages,
get-or-create attrs, bad arguments) and the record getters and deleters the rules
pick from.  Used by :mod:`jido_persistence_conformance.stateful` and its private
rule modules.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final, TypeVar

from hypothesis import strategies as st
from pydantic import BaseModel

from jido_persistence.models import (
    BindingDirection,
    Message,
    MessageRole,
    MessageStatus,
    ParticipantType,
    RoomType,
    TextPart,
)
from jido_persistence_conformance import strategies as kit

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

ModelT = TypeVar("ModelT", bound=BaseModel)


def _normalised(key: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(str(part) for part in key)


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
