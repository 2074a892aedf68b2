"""The kit's hypothesis strategies generate valid, exactly round-tripping values.

Every model strategy must give records that validate, survive
``model_dump(mode="json")`` / ``model_validate`` type-exactly, and come back unchanged
from the reference adapter; every ``bad_*`` strategy must give arguments the
callbacks refuse with the documented error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from jido_persistence import errors, normalize_external_id
from jido_persistence._text import json_problem, text_problem
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import (
    BridgeConfig,
    CustomPart,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
from jido_persistence_conformance import strategies as kit

FAST = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def canonical(model: BaseModel) -> str:
    """Type-exact form: ``1``, ``1.0`` and ``True`` differ here, unlike with ``==``."""
    return json.dumps(model.model_dump(mode="json"), sort_keys=True)


def assert_round_trips(model: BaseModel) -> None:
    """The model survives JSON serialisation exactly."""
    data = json.loads(json.dumps(model.model_dump(mode="json")))
    again = type(model).model_validate(data)
    assert again == model
    assert canonical(again) == canonical(model)


READ_BACK: dict[str, tuple[Callable[[], Any], str, Callable[[Any], tuple[Any, ...]]]] = {
    "rooms": (kit.rooms, "room", lambda r: (r.id,)),
    "participants": (kit.participants, "participant", lambda p: (p.id,)),
    "messages": (kit.messages, "message", lambda m: (m.id,)),
    "threads": (kit.threads, "thread", lambda t: (t.id,)),
    "bridge_configs": (kit.bridge_configs, "bridge_config", lambda c: (c.id,)),
    "routing_policies": (kit.routing_policies, "routing_policy", lambda p: (p.room_id,)),
}


@pytest.mark.parametrize("name", sorted(READ_BACK))
def test_model_strategies_round_trip_through_json_and_the_reference(name: str) -> None:
    """Each record strategy's values validate, round-trip as JSON and read back exactly."""
    strategy, entity, key = READ_BACK[name]

    @FAST
    @given(record=strategy())
    def check(record: BaseModel) -> None:
        assert_round_trips(record)
        with MemoryAdapter() as store:
            getattr(store, f"save_{entity}")(record)
            back = getattr(store, f"get_{entity}")(*key(record))
        assert canonical(back) == canonical(record)

    check()


@FAST
@given(binding=kit.room_bindings())
def test_room_binding_strategy_round_trips_through_json(binding: RoomBinding) -> None:
    """RoomBinding records validate and round-trip (the adapter builds its own)."""
    assert_round_trips(binding)


@FAST
@given(subscription=kit.ingress_subscriptions())
def test_ingress_subscription_strategy_round_trips(subscription: IngressSubscription) -> None:
    """Ingress subscriptions round-trip as JSON and through the reference's listing."""
    assert_round_trips(subscription)
    with MemoryAdapter() as store:
        store.save_ingress_subscription(subscription)
        listed = store.list_ingress_subscriptions(subscription.bridge_id)
    assert [canonical(s) for s in listed] == [canonical(subscription)]


@FAST
@given(flow=kit.onboarding_flows())
def test_onboarding_flow_strategy_is_stored_verbatim(flow: dict[str, Any]) -> None:
    """Flows hold JSON only and come back type-exactly."""
    assert json_problem(flow) is None
    with MemoryAdapter() as store:
        store.save_onboarding(flow)
        back = store.get_onboarding(flow["onboarding_id"])
    assert json.dumps(back, sort_keys=True) == json.dumps(flow, sort_keys=True)


@settings(max_examples=80, deadline=None)
@given(part=kit.content_parts())
def test_content_parts_validate_as_their_own_type(part: Any) -> None:
    """A part dumped to JSON validates back to the same class (never a fallback)."""
    message = Message(room_id="r", sender_id="s", role="user", content=[part])
    again = Message.model_validate(json.loads(json.dumps(message.model_dump(mode="json"))))
    assert type(again.content[0]) is type(part)
    assert canonical(again) == canonical(message)


def test_content_parts_cover_every_type() -> None:
    """All seven known part types and CustomPart are generated."""
    seen: set[str] = set()

    @settings(max_examples=300, deadline=None, database=None)
    @given(part=kit.content_parts())
    def collect(part: Any) -> None:
        seen.add("custom" if isinstance(part, CustomPart) else part.type)

    collect()
    assert seen == {"text", "image", "audio", "video", "file", "tool_use", "tool_result", "custom"}


@settings(max_examples=200, deadline=None)
@given(value=kit.json_values())
def test_json_values_are_storable_and_round_trip_type_exactly(value: Any) -> None:
    """JSON values pass the contract's JSON check and survive a dumps/loads."""
    assert json_problem(value) is None
    assert json.dumps(json.loads(json.dumps(value)), sort_keys=True) == json.dumps(
        value, sort_keys=True
    )


@settings(max_examples=200, deadline=None)
@given(text=kit.difficult_text())
def test_difficult_text_never_holds_nul_or_a_lone_surrogate(text: str) -> None:
    """Difficult text is always storable (the models reject NUL and surrogates)."""
    assert text_problem(text) is None
    Room(type="group", name=text)


@settings(max_examples=200, deadline=None)
@given(value=kit.ids())
def test_ids_are_valid_keys(value: str) -> None:
    """Ids are non-empty, storable and at most 512 code points."""
    assert 1 <= len(value) <= 512
    assert text_problem(value) is None
    assert Room(id=value, type="group").id == value


@settings(max_examples=200, deadline=None)
@given(value=kit.external_ids())
def test_external_ids_normalise_to_valid_keys(value: str | int) -> None:
    """External ids are str or int (never bool) and normalise to a key string."""
    assert not isinstance(value, bool)
    assert normalize_external_id(value) == str(value)


@settings(max_examples=200, deadline=None)
@given(when=kit.edge_datetimes())
def test_edge_datetimes_normalise_to_utc_and_round_trip(when: Any) -> None:
    """Every edge datetime is aware, normalises to UTC and round-trips in a model."""
    room = Room(type="group", inserted_at=when)
    assert room.inserted_at.tzinfo is UTC
    assert room.inserted_at == when
    assert_round_trips(room)


def test_traps_are_generated() -> None:
    """The documented traps actually occur: 1e16, -0.0, int64 limits, casefold traps."""
    floats: set[str] = set()
    ints: set[int] = set()
    texts: set[str] = set()

    @settings(max_examples=400, deadline=None, database=None)
    @given(value=kit.json_values(), text=kit.difficult_text())
    def collect(value: Any, text: str) -> None:
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, float):
                floats.add(repr(item))
            elif isinstance(item, int) and not isinstance(item, bool):
                ints.add(item)
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                stack.extend(item.values())
        texts.add(text)

    collect()
    assert {"1e+16", "-0.0"} <= floats
    assert {2**63 - 1, -(2**63)} <= ints
    assert any("ß" in t or "ẞ" in t or "İ" in t for t in texts)
    assert any("%" in t for t in texts)


MODEL_CLASSES = (BridgeConfig, Participant, RoutingPolicy, Thread)


BAD_ARGUMENT_CALLS: dict[str, tuple[Callable[[], Any], Callable[[MemoryAdapter, Any], Any]]] = {
    "bad_ids": (kit.bad_ids, lambda store, value: store.get_room(value)),
    "bad_channels": (
        kit.bad_channels,
        lambda store, value: store.get_room_by_external_binding(value, "1", "x"),
    ),
    "bad_external_ids": (
        kit.bad_external_ids,
        lambda store, value: store.get_message_by_external_id("slack", "1", value),
    ),
    "bad_limits": (kit.bad_limits, lambda store, value: store.list_rooms(limit=value)),
    "bad_cursors": (kit.bad_cursors, lambda store, value: store.get_messages("r", before=value)),
    "bad_directory_targets": (
        kit.bad_directory_targets,
        lambda store, value: store.directory_search(value, {}),
    ),
    "bad_directory_queries": (
        kit.bad_directory_queries,
        lambda store, value: store.directory_search("room", value),
    ),
    "bad_enabled_filters": (
        kit.bad_enabled_filters,
        lambda store, value: store.list_bridge_configs(enabled=value),
    ),
    "bad_ingress_statuses": (
        kit.bad_ingress_statuses,
        lambda store, value: store.list_ingress_subscriptions("1", status=value),
    ),
    "bad_attrs": (
        kit.bad_attrs,
        lambda store, value: store.get_or_create_room_by_external_binding("s", "1", "x", value),
    ),
    "bad_binding_attrs": (
        kit.bad_binding_attrs,
        lambda store, value: store.create_room_binding("r", "s", "1", "x", value),
    ),
    "bad_models": (kit.bad_models, lambda store, value: store.save_room(value)),
}

EXPECTED_ERROR = {
    "bad_cursors": errors.InvalidCursor,
    "bad_limits": errors.InvalidLimit,
    "bad_directory_targets": errors.InvalidDirectoryTarget,
}


@pytest.mark.parametrize("name", sorted(BAD_ARGUMENT_CALLS))
def test_bad_argument_strategies_are_refused(name: str) -> None:
    """Every value of a ``bad_*`` strategy raises the documented InvalidArgument."""
    strategy, call = BAD_ARGUMENT_CALLS[name]
    expected = EXPECTED_ERROR.get(name, errors.InvalidArgument)

    @settings(max_examples=40, deadline=None, database=None)
    @given(value=strategy())
    def check(value: Any) -> None:
        with MemoryAdapter() as store, pytest.raises(expected):
            call(store, value)

    check()


@settings(max_examples=40, deadline=None, database=None)
@given(case=kit.bad_onboarding_flows())
def test_bad_onboarding_flows_raise_the_named_error(case: tuple[Any, str]) -> None:
    """Each bad flow raises exactly the error class it is paired with."""
    flow, error_name = case
    with MemoryAdapter() as store, pytest.raises(errors.InvalidArgument) as raised:
        store.save_onboarding(flow)
    assert type(raised.value).__name__ == error_name


@pytest.mark.parametrize("model", MODEL_CLASSES, ids=lambda m: m.__name__)
def test_strategies_accept_pools(model: type[BaseModel]) -> None:
    """Passing id pools restricts the ids to the pool (collisions are what the pools are for)."""
    pools: dict[type[BaseModel], Callable[[], st.SearchStrategy[Any]]] = {
        BridgeConfig: lambda: kit.bridge_configs(config_ids=["c1", "c2"]),
        Participant: lambda: kit.participants(participant_ids=["p1", "p2"]),
        RoutingPolicy: lambda: kit.routing_policies(room_ids=["c1", "c2"]),
        Thread: lambda: kit.threads(thread_ids=["c1", "c2"], room_ids=["r"]),
    }

    @settings(max_examples=20, deadline=None, database=None)
    @given(record=pools[model]())
    def check(record: Any) -> None:
        assert record.id in {"c1", "c2", "p1", "p2"}

    check()
