"""The models of contract section 2: round trips, formats, and what they reject."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from jido_persistence.models import (
    AudioPart,
    BindingDirection,
    BridgeConfig,
    Capabilities,
    CustomPart,
    DedupeScope,
    DeliveryMode,
    DeliveryPolicy,
    FailoverPolicy,
    FilePart,
    ImagePart,
    IngressStatus,
    IngressSubscription,
    Message,
    MessageRole,
    MessageStatus,
    Participant,
    Presence,
    Room,
    RoomBinding,
    RoutingPolicy,
    TextPart,
    Thread,
    ThreadStatus,
    ToolResultPart,
    ToolUsePart,
    VideoPart,
    new_binding_id,
    new_bridge_id,
    new_id,
    new_onboarding_id,
)

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
BAD_STRINGS = ["a\x00b", "\ud800", "x\udfffy"]

storable_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)
keys = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=20,
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=INT64_MIN, max_value=INT64_MAX)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e16, -0.0, 0.0, 1.0, -1.5e300, 5e-324])
    | storable_text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(storable_text, inner, max_size=4),
    max_leaves=12,
)
json_maps = st.dictionaries(storable_text, json_values, max_size=5)
offsets = st.builds(
    timezone,
    st.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
    ),
)
aware_datetimes = st.datetimes(
    min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=offsets
)


def canonical(value: Any) -> str:
    """The kit's type-exact comparison of JSON values (1 != 1.0, 0.0 != -0.0)."""
    return json.dumps(value, sort_keys=True)


def round_trip(model: BaseModel) -> BaseModel:
    """Dump to JSON-mode data, pass it through JSON text, and validate it back."""
    data = json.loads(json.dumps(model.model_dump(mode="json")))
    restored = type(model).model_validate(data)
    assert restored == model
    assert canonical(restored.model_dump(mode="json")) == canonical(model.model_dump(mode="json"))
    assert type(restored) is type(model)
    from_text = type(model).model_validate_json(model.model_dump_json())
    assert from_text == model
    assert canonical(from_text.model_dump(mode="json")) == canonical(model.model_dump(mode="json"))
    return restored


# --- round trips ----------------------------------------------------------------------

EXAMPLES: list[BaseModel] = [
    Room(type="group", name="Lobby", external_bindings={"slack": {"b1": "C1"}}, metadata={"a": 1}),
    Room(type="direct"),
    Participant(
        type="human",
        identity={"name": "Ada", "n": 1.0},
        external_ids={"slack": "U1"},
        presence="busy",
        capabilities=["text", "image"],
    ),
    Message(
        room_id="room:1",
        sender_id="p",
        role="assistant",
        content=[
            TextPart(text="hi"),
            ImagePart(url="u", width=1, height=2),
            AudioPart(data="AAAA", duration=1.5, transcript="t"),
            VideoPart(thumbnail_url="t", duration=0.0, width=3),
            FilePart(filename="f.txt", size=INT64_MAX),
            ToolUsePart(id="t1", name="search", input={"q": "x", "n": -0.0}),
            ToolResultPart(tool_use_id="t1", content=[1, 1.0, True, None], is_error=True),
            CustomPart.model_validate({"type": "sticker", "pack": "p", "n": 1e16}),
        ],
        reply_to_id="m0",
        external_id="e1",
        external_reply_to_id="e0",
        thread_id="t",
        external_thread_id="et",
        delivery_external_room_id="dr",
        status="read",
        reactions={"+1": ["p"]},
        receipts={"p": "read"},
        metadata={"channel": "slack", "bridge_id": "b"},
    ),
    Message(room_id="r", sender_id="s", role="user", inserted_at=None, updated_at=None),
    Thread(room_id="r", external_thread_id="x", root_message_id="m", status="closed"),
    RoomBinding(room_id="r", channel="slack", bridge_id="b", external_room_id="C1"),
    BridgeConfig(adapter_module="m", credentials={"token": "t"}, opts={"a": [1, 2.5]}),
    RoutingPolicy(room_id="r", fallback_order=["a", "b"], revision=INT64_MIN),
    IngressSubscription(
        bridge_id="b",
        subscription_id="s",
        adapter_name="a",
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        raw={"x": [1]},
    ),
    IngressSubscription(bridge_id="b", subscription_id="s", adapter_name="a", external_id=None),
    DeliveryPolicy(max_attempts=9),
    Capabilities(durable=True),
]


@pytest.mark.parametrize("model", EXAMPLES, ids=lambda m: type(m).__name__)
def test_every_model_round_trips_exactly(model: BaseModel) -> None:
    round_trip(model)


@settings(max_examples=30)
@given(metadata=json_maps, identity=json_maps, reactions=json_maps, raw=json_values)
def test_free_form_maps_round_trip_type_exactly(
    metadata: dict[str, Any], identity: dict[str, Any], reactions: dict[str, Any], raw: Any
) -> None:
    room = round_trip(Room(type="group", metadata=metadata))
    assert canonical(room.metadata) == canonical(metadata)
    participant = round_trip(Participant(type="agent", identity=identity, metadata=metadata))
    assert canonical(participant.identity) == canonical(identity)
    message = round_trip(
        Message(room_id="r", sender_id="s", role="user", reactions=reactions, receipts=metadata)
    )
    assert canonical(message.reactions) == canonical(reactions)
    subscription = round_trip(
        IngressSubscription(bridge_id="b", subscription_id="s", adapter_name="a", raw=raw)
    )
    assert canonical(subscription.raw) == canonical(raw)
    config = round_trip(BridgeConfig(adapter_module="m", capabilities=metadata, opts=reactions))
    assert canonical(config.capabilities) == canonical(metadata)


@pytest.mark.parametrize("value", [1e16, -0.0, 0.0, 1, 0, True, False, 1.0, INT64_MAX, INT64_MIN])
def test_numbers_keep_their_type_and_sign(value: Any) -> None:
    room = round_trip(Room(type="group", metadata={"v": value, "nested": [{"v": value}]}))
    restored = room.metadata["v"]
    assert type(restored) is type(value)
    assert canonical(restored) == canonical(value)
    assert canonical(room.metadata["nested"]) == canonical([{"v": value}])


@settings(max_examples=40)
@given(
    type_name=storable_text.filter(
        lambda t: t not in {"text", "image", "audio", "video", "file", "tool_use", "tool_result"}
    ),
    fields=st.dictionaries(keys.filter(lambda k: k != "type"), json_values, max_size=4),
)
def test_unknown_part_types_are_kept_verbatim(type_name: str, fields: dict[str, Any]) -> None:
    raw = {"type": type_name, **fields}
    message = Message(room_id="r", sender_id="s", role="user", content=[raw])
    part = message.content[0]
    assert isinstance(part, CustomPart)
    assert canonical(part.model_dump(mode="json")) == canonical(raw)
    restored = round_trip(message)
    assert isinstance(restored.content[0], CustomPart)


# --- id formats -----------------------------------------------------------------------


def test_record_ids_have_their_formats() -> None:
    ids = {new_id() for _ in range(200)}
    assert len(ids) == 200
    for value in ids | {Room(type="group").id, Participant(type="human").id}:
        assert re.fullmatch(r"jch_[A-Za-z0-9_-]{22}", value), value
    for value in {new_binding_id() for _ in range(50)} | {
        RoomBinding(room_id="r", channel="c", bridge_id="b", external_room_id="e").id
    }:
        assert re.fullmatch(r"bind_[0-9a-f]{16}", value), value
    for value in {new_bridge_id() for _ in range(50)} | {BridgeConfig(adapter_module="m").id}:
        assert re.fullmatch(r"bridge_[0-9a-f]{16}", value), value
    message = Message(room_id="r", sender_id="s", role="user")
    thread = Thread(room_id="r")
    assert message.id.startswith("jch_")
    assert thread.id.startswith("jch_")


def test_onboarding_ids_are_uuid7_and_time_ordered() -> None:
    before_ms = time.time_ns() // 1_000_000
    values = [new_onboarding_id() for _ in range(300)]
    after_ms = time.time_ns() // 1_000_000
    assert len(set(values)) == len(values)
    stamps = []
    for value in values:
        parsed = uuid.UUID(value)
        assert str(parsed) == value
        assert parsed.version == 7
        assert parsed.variant == uuid.RFC_4122
        stamps.append(parsed.int >> 80)
    assert stamps == sorted(stamps)
    assert before_ms <= stamps[0] <= stamps[-1] <= after_ms


def test_callers_may_give_their_own_ids() -> None:
    assert Room(id="room:1", type="group").id == "room:1"
    assert (
        RoomBinding(id="b", room_id="r", channel="c", bridge_id="b", external_room_id="e").id == "b"
    )


# --- datetimes ------------------------------------------------------------------------


@settings(max_examples=60)
@given(moment=aware_datetimes)
def test_datetimes_are_normalised_to_utc(moment: datetime) -> None:
    room = Room(type="group", inserted_at=moment)
    assert room.inserted_at.tzinfo is UTC
    assert room.inserted_at == moment
    assert room.inserted_at.utcoffset() == timedelta(0)
    restored = round_trip(room)
    assert restored.inserted_at.tzinfo is UTC  # type: ignore[attr-defined]
    message = Message(
        room_id="r", sender_id="s", role="user", inserted_at=moment, updated_at=moment
    )
    assert message.inserted_at is not None
    assert message.inserted_at.tzinfo is UTC
    subscription = IngressSubscription(
        bridge_id="b", subscription_id="s", adapter_name="a", expires_at=moment
    )
    assert subscription.expires_at is not None
    assert subscription.expires_at.tzinfo is UTC


def test_defaults_are_utc() -> None:
    for model in (Room(type="group"), Thread(room_id="r"), BridgeConfig(adapter_module="m")):
        assert model.inserted_at.tzinfo is UTC  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "extreme", [datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)]
)
def test_extreme_utc_datetimes_round_trip(extreme: datetime) -> None:
    room = round_trip(Room(type="group", inserted_at=extreme))
    assert room.inserted_at == extreme  # type: ignore[attr-defined]
    message = round_trip(
        Message(room_id="r", sender_id="s", role="user", inserted_at=extreme, updated_at=extreme)
    )
    assert message.inserted_at == extreme  # type: ignore[attr-defined]


def test_datetimes_outside_utc_range_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Room(type="group", inserted_at=datetime.min.replace(tzinfo=timezone(timedelta(hours=1))))


@pytest.mark.parametrize("naive", [datetime(2024, 1, 1), "2024-01-01T00:00:00"])
def test_naive_datetimes_are_rejected(naive: Any) -> None:
    with pytest.raises(ValidationError):
        Room(type="group", inserted_at=naive)
    with pytest.raises(ValidationError):
        Message(room_id="r", sender_id="s", role="user", inserted_at=naive)
    with pytest.raises(ValidationError):
        IngressSubscription(bridge_id="b", subscription_id="s", adapter_name="a", expires_at=naive)


# --- message, routing policy, ingress subscription specifics -------------------------


def test_message_timestamps_omitted_together_share_one_instant() -> None:
    message = Message(room_id="r", sender_id="s", role="user")
    assert message.inserted_at is not None
    assert message.inserted_at == message.updated_at
    thread = Thread(room_id="r")
    assert thread.inserted_at == thread.updated_at


def test_message_explicit_none_timestamps_are_kept() -> None:
    message = Message(room_id="r", sender_id="s", role="user", inserted_at=None, updated_at=None)
    assert message.inserted_at is None
    assert message.updated_at is None
    only_one = Message(room_id="r", sender_id="s", role="user", inserted_at=None)
    assert only_one.inserted_at is None
    assert only_one.updated_at is not None
    restored = round_trip(message)
    assert restored.inserted_at is None  # type: ignore[attr-defined]


def test_routing_policy_id_is_room_id() -> None:
    policy = RoutingPolicy(room_id="room:1")
    assert policy.id == "room:1"
    assert RoutingPolicy(room_id="room:1", id="room:1").id == "room:1"
    with pytest.raises(ValidationError):
        RoutingPolicy(room_id="room:1", id="other")
    assert policy.delivery_mode is DeliveryMode.BEST_EFFORT
    assert policy.failover_policy is FailoverPolicy.NEXT_AVAILABLE
    assert policy.dedupe_scope is DedupeScope.MESSAGE_ID
    assert round_trip(policy).id == "room:1"  # type: ignore[attr-defined]


def test_ingress_subscription_external_id_defaults_to_subscription_id() -> None:
    subscription = IngressSubscription(bridge_id="b", subscription_id="sub", adapter_name="a")
    assert subscription.external_id == "sub"
    assert subscription.status is IngressStatus.ACTIVE
    explicit = IngressSubscription(
        bridge_id="b", subscription_id="sub", adapter_name="a", external_id=None
    )
    assert explicit.external_id is None
    assert round_trip(explicit).external_id is None  # type: ignore[attr-defined]
    for field in ("bridge_id", "subscription_id", "adapter_name"):
        data = {"bridge_id": "b", "subscription_id": "s", "adapter_name": "a", field: ""}
        with pytest.raises(ValidationError):
            IngressSubscription.model_validate(data)


def test_defaults() -> None:
    room = Room(type="group")
    assert (room.name, room.external_bindings, room.metadata) == (None, {}, {})
    participant = Participant(type="human")
    assert participant.presence is Presence.OFFLINE
    assert participant.capabilities == ["text"]
    message = Message(room_id="r", sender_id="s", role="user")
    assert message.status is MessageStatus.SENDING
    assert message.role is MessageRole.USER
    assert message.content == []
    assert Thread(room_id="r").status is ThreadStatus.ACTIVE
    binding = RoomBinding(room_id="r", channel="c", bridge_id="b", external_room_id="e")
    assert binding.direction is BindingDirection.BOTH
    assert binding.enabled is True
    config = BridgeConfig(adapter_module="m")
    assert config.delivery_policy == DeliveryPolicy(
        max_attempts=3, base_backoff_ms=25, max_backoff_ms=500, dead_letter=True
    )
    assert (config.revision, config.enabled) == (0, True)


def test_bridge_config_credentials_never_show() -> None:
    secret = "s3cr3t-token"
    config = BridgeConfig(adapter_module="m", credentials={"token": secret})
    assert config.credentials == {"token": secret}
    assert secret not in repr(config)
    assert secret not in str(config)
    for bad in (
        {"adapter_module": "m", "credentials": {"token": secret, "n": float("nan")}},
        {"adapter_module": "m", "credentials": {"token": secret + "\x00"}},
        {"adapter_module": 5, "credentials": {"token": secret}},
        {"adapter_module": "m", "credentials": {"token": secret}, "surprise": secret},
    ):
        with pytest.raises(ValidationError) as caught:
            BridgeConfig.model_validate(bad)
        assert secret not in str(caught.value)
        assert secret not in repr(caught.value)


# --- content parts --------------------------------------------------------------------


@pytest.mark.parametrize(
    "part",
    [
        {"type": "text"},
        {"type": "text", "text": 5},
        {"type": "text", "text": "x", "extra": 1},
        {"type": "image", "width": "wide"},
        {"type": "image", "width": 1.5},
        {"type": "audio", "duration": "long"},
        {"type": "video", "height": INT64_MAX + 1},
        {"type": "file", "size": -(2**63) - 1},
        {"type": "file", "unknown": "x"},
        {"type": "tool_use", "name": "n"},
        {"type": "tool_use", "id": "i", "name": "n", "input": [1]},
        {"type": "tool_result"},
        {"type": "tool_result", "tool_use_id": "t", "content": float("inf")},
    ],
)
def test_known_part_types_never_fall_back_to_custom(part: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Message(room_id="r", sender_id="s", role="user", content=[part])
    with pytest.raises(ValidationError):
        CustomPart.model_validate(part)


@pytest.mark.parametrize(
    ("part", "cls"),
    [
        ({"type": "text", "text": "x"}, TextPart),
        ({"type": "image"}, ImagePart),
        ({"type": "audio"}, AudioPart),
        ({"type": "video"}, VideoPart),
        ({"type": "file"}, FilePart),
        ({"type": "tool_use", "id": "i", "name": "n"}, ToolUsePart),
        ({"type": "tool_result", "tool_use_id": "t"}, ToolResultPart),
        ({"type": "Text", "text": "x"}, CustomPart),
    ],
)
def test_parts_are_discriminated_on_type(part: dict[str, Any], cls: type[BaseModel]) -> None:
    message = Message(room_id="r", sender_id="s", role="user", content=[part])
    assert type(message.content[0]) is cls
    round_trip(message)


@pytest.mark.parametrize(
    "part",
    [{}, {"text": "x"}, {"type": 5}, {"type": None}, {"type": ["text"]}, "text", 5],
)
def test_parts_without_a_string_type_are_rejected(part: Any) -> None:
    with pytest.raises(ValidationError):
        Message(room_id="r", sender_id="s", role="user", content=[part])


@pytest.mark.parametrize(
    "extra",
    [{"n": float("nan")}, {"n": 2**63}, {"s": "a\x00"}, {"d": {"\ud800": 1}}, {"o": object()}],
)
def test_custom_part_fields_are_json_only(extra: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Message(room_id="r", sender_id="s", role="user", content=[{"type": "x", **extra}])


def test_media_fields_default_to_none() -> None:
    image = ImagePart()
    assert (image.url, image.data, image.media_type, image.alt_text, image.width, image.height) == (
        None,
    ) * 6
    assert ToolResultPart(tool_use_id="t").content is None
    assert ToolResultPart(tool_use_id="t").is_error is False


# --- immutability and closed models --------------------------------------------------


@pytest.mark.parametrize("model", EXAMPLES, ids=lambda m: type(m).__name__)
def test_models_are_frozen_and_closed(model: BaseModel) -> None:
    field = next(iter(type(model).model_fields))
    with pytest.raises(ValidationError):
        setattr(model, field, getattr(model, field))
    data = model.model_dump()
    data["surprise"] = 1
    with pytest.raises(ValidationError):
        type(model).model_validate(data)
    changed = model.model_copy(update={})
    assert changed == model


# --- what no model accepts -------------------------------------------------------------

MINIMAL: dict[type[BaseModel], dict[str, Any]] = {
    Room: {"type": "group"},
    Participant: {"type": "human"},
    Message: {"room_id": "r", "sender_id": "s", "role": "user"},
    Thread: {"room_id": "r"},
    RoomBinding: {"room_id": "r", "channel": "c", "bridge_id": "b", "external_room_id": "e"},
    BridgeConfig: {"adapter_module": "m"},
    RoutingPolicy: {"room_id": "r"},
    IngressSubscription: {"bridge_id": "b", "subscription_id": "s", "adapter_name": "a"},
}

STRING_FIELDS: list[tuple[type[BaseModel], str]] = [
    (Room, "id"),
    (Room, "name"),
    (Participant, "id"),
    (Message, "id"),
    (Message, "room_id"),
    (Message, "sender_id"),
    (Message, "reply_to_id"),
    (Message, "external_id"),
    (Message, "external_reply_to_id"),
    (Message, "thread_id"),
    (Message, "external_thread_id"),
    (Message, "delivery_external_room_id"),
    (Thread, "id"),
    (Thread, "room_id"),
    (Thread, "external_thread_id"),
    (Thread, "delivery_external_room_id"),
    (Thread, "root_message_id"),
    (Thread, "root_external_message_id"),
    (Thread, "assigned_agent_id"),
    (RoomBinding, "id"),
    (RoomBinding, "room_id"),
    (RoomBinding, "channel"),
    (RoomBinding, "bridge_id"),
    (RoomBinding, "external_room_id"),
    (BridgeConfig, "id"),
    (BridgeConfig, "adapter_module"),
    (RoutingPolicy, "room_id"),
    (IngressSubscription, "bridge_id"),
    (IngressSubscription, "subscription_id"),
    (IngressSubscription, "adapter_name"),
    (IngressSubscription, "external_id"),
    (IngressSubscription, "target_url"),
]

EXTERNAL_ID_FIELD_NAMES = {
    (Message, "external_id"),
    (Message, "external_reply_to_id"),
    (Message, "external_thread_id"),
    (Thread, "external_thread_id"),
    (Thread, "root_external_message_id"),
    (RoomBinding, "external_room_id"),
    (IngressSubscription, "external_id"),
}
"""Contract 9.0: these take an int (stored as its decimal string); other id fields do not."""

ID_FIELDS = [
    (model, field)
    for model, field in STRING_FIELDS
    if field not in {"name", "adapter_name", "target_url", "adapter_module"}
    and (model, field) not in EXTERNAL_ID_FIELD_NAMES
]


def build(model: type[BaseModel], **changes: Any) -> BaseModel:
    data = {**MINIMAL[model], **changes}
    if model is RoutingPolicy and "room_id" in changes:
        data["id"] = changes["room_id"]
    return model.model_validate(data)


@pytest.mark.parametrize("bad", BAD_STRINGS, ids=["nul", "high-surrogate", "low-surrogate"])
@pytest.mark.parametrize(("model", "field"), STRING_FIELDS, ids=lambda x: getattr(x, "__name__", x))
def test_nul_and_lone_surrogates_are_rejected_in_string_fields(
    model: type[BaseModel], field: str, bad: str
) -> None:
    with pytest.raises(ValidationError):
        build(model, **{field: bad})


@pytest.mark.parametrize("bad", BAD_STRINGS, ids=["nul", "high-surrogate", "low-surrogate"])
@pytest.mark.parametrize(
    "changes",
    [
        {"metadata": {"{bad}": 1}},
        {"metadata": {"k": "{bad}"}},
        {"metadata": {"k": [1, {"deep": ["{bad}"]}]}},
        {"metadata": {"k": {"{bad}": None}}},
        {"external_bindings": {"{bad}": {"b": "e"}}},
        {"external_bindings": {"c": {"{bad}": "e"}}},
        {"external_bindings": {"c": {"b": "{bad}"}}},
    ],
)
def test_nul_and_lone_surrogates_are_rejected_in_maps(changes: dict[str, Any], bad: str) -> None:
    filled = json.loads(json.dumps(changes).replace("{bad}", "@@"))

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("@@", bad)
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {fill(k): fill(v) for k, v in value.items()}
        return value

    with pytest.raises(ValidationError):
        Room.model_validate({"type": "group", **fill(filled)})


@pytest.mark.parametrize("bad", BAD_STRINGS, ids=["nul", "high-surrogate", "low-surrogate"])
def test_nul_and_lone_surrogates_are_rejected_in_every_other_place(bad: str) -> None:
    attempts = [
        lambda: Participant(type="human", identity={"name": bad}),
        lambda: Participant(type="human", external_ids={bad: "x"}),
        lambda: Participant(type="human", external_ids={"c": bad}),
        lambda: Participant(type="human", capabilities=[bad]),
        lambda: Message(room_id="r", sender_id="s", role="user", reactions={bad: 1}),
        lambda: Message(room_id="r", sender_id="s", role="user", receipts={"r": bad}),
        lambda: Message(
            room_id="r", sender_id="s", role="user", content=[{"type": "text", "text": bad}]
        ),
        lambda: Message(room_id="r", sender_id="s", role="user", content=[{"type": bad}]),
        lambda: Message(room_id="r", sender_id="s", role="user", content=[{"type": "x", bad: 1}]),
        lambda: ToolUsePart(id="i", name="n", input={"q": [bad]}),
        lambda: ToolResultPart(tool_use_id="t", content={"k": bad}),
        lambda: BridgeConfig(adapter_module="m", opts={"a": bad}),
        lambda: BridgeConfig(adapter_module="m", capabilities={bad: True}),
        lambda: RoutingPolicy(room_id="r", fallback_order=[bad]),
        lambda: IngressSubscription(
            bridge_id="b", subscription_id="s", adapter_name="a", raw=[bad]
        ),
        lambda: ImagePart(alt_text=bad),
        lambda: FilePart(filename=bad),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError):
            attempt()


@pytest.mark.parametrize(
    "value", [INT64_MAX + 1, INT64_MIN - 1, 10**30, float("nan"), float("inf"), -float("inf")]
)
def test_out_of_range_numbers_are_rejected(value: Any) -> None:
    with pytest.raises(ValidationError):
        Room(type="group", metadata={"v": value})
    with pytest.raises(ValidationError):
        Room(type="group", metadata={"v": [{"w": value}]})
    with pytest.raises(ValidationError):
        IngressSubscription(bridge_id="b", subscription_id="s", adapter_name="a", raw=value)
    with pytest.raises(ValidationError):
        Message(room_id="r", sender_id="s", role="user", content=[{"type": "x", "v": value}])
    if isinstance(value, int):
        with pytest.raises(ValidationError):
            BridgeConfig(adapter_module="m", revision=value)
        with pytest.raises(ValidationError):
            ImagePart(width=value)
    else:
        with pytest.raises(ValidationError):
            AudioPart(duration=value)


@pytest.mark.parametrize("value", [object(), {1, 2}, (1, 2), b"bytes", {1: "int key"}])
def test_non_json_values_are_rejected(value: Any) -> None:
    with pytest.raises(ValidationError):
        Room(type="group", metadata={"v": value})


@pytest.mark.parametrize(("model", "field"), ID_FIELDS, ids=lambda x: getattr(x, "__name__", x))
def test_ints_are_not_ids(model: type[BaseModel], field: str) -> None:
    with pytest.raises(ValidationError):
        build(model, **{field: 123})


@pytest.mark.parametrize(("model", "field"), ID_FIELDS, ids=lambda x: getattr(x, "__name__", x))
def test_ids_hold_at_most_512_code_points(model: type[BaseModel], field: str) -> None:
    longest = "\u00e9" * 512
    assert getattr(build(model, **{field: longest}), field) == longest
    with pytest.raises(ValidationError):
        build(model, **{field: longest + "x"})


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (m, f)
        for m, f in ID_FIELDS
        if f in {"id", "room_id", "channel", "bridge_id", "subscription_id"}
    ],
    ids=lambda x: getattr(x, "__name__", x),
)
def test_ids_are_not_empty(model: type[BaseModel], field: str) -> None:
    with pytest.raises(ValidationError):
        build(model, **{field: ""})


def test_enum_fields_reject_unknown_values() -> None:
    with pytest.raises(ValidationError):
        Room(type="forum")
    with pytest.raises(ValidationError):
        Participant(type="human", presence="asleep")
    with pytest.raises(ValidationError):
        Message(room_id="r", sender_id="s", role="narrator")
    assert Room(type="group").type == "group"


def test_integer_fields_take_no_bools_or_floats() -> None:
    for attempt in (
        lambda: BridgeConfig(adapter_module="m", revision=True),
        lambda: RoutingPolicy(room_id="r", revision=1.0),
        lambda: ImagePart(width=False),
        lambda: FilePart(size=1.5),
        lambda: DeliveryPolicy(max_attempts=True),
    ):
        with pytest.raises(ValidationError):
            attempt()
    assert type(AudioPart(duration=2).duration) is float


BOOL_FIELDS: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (ToolResultPart, {"tool_use_id": "t"}, "is_error"),
    (
        RoomBinding,
        {"room_id": "r", "channel": "c", "bridge_id": "b", "external_room_id": "x"},
        "enabled",
    ),
    (BridgeConfig, {"adapter_module": "m"}, "enabled"),
]


@pytest.mark.parametrize(
    ("model", "base", "field"), BOOL_FIELDS, ids=lambda v: getattr(v, "__name__", "")
)
@pytest.mark.parametrize("value", [1, 0, "yes", "true", "off", 1.0, None])
def test_bool_fields_take_only_bools(
    model: type[BaseModel], base: dict[str, Any], field: str, value: object
) -> None:
    """Lax coercion would store ``"off"`` as False; a bool field holds what was written."""
    with pytest.raises(ValidationError) as caught:
        model(**base, **{field: value})
    assert field in str(caught.value)
    assert getattr(model(**base, **{field: True}), field) is True
    assert (
        getattr(model.model_validate_json(model(**base, **{field: False}).model_dump_json()), field)
        is False
    )


def test_delivery_policy_dead_letter_is_strict() -> None:
    with pytest.raises(ValidationError, match="dead_letter"):
        DeliveryPolicy(dead_letter="no")
    assert DeliveryPolicy(dead_letter=False).dead_letter is False


# --- contract 9.0: int external ids on model fields (issue 13) --------------------

EXTERNAL_ID_FIELDS = [
    (Message, {"room_id": "r", "sender_id": "s", "role": "user"}, "external_id"),
    (Message, {"room_id": "r", "sender_id": "s", "role": "user"}, "external_reply_to_id"),
    (Message, {"room_id": "r", "sender_id": "s", "role": "user"}, "external_thread_id"),
    (Thread, {"room_id": "r"}, "external_thread_id"),
    (Thread, {"room_id": "r"}, "root_external_message_id"),
    (
        RoomBinding,
        {"room_id": "r", "channel": "slack", "bridge_id": "b"},
        "external_room_id",
    ),
    (
        IngressSubscription,
        {"bridge_id": "b", "subscription_id": "s", "adapter_name": "a"},
        "external_id",
    ),
]


@pytest.mark.parametrize(("model", "required", "field"), EXTERNAL_ID_FIELDS)
@settings(max_examples=30)
@given(number=st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_int_external_ids_are_stored_as_decimal_strings(
    model: type[BaseModel], required: dict[str, object], field: str, number: int
) -> None:
    record = model.model_validate({**required, field: number})
    assert getattr(record, field) == str(number)
    assert record.model_dump() == model.model_validate(record.model_dump()).model_dump()


@pytest.mark.parametrize(("model", "required", "field"), EXTERNAL_ID_FIELDS)
@pytest.mark.parametrize("bad", [True, False, 2**63, -(2**63) - 1, 1.0])
def test_bools_floats_and_ints_beyond_64_bits_are_refused(
    model: type[BaseModel], required: dict[str, object], field: str, bad: object
) -> None:
    with pytest.raises(ValidationError):
        model.model_validate({**required, field: bad})


def test_participant_external_id_values_take_ints() -> None:
    person = Participant(type="human", external_ids={"slack": 42, "irc": "nick"})
    assert person.external_ids == {"slack": "42", "irc": "nick"}
    with pytest.raises(ValidationError):
        Participant(type="human", external_ids={"slack": True})


def test_other_id_fields_still_refuse_ints() -> None:
    with pytest.raises(ValidationError):
        Message(room_id=1, sender_id="s", role="user")
    with pytest.raises(ValidationError):
        RoomBinding(room_id="r", channel="slack", bridge_id=5, external_room_id="x")
