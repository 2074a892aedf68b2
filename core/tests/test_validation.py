"""Argument validation (contract section 3): the helpers and every callback's checks."""

from __future__ import annotations

import contextlib
import copy
import inspect
from collections import UserDict
from collections.abc import Callable
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.callbacks import CALLBACKS
from jido_persistence.errors import (
    CursorNotFound,
    InvalidArgument,
    InvalidCursor,
    InvalidDirectoryTarget,
    InvalidLimit,
    InvalidOnboardingId,
    NotFound,
    NotSupported,
    PersistenceError,
)
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import (
    BridgeConfig,
    DirectoryTarget,
    IngressStatus,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoutingPolicy,
    Thread,
)
from jido_persistence.validation import (
    DirectoryQuery,
    build_record,
    message_external_key,
    normalize_external_id,
    require_attrs,
    require_binding_attrs,
    require_channel,
    require_cursors,
    require_directory_target,
    require_enabled_filter,
    require_id,
    require_ingress_status,
    require_instance,
    require_limit,
    require_onboarding_flow,
    require_optional_limit,
)

INT64_MAX = 2**63 - 1
TOO_LONG = "x" * 513
BAD_IDS: list[Any] = [
    None,
    5,
    0,
    True,
    1.5,
    b"r",
    ["r"],
    "",
    "a\x00b",
    "\ud800",
    "\udc00x",
    TOO_LONG,
]
BAD_EXTERNAL_IDS: list[Any] = [
    None,
    True,
    False,
    1.5,
    b"e",
    ["e"],
    "",
    "e\x00",
    "\ud800",
    TOO_LONG,
    10**512,
    -(10**511),
    10**5000,
]


class StrChild(str):
    """A str subclass: accepted, and normalised to a plain str."""


# --- helpers --------------------------------------------------------------------------


@settings(max_examples=60)
@given(value=st.integers(min_value=-(10**100), max_value=10**100))
def test_normalize_external_id_turns_ints_into_decimal_strings(value: int) -> None:
    normalised = normalize_external_id(value)
    assert normalised == str(value)
    assert type(normalised) is str
    assert normalize_external_id(normalised) == normalised


@pytest.mark.parametrize("value", BAD_EXTERNAL_IDS, ids=lambda v: type(v).__name__)
def test_normalize_external_id_rejects(value: Any) -> None:
    with pytest.raises(InvalidArgument, match="bridge_id"):
        normalize_external_id(value, "bridge_id")


def test_normalize_external_id_limits() -> None:
    assert normalize_external_id("\u00e9" * 512) == "\u00e9" * 512
    assert normalize_external_id(10**512 - 1) == "9" * 512
    assert normalize_external_id(-(10**511) + 1) == "-" + "9" * 511
    assert normalize_external_id(StrChild("a")) == "a"
    assert type(normalize_external_id(StrChild("a"))) is str


@pytest.mark.parametrize("value", BAD_IDS)
def test_require_id_rejects(value: Any) -> None:
    with pytest.raises(InvalidArgument, match="room_id"):
        require_id("room_id", value)
    with pytest.raises(InvalidArgument):
        require_channel(value)


def test_require_id_accepts_and_normalises() -> None:
    assert require_id("room_id", "room:1") == "room:1"
    assert type(require_id("room_id", StrChild("r"))) is str
    assert require_id("room_id", "x" * 512) == "x" * 512


@pytest.mark.parametrize("value", [0, 1, 100, INT64_MAX])
def test_require_limit_accepts(value: int) -> None:
    assert require_limit(value) == value
    assert require_optional_limit(value) == value


@pytest.mark.parametrize("value", [True, False, -1, INT64_MAX + 1, 1.0, "5", None, [1]])
def test_require_limit_rejects(value: Any) -> None:
    with pytest.raises(InvalidLimit):
        require_limit(value)
    if value is not None:
        with pytest.raises(InvalidLimit):
            require_optional_limit(value)


def test_require_optional_limit_accepts_none() -> None:
    assert require_optional_limit(None) is None


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("a", "b"),
        ("a", ""),
        ("", None),
        (None, ""),
        (5, None),
        (None, True),
        (b"a", None),
        ("a\x00", None),
        (None, "\ud800"),
        (TOO_LONG, None),
    ],
)
def test_require_cursors_rejects(before: Any, after: Any) -> None:
    with pytest.raises(InvalidCursor):
        require_cursors(before, after)


def test_require_cursors_accepts() -> None:
    assert require_cursors(None, None) == (None, None)
    assert require_cursors("m", None) == ("m", None)
    assert require_cursors(None, "m") == (None, "m")


def test_require_directory_target() -> None:
    assert require_directory_target("room") is DirectoryTarget.ROOM
    assert require_directory_target("participant") is DirectoryTarget.PARTICIPANT
    assert require_directory_target(DirectoryTarget.ROOM) is DirectoryTarget.ROOM
    for bad in ("rooms", "Room", "", None, 1, DirectoryTarget):
        with pytest.raises(InvalidDirectoryTarget):
            require_directory_target(bad)


def test_require_enabled_filter() -> None:
    assert require_enabled_filter(None) is None
    assert require_enabled_filter(True) is True
    assert require_enabled_filter(False) is False
    for bad in (1, 0, "true", "", []):
        with pytest.raises(InvalidArgument):
            require_enabled_filter(bad)


def test_require_ingress_status() -> None:
    assert require_ingress_status(None) is None
    for status in IngressStatus:
        assert require_ingress_status(status) is status
        assert require_ingress_status(status.value) is status
    for bad in ("ACTIVE", "gone", "", 1, True):
        with pytest.raises(InvalidArgument):
            require_ingress_status(bad)


def test_require_attrs() -> None:
    assert require_attrs(None) == {}
    given_attrs = {"type": "group"}
    copied = require_attrs(given_attrs)
    assert copied == given_attrs
    assert copied is not given_attrs
    assert require_attrs(MappingProxyType({"a": 1})) == {"a": 1}
    assert require_attrs(UserDict({"a": 1})) == {"a": 1}
    for bad in ([("type", "group")], "type", 5, {1: "x"}):
        with pytest.raises(InvalidArgument):
            require_attrs(bad)


def test_require_binding_attrs_takes_only_room_binding_fields() -> None:
    assert require_binding_attrs({"id": "b", "direction": "inbound", "enabled": False}) == {
        "id": "b",
        "direction": "inbound",
        "enabled": False,
    }
    for bad in ({"room_id": "r"}, {"channel": "c"}, {"external_room_id": "e"}, {"bogus": 1}):
        with pytest.raises(InvalidArgument):
            require_binding_attrs(bad)


def test_require_instance() -> None:
    room = Room(type="group")
    assert require_instance("room", room, Room) is room
    with pytest.raises(InvalidArgument, match="Room"):
        require_instance("room", room.model_dump(), Room)
    with pytest.raises(InvalidArgument):
        require_instance("room", Participant(type="human"), Room)


def test_build_record_wraps_validation_errors() -> None:
    room = build_record(Room, {"type": "group", "name": "x"}, name="y")
    assert room.name == "y"
    with pytest.raises(InvalidArgument) as caught:
        build_record(Room, {"name": "no type"})
    assert isinstance(caught.value.__cause__, ValidationError)


class TestOnboardingFlow:
    """``require_onboarding_flow``: the order of checks and the copy."""

    @pytest.mark.parametrize("flow", [None, [], "flow", 5, [("onboarding_id", "o")]])
    def test_not_a_mapping(self, flow: Any) -> None:
        with pytest.raises(InvalidArgument) as caught:
            require_onboarding_flow(flow)
        assert not isinstance(caught.value, InvalidOnboardingId)

    @pytest.mark.parametrize(
        "flow",
        [
            {},
            {"onboarding_id": ""},
            {"onboarding_id": None},
            {"onboarding_id": 5},
            {"onboarding_id": ["o"]},
            {"onboarding_id": 5, "bad": float("nan")},
            {"onboarding_id": None, 1: "non-str key"},
            {"id": "o"},
        ],
    )
    def test_onboarding_id(self, flow: dict[Any, Any]) -> None:
        with pytest.raises(InvalidOnboardingId):
            require_onboarding_flow(flow)

    @pytest.mark.parametrize(
        "extra",
        [
            {"v": float("nan")},
            {"v": float("inf")},
            {"v": 2**63},
            {"v": object()},
            {"v": (1, 2)},
            {"v": {1: "int key"}},
            {1: "int key"},
            {"v": "a\x00"},
            {"a\x00": 1},
            {"v": ["\ud800"]},
            {"\udfff": 1},
        ],
    )
    def test_not_json(self, extra: dict[Any, Any]) -> None:
        with pytest.raises(InvalidArgument) as caught:
            require_onboarding_flow({"onboarding_id": "o", **extra})
        assert not isinstance(caught.value, InvalidOnboardingId)

    def test_bad_onboarding_id_strings(self) -> None:
        for bad in ("o\x00", "\ud800"):
            with pytest.raises(InvalidArgument):
                require_onboarding_flow({"onboarding_id": bad})

    def test_returns_a_deep_copy(self) -> None:
        flow = {"onboarding_id": "o", "steps": [{"done": False}]}
        checked = require_onboarding_flow(MappingProxyType(flow))
        assert checked == flow
        flow["steps"][0]["done"] = True  # type: ignore[index]
        assert checked["steps"][0]["done"] is False


class TestMessageExternalKey:
    """``message_external_key`` and the metadata check it makes."""

    def message(self, external_id: str | None = "e", **metadata: Any) -> Message:
        return Message(
            room_id="r", sender_id="s", role="user", external_id=external_id, metadata=metadata
        )

    def test_complete_key(self) -> None:
        assert message_external_key(self.message(channel="c", bridge_id="b")) == ("c", "b", "e")
        assert message_external_key(self.message(channel="c", bridge_id=7)) == ("c", "7", "e")

    @pytest.mark.parametrize(
        "metadata", [{}, {"channel": "c"}, {"bridge_id": "b"}, {"channel": None, "bridge_id": "b"}]
    )
    def test_incomplete_key(self, metadata: dict[str, Any]) -> None:
        assert message_external_key(self.message(**metadata)) is None

    @pytest.mark.parametrize(
        "metadata",
        [
            {"channel": 5, "bridge_id": "b"},
            {"channel": "", "bridge_id": "b"},
            {"channel": True, "bridge_id": "b"},
            {"channel": ["c"], "bridge_id": "b"},
            {"channel": "c", "bridge_id": True},
            {"channel": "c", "bridge_id": 1.5},
            {"channel": "c", "bridge_id": ""},
            {"channel": "c", "bridge_id": {"id": "b"}},
            {"channel": 5},
            {"bridge_id": False},
            {"channel": "x" * 513, "bridge_id": "b"},
        ],
    )
    def test_malformed_metadata(self, metadata: dict[str, Any]) -> None:
        with pytest.raises(InvalidArgument):
            message_external_key(self.message(**metadata))
        assert message_external_key(self.message(None, **metadata)) is None


class TestDirectoryQuery:
    """``DirectoryQuery.parse``."""

    def test_parse(self) -> None:
        query = DirectoryQuery.parse(
            {"id": 5, "name": "Ada", "channel": "c", "bridge_id": 7, "external_id": "e", "x": 1}
        )
        assert query == DirectoryQuery(
            id="5", name="Ada", channel="c", bridge_id="7", external_id="e"
        )
        assert query.name_fold == "ada"
        assert DirectoryQuery.parse({"name": None, "id": None}) == DirectoryQuery()
        assert DirectoryQuery.parse(MappingProxyType({})) == DirectoryQuery()
        assert DirectoryQuery.parse(query) is query
        assert DirectoryQuery().name_fold is None
        assert query.as_dict()["bridge_id"] == "7"
        assert '"name": "Ada"' in str(query)

    @pytest.mark.parametrize("query", [None, [], "name", 5, [("name", "x")]])
    def test_not_a_mapping(self, query: Any) -> None:
        with pytest.raises(InvalidArgument):
            DirectoryQuery.parse(query)

    @pytest.mark.parametrize(
        "query",
        [
            {"name": 5},
            {"name": b"x"},
            {"name": ["x"]},
            {"name": "a\x00"},
            {"name": "\ud800"},
            {"channel": 5},
            {"channel": ""},
            {"channel": True},
            {"bridge_id": True},
            {"bridge_id": 1.5},
            {"bridge_id": ""},
            {"external_id": False},
            {"external_id": ["e"]},
            {"external_id": "e\x00"},
            {"id": ""},
            {"id": True},
            {"id": "\udc00"},
            {"id": TOO_LONG},
        ],
    )
    def test_wrong_value_types(self, query: dict[str, Any]) -> None:
        with pytest.raises(InvalidArgument):
            DirectoryQuery.parse(query)


# --- every callback, through the wrapper -----------------------------------------------

ROOM = Room(id="r", type="group")
MESSAGE = Message(id="m", room_id="r", sender_id="s", role="user")
THREAD = Thread(id="t", room_id="r")
PARTICIPANT = Participant(id="p", type="human")
CONFIG = BridgeConfig(id="bc", adapter_module="m")
POLICY = RoutingPolicy(room_id="r")
SUBSCRIPTION = IngressSubscription(bridge_id="b", subscription_id="s", adapter_name="a")
KEYED = Message(
    id="mk",
    room_id="r",
    sender_id="s",
    role="user",
    external_id="e",
    metadata={"channel": "c", "bridge_id": "b"},
)

# name -> (valid positional arguments, kind of each position)
CALLS: dict[str, tuple[tuple[Any, ...], tuple[str, ...]]] = {
    "save_room": ((ROOM,), ("model",)),
    "get_room": (("r",), ("id",)),
    "delete_room": (("r",), ("id",)),
    "list_rooms": ((), ()),
    "save_participant": ((PARTICIPANT,), ("model",)),
    "get_participant": (("p",), ("id",)),
    "delete_participant": (("p",), ("id",)),
    "save_message": ((MESSAGE,), ("model",)),
    "get_message": (("m",), ("id",)),
    "get_messages": (("r",), ("id",)),
    "delete_message": (("m",), ("id",)),
    "save_thread": ((THREAD,), ("model",)),
    "get_thread": (("t",), ("id",)),
    "get_thread_by_external_id": (("r", "x"), ("id", "external")),
    "get_thread_by_root_message": (("r", "m"), ("id", "id")),
    "list_threads": (("r",), ("id",)),
    "get_or_create_room_by_external_binding": (
        ("c", "b", "e", {"type": "group"}),
        ("channel", "external", "external", "attrs"),
    ),
    "get_or_create_participant_by_external_id": (
        ("c", "e", {"type": "human"}),
        ("channel", "external", "attrs"),
    ),
    "get_message_by_external_id": (("c", "b", "e"), ("channel", "external", "external")),
    "update_message_external_id": (("m", "e"), ("id", "external")),
    "get_room_by_external_binding": (("c", "b", "e"), ("channel", "external", "external")),
    "create_room_binding": (
        ("r", "c", "b", "e", {"enabled": False}),
        ("id", "channel", "external", "external", "binding_attrs"),
    ),
    "list_room_bindings": (("r",), ("id",)),
    "delete_room_binding": (("bind_x",), ("id",)),
    "directory_search": (("room", {"name": "x"}), ("target", "query")),
    "directory_lookup": (("participant", {"name": "x"}), ("target", "query")),
    "save_onboarding": (({"onboarding_id": "o"},), ("flow",)),
    "get_onboarding": (("o",), ("id",)),
    "save_bridge_config": ((CONFIG,), ("model",)),
    "get_bridge_config": (("bc",), ("id",)),
    "list_bridge_configs": ((), ()),
    "delete_bridge_config": (("bc",), ("id",)),
    "save_routing_policy": ((POLICY,), ("model",)),
    "get_routing_policy": (("r",), ("id",)),
    "delete_routing_policy": (("r",), ("id",)),
    "save_ingress_subscription": ((SUBSCRIPTION,), ("model",)),
    "list_ingress_subscriptions": (("b",), ("external",)),
    "delete_ingress_subscription": (("b", "s"), ("external", "id")),
    "health_check": ((), ()),
    "ingest_message": ((KEYED,), ("model",)),
    "get_or_create_thread_by_external_id": (
        ("r", "e", {"status": "active"}),
        ("id", "external", "thread_attrs"),
    ),
    "list_participants": ((), ()),
    "list_onboardings": ((), ()),
    "export_records": ((), ()),
    "import_records": (([],), ()),
    "delete_messages": (("r",), ("id",)),
    "erase_participant": (("p",), ("id",)),
    "delete_onboarding": (("o",), ("id",)),
    "transaction": ((), ()),
}
"""``delete_messages`` also takes ``before=`` (see KEYWORDS)."""

KEYWORDS: dict[str, dict[str, Any]] = {
    "delete_messages": {"before": datetime(2024, 1, 1, tzinfo=UTC)},
}

BAD_BY_KIND: dict[str, list[tuple[Any, type[Exception]]]] = {
    "id": [(value, InvalidArgument) for value in BAD_IDS],
    "channel": [(value, InvalidArgument) for value in BAD_IDS],
    "external": [(value, InvalidArgument) for value in BAD_EXTERNAL_IDS],
    "model": [
        (None, InvalidArgument),
        ({"id": "r", "type": "group"}, InvalidArgument),
        (object(), InvalidArgument),
    ],
    "attrs": [
        ([("type", "group")], InvalidArgument),
        ("attrs", InvalidArgument),
        ({1: 2}, InvalidArgument),
    ],
    "thread_attrs": [
        ({"room_id": "other"}, InvalidArgument),
        ({"external_thread_id": "x"}, InvalidArgument),
        ({"bogus": 1}, InvalidArgument),
        (["status"], InvalidArgument),
    ],
    "binding_attrs": [
        ({"room_id": "other"}, InvalidArgument),
        ({"bogus": 1}, InvalidArgument),
        (["enabled"], InvalidArgument),
    ],
    "target": [
        ("rooms", InvalidDirectoryTarget),
        ("", InvalidDirectoryTarget),
        (None, InvalidDirectoryTarget),
        (1, InvalidDirectoryTarget),
    ],
    "query": [
        (None, InvalidArgument),
        (["name"], InvalidArgument),
        ({"name": 5}, InvalidArgument),
        ({"channel": 5}, InvalidArgument),
        ({"bridge_id": True}, InvalidArgument),
        ({"id": ""}, InvalidArgument),
    ],
    "flow": [
        (None, InvalidArgument),
        ({}, InvalidOnboardingId),
        ({"onboarding_id": 1}, InvalidOnboardingId),
        ({"onboarding_id": "o", "x": float("nan")}, InvalidArgument),
    ],
}

BAD_CALLS = [
    pytest.param(name, position, bad, error, id=f"{name}-{position}-{index}")
    for name, (args, kinds) in CALLS.items()
    for position, kind in enumerate(kinds)
    for index, (bad, error) in enumerate(BAD_BY_KIND[kind])
]


def snapshot(store: MemoryAdapter) -> Any:
    return store.raw_index()


def seeded() -> MemoryAdapter:
    store = MemoryAdapter()
    store.save_room(ROOM)
    store.save_message(MESSAGE)
    store.save_thread(THREAD)
    store.save_participant(PARTICIPANT)
    return store


WRONG_MODELS = {
    "save_room": PARTICIPANT,
    "save_participant": ROOM,
    "save_message": THREAD,
    "save_thread": MESSAGE,
    "save_bridge_config": POLICY,
    "save_routing_policy": CONFIG,
    "save_ingress_subscription": ROOM,
}


@pytest.mark.parametrize(("name", "wrong"), WRONG_MODELS.items())
def test_save_rejects_another_model(name: str, wrong: Any) -> None:
    store = seeded()
    before = snapshot(store)
    with pytest.raises(InvalidArgument):
        getattr(store, name)(wrong)
    assert snapshot(store) == before


def test_the_table_covers_every_callback() -> None:
    assert set(WRONG_MODELS) == {name for name in CALLBACKS if name.startswith("save_")} - {
        "save_onboarding"
    }
    assert set(CALLS) == set(CALLBACKS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_valid_calls_pass_the_checks(name: str) -> None:
    """The check accepts the call; the memory adapter may lack the callback's group."""
    store = MemoryAdapter() if name == "import_records" else seeded()  # imports: empty only
    args, _ = CALLS[name]
    with contextlib.suppress(NotFound, NotSupported):
        getattr(store, name)(*args, **KEYWORDS.get(name, {}))


@pytest.mark.parametrize(("name", "position", "bad", "error"), BAD_CALLS)
def test_bad_arguments_are_rejected_before_anything_is_stored(
    name: str, position: int, bad: Any, error: type[Exception]
) -> None:
    store = seeded()
    before = snapshot(store)
    args = list(CALLS[name][0])
    args[position] = bad
    with pytest.raises(error) as caught:
        getattr(store, name)(*args, **KEYWORDS.get(name, {}))
    assert not isinstance(caught.value, NotFound)
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("name", "args", "kinds"),
    [(name, args, kinds) for name, (args, kinds) in CALLS.items() if "external" in kinds],
)
def test_int_external_ids_are_accepted(
    name: str, args: tuple[Any, ...], kinds: tuple[str, ...]
) -> None:
    store = seeded()
    with_ints = [7 if kind == "external" else arg for arg, kind in zip(args, kinds, strict=True)]
    try:
        getattr(store, name)(*with_ints)
    except NotFound as missing:
        key = missing.key
    except NotSupported:  # the check accepted the ints; the memory store lacks the group
        return
    else:
        return
    # NotFound.key is the argument as given: the int itself, not its normal form "7".
    assert 7 in (key if isinstance(key, tuple) else (key,)), key


LIMITED: list[tuple[str, tuple[Any, ...]]] = [
    ("list_rooms", ()),
    ("get_messages", ("r",)),
    ("list_threads", ("r",)),
    ("directory_search", ("room", {})),
]


@pytest.mark.parametrize(("name", "args"), LIMITED)
@pytest.mark.parametrize("limit", [True, False, -1, INT64_MAX + 1, 2.0, "10", [1]])
def test_bad_limits(name: str, args: tuple[Any, ...], limit: Any) -> None:
    with MemoryAdapter() as store, pytest.raises(InvalidLimit):
        getattr(store, name)(*args, limit=limit)


@pytest.mark.parametrize(
    ("name", "args"), [item for item in LIMITED if item[0] != "directory_search"]
)
def test_none_is_not_a_limit_where_the_default_is_an_int(name: str, args: tuple[Any, ...]) -> None:
    with MemoryAdapter() as store, pytest.raises(InvalidLimit):
        getattr(store, name)(*args, limit=None)


def test_directory_search_accepts_no_limit() -> None:
    with MemoryAdapter() as store:
        store.save_room(ROOM)
        assert store.directory_search("room", {}, limit=None) == [ROOM]


class TestGetMessagesCheckOrder:
    """``get_messages`` checks limit, cursor shape, cursor existence, in that order."""

    def test_limit_first(self) -> None:
        with seeded() as store, pytest.raises(InvalidLimit):
            store.get_messages("r", limit=-1, before="a", after="b")

    def test_cursor_shape_before_existence(self) -> None:
        with seeded() as store:
            with pytest.raises(InvalidCursor):
                store.get_messages("r", before="nope", after="nope")
            with pytest.raises(InvalidCursor):
                store.get_messages("r", before="m", after="m")
            with pytest.raises(InvalidCursor):
                store.get_messages("r", after="")
            with pytest.raises(InvalidCursor):
                store.get_messages("r", before=5)
            with pytest.raises(InvalidCursor):
                store.get_messages("r", before="m\x00")
            with pytest.raises(CursorNotFound):
                store.get_messages("r", before="nope")

    def test_room_id_and_thread_id_are_ids(self) -> None:
        with seeded() as store:
            for bad in BAD_IDS:
                if bad is None:
                    continue
                with pytest.raises(InvalidArgument):
                    store.get_messages("r", thread_id=bad)

    def test_cursor_errors_are_invalid_arguments(self) -> None:
        with seeded() as store, pytest.raises(InvalidArgument):
            store.get_messages("r", before="a", after="b")


class TestListFilters:
    """``enabled=`` and ``status=`` filters."""

    @pytest.mark.parametrize("enabled", [1, 0, "true", "", [], "False"])
    def test_bad_enabled(self, enabled: Any) -> None:
        with MemoryAdapter() as store, pytest.raises(InvalidArgument):
            store.list_bridge_configs(enabled=enabled)

    @pytest.mark.parametrize("status", ["ACTIVE", "gone", "", 1, True, IngressStatus])
    def test_bad_status(self, status: Any) -> None:
        with MemoryAdapter() as store, pytest.raises(InvalidArgument):
            store.list_ingress_subscriptions("b", status=status)


class TestMessageMetadataCheck:
    """``save_message`` with an external id and malformed channel/bridge metadata."""

    @pytest.mark.parametrize(
        "metadata",
        [
            {"channel": 5, "bridge_id": "b"},
            {"channel": "", "bridge_id": "b"},
            {"channel": "c", "bridge_id": True},
            {"channel": "c", "bridge_id": 2.5},
            {"channel": "c", "bridge_id": ["b"]},
            {"channel": False},
        ],
    )
    def test_rejected_and_nothing_stored(self, metadata: dict[str, Any]) -> None:
        with MemoryAdapter() as store:
            message = Message(
                id="m", room_id="r", sender_id="s", role="user", external_id="e", metadata=metadata
            )
            with pytest.raises(InvalidArgument):
                store.save_message(message)
            with pytest.raises(NotFound):
                store.get_message("m")
            assert store.get_messages("r") == []
            assert store.raw_index()["row_counts"]["messages"] == 0

    def test_rejected_resave_keeps_the_previous_version(self) -> None:
        with MemoryAdapter() as store:
            good = Message(
                id="m",
                room_id="r",
                sender_id="s",
                role="user",
                external_id="e",
                metadata={"channel": "c", "bridge_id": "b"},
            )
            store.save_message(good)
            bad = good.model_copy(update={"room_id": "r2", "metadata": {"channel": 5}})
            with pytest.raises(InvalidArgument):
                store.save_message(bad)
            assert store.get_message("m") == good
            assert store.get_message_by_external_id("c", "b", "e") == good
            assert store.get_messages("r2") == []

    def test_without_external_id_any_metadata_is_stored(self) -> None:
        with MemoryAdapter() as store:
            message = Message(
                id="m",
                room_id="r",
                sender_id="s",
                role="user",
                metadata={"channel": 5, "bridge_id": True},
            )
            assert store.save_message(message) == message
            assert store.raw_index()["message_keys"] == {}

    def test_int_bridge_id_metadata_is_normalised(self) -> None:
        with MemoryAdapter() as store:
            message = Message(
                id="m",
                room_id="r",
                sender_id="s",
                role="user",
                external_id="e",
                metadata={"channel": "c", "bridge_id": 42},
            )
            store.save_message(message)
            assert store.get_message_by_external_id("c", 42, "e") == message
            assert store.get_message_by_external_id("c", "42", "e") == message
            assert store.raw_index()["message_keys"] == {("c", "42", "e"): "m"}


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.update_message_external_id("m", None),
        lambda s: s.update_message_external_id("m", True),
        lambda s: s.update_message_external_id("m", ""),
        lambda s: s.get_thread_by_external_id("r", None),
        lambda s: s.create_room_binding("r", "c", "b", "e", {"id": 5}),
        lambda s: s.get_or_create_room_by_external_binding("c", "b", "e", {"name": "no type"}),
        lambda s: s.get_or_create_participant_by_external_id("c", "e", {"type": "alien"}),
    ],
)
def test_more_rejected_calls_store_nothing(call: Callable[[MemoryAdapter], Any]) -> None:
    store = seeded()
    before = snapshot(store)
    with pytest.raises(InvalidArgument):
        call(store)
    assert snapshot(store) == before


def test_errors_are_persistence_errors() -> None:
    store = seeded()
    for name, (args, kinds) in CALLS.items():
        if not kinds:
            continue
        bad_args = [BAD_BY_KIND[kinds[0]][0][0], *args[1:]]
        with pytest.raises(PersistenceError):
            getattr(store, name)(*bad_args, **KEYWORDS.get(name, {}))


def test_save_onboarding_checks_through_the_store() -> None:
    with MemoryAdapter() as store:
        with pytest.raises(InvalidArgument) as not_mapping:
            store.save_onboarding(["onboarding_id"])
        assert not isinstance(not_mapping.value, InvalidOnboardingId)
        with pytest.raises(InvalidOnboardingId):
            store.save_onboarding({"onboarding_id": "", "x": float("nan")})
        flow = {"onboarding_id": "o", "x": float("nan")}
        with pytest.raises(InvalidArgument) as not_json:
            store.save_onboarding(copy.deepcopy(flow))
        assert not isinstance(not_json.value, InvalidOnboardingId)
        assert store.raw_index()["row_counts"]["onboarding"] == 0


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_argument_may_be_given_by_keyword(name: str) -> None:
    """The checks accept the parameter names of the behaviour's own signatures."""
    store = MemoryAdapter() if name == "import_records" else seeded()  # imports: empty only
    args, _ = CALLS[name]
    parameters = list(inspect.signature(getattr(PersistenceAdapter, name)).parameters)[1:]
    kwargs = dict(zip(parameters, args, strict=False))
    with contextlib.suppress(NotFound, NotSupported):
        getattr(store, name)(**kwargs, **KEYWORDS.get(name, {}))
    store.close()


@settings(max_examples=100)
@given(
    value=st.text(
        alphabet=st.characters(blacklist_categories=())
        | st.sampled_from(["\x00", "\ud800", "\udfff"]),
        max_size=40,
    )
)
def test_text_arguments_are_accepted_exactly_when_every_backend_can_store_them(value: str) -> None:
    storable = "\x00" not in value and not any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if storable and value:
        assert require_id("room_id", value) == value
        assert normalize_external_id(value) == value
        assert DirectoryQuery.parse({"name": value}).name == value
        assert require_cursors(value, None) == (value, None)
        return
    with pytest.raises(InvalidArgument):
        require_id("room_id", value)
    with pytest.raises(InvalidArgument):
        normalize_external_id(value)
    with pytest.raises(InvalidCursor):
        require_cursors(None, value)
    if value:
        with pytest.raises(InvalidArgument):
            DirectoryQuery.parse({"name": value})
    else:
        assert DirectoryQuery.parse({"name": value}).name == ""


_KEY_TEXTS = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=8),
    st.integers(510, 514).map(lambda length: "k" * length),
    st.integers(510, 514).map(lambda length: "é" * length),
)


def _key_by_the_checks(channel: object, bridge_id: object, external_id: str) -> object:
    """The key as the argument checks make it, or the InvalidArgument they raise."""
    try:
        return (
            require_channel(channel, 'metadata["channel"]'),
            normalize_external_id(bridge_id, 'metadata["bridge_id"]'),
            external_id,
        )
    except InvalidArgument:
        return InvalidArgument


@given(_KEY_TEXTS, st.one_of(_KEY_TEXTS, st.integers(-(2**63), 2**63 - 1)))
def test_a_complete_key_is_what_the_argument_checks_give(channel: str, bridge_id: object) -> None:
    """The fast path for two ASCII strings answers what the full checks answer."""
    message = Message(
        room_id="r",
        sender_id="s",
        role="user",
        external_id="e",
        metadata={"channel": channel, "bridge_id": bridge_id},
    )
    try:
        found: object = message_external_key(message)
    except InvalidArgument:
        found = InvalidArgument
    assert found == _key_by_the_checks(channel, bridge_id, "e")
