"""Onboarding flows, bridge configs, routing policies and ingress subscriptions in memory."""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jido_persistence.errors import InvalidArgument, NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import (
    BridgeConfig,
    IngressStatus,
    IngressSubscription,
    RoutingPolicy,
    new_onboarding_id,
)

storable_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e16, -0.0, 1.0])
    | storable_text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(storable_text, inner, max_size=3),
    max_leaves=10,
)


# --- onboarding -----------------------------------------------------------------------------


@settings(max_examples=60)
@given(extra=st.dictionaries(st.sampled_from(["a", "b", "steps", "é"]), json_values, max_size=4))
def test_flows_round_trip_type_exactly(extra: dict[str, Any]) -> None:
    store = MemoryAdapter()
    flow = {"onboarding_id": new_onboarding_id(), **extra}
    returned = store.save_onboarding(flow)
    assert returned == flow
    fetched = store.get_onboarding(flow["onboarding_id"])
    assert json.dumps(fetched, sort_keys=True) == json.dumps(flow, sort_keys=True)


def test_the_store_keeps_its_own_copy(store: MemoryAdapter) -> None:
    flow: dict[str, Any] = {"onboarding_id": "o", "steps": [{"done": False}], "n": 1e16}
    returned = store.save_onboarding(flow)
    flow["steps"][0]["done"] = True
    flow["new"] = 1
    returned["steps"].append("x")
    returned["n"] = 0
    fetched = store.get_onboarding("o")
    assert fetched == {"onboarding_id": "o", "steps": [{"done": False}], "n": 1e16}
    fetched["steps"].clear()
    assert store.get_onboarding("o")["steps"] == [{"done": False}]


def test_flows_are_replaced_by_onboarding_id(store: MemoryAdapter) -> None:
    store.save_onboarding({"onboarding_id": "o", "step": 1})
    store.save_onboarding(MappingProxyType({"onboarding_id": "o", "step": 2}))
    assert store.get_onboarding("o") == {"onboarding_id": "o", "step": 2}
    with pytest.raises(NotFound) as caught:
        store.get_onboarding("other")
    assert (caught.value.entity, caught.value.key) == ("onboarding", "other")


# --- bridge configs ----------------------------------------------------------------------------


def test_bridge_configs(store: MemoryAdapter) -> None:
    configs = [
        BridgeConfig(id="b2", adapter_module="m", enabled=False),
        BridgeConfig(id="b1", adapter_module="m", credentials={"token": "t"}),
        BridgeConfig(id="B3", adapter_module="m"),
    ]
    for config in configs:
        assert store.save_bridge_config(config) == config
    assert store.get_bridge_config("b1") == configs[1]
    assert [c.id for c in store.list_bridge_configs()] == ["B3", "b1", "b2"]
    assert [c.id for c in store.list_bridge_configs(enabled=True)] == ["B3", "b1"]
    assert [c.id for c in store.list_bridge_configs(enabled=False)] == ["b2"]
    replaced = configs[0].model_copy(update={"enabled": True, "revision": 1})
    store.save_bridge_config(replaced)
    assert store.list_bridge_configs(enabled=False) == []
    store.delete_bridge_config("b2")
    for call in (
        lambda: store.get_bridge_config("b2"),
        lambda: store.delete_bridge_config("b2"),
    ):
        with pytest.raises(NotFound) as caught:
            call()
        assert (caught.value.entity, caught.value.key) == ("bridge_config", "b2")
    for bad in (1, "true", 0):
        with pytest.raises(InvalidArgument):
            store.list_bridge_configs(enabled=bad)


# --- routing policies ----------------------------------------------------------------------------


def test_routing_policies_are_keyed_by_room(store: MemoryAdapter) -> None:
    policy = RoutingPolicy(room_id="r", delivery_mode="broadcast", fallback_order=["a"])
    assert store.save_routing_policy(policy) == policy
    assert store.get_routing_policy("r") == policy
    replaced = RoutingPolicy(room_id="r", revision=2)
    store.save_routing_policy(replaced)
    assert store.get_routing_policy("r") == replaced
    store.delete_routing_policy("r")
    for call in (lambda: store.get_routing_policy("r"), lambda: store.delete_routing_policy("r")):
        with pytest.raises(NotFound) as caught:
            call()
        assert (caught.value.entity, caught.value.key) == ("routing_policy", "r")


# --- ingress subscriptions --------------------------------------------------------------------


def subscription(
    bridge_id: str, subscription_id: str, status: str = "active"
) -> IngressSubscription:
    return IngressSubscription(
        bridge_id=bridge_id, subscription_id=subscription_id, adapter_name="a", status=status
    )


def test_ingress_subscriptions(store: MemoryAdapter) -> None:
    saved = [
        subscription("b", "s2"),
        subscription("b", "s1", "pending"),
        subscription("b", "S3", "pending"),
        subscription("other", "s1"),
        subscription("5", "s9"),
    ]
    for item in saved:
        assert store.save_ingress_subscription(item) == item
    assert [s.subscription_id for s in store.list_ingress_subscriptions("b")] == ["S3", "s1", "s2"]
    for status in ("pending", IngressStatus.PENDING):
        pending = store.list_ingress_subscriptions("b", status=status)
        assert [s.subscription_id for s in pending] == ["S3", "s1"]
    assert store.list_ingress_subscriptions("b", status="expired") == []
    assert store.list_ingress_subscriptions("nobody") == []
    assert [s.subscription_id for s in store.list_ingress_subscriptions(5)] == ["s9"]


def test_ingress_subscriptions_are_keyed_by_bridge_and_subscription(store: MemoryAdapter) -> None:
    store.save_ingress_subscription(subscription("b", "s"))
    store.save_ingress_subscription(subscription("c", "s"))
    replaced = subscription("b", "s", "disabled")
    store.save_ingress_subscription(replaced)
    assert store.list_ingress_subscriptions("b") == [replaced]
    assert store.list_ingress_subscriptions("c") == [subscription("c", "s")]
    store.delete_ingress_subscription("b", "s")
    assert store.list_ingress_subscriptions("b") == []
    assert len(store.list_ingress_subscriptions("c")) == 1
    with pytest.raises(NotFound) as caught:
        store.delete_ingress_subscription("b", "s")
    assert (caught.value.entity, caught.value.key) == ("ingress_subscription", ("b", "s"))


def test_ingress_bridge_id_ints_are_normalised(store: MemoryAdapter) -> None:
    store.save_ingress_subscription(subscription("7", "s"))
    assert len(store.list_ingress_subscriptions(7)) == 1
    store.delete_ingress_subscription(7, "s")
    assert store.list_ingress_subscriptions("7") == []


@pytest.mark.parametrize("status", ["ACTIVE", "gone", "", 3, True, ["active"]])
def test_bad_status_filters(store: MemoryAdapter, status: Any) -> None:
    with pytest.raises(InvalidArgument):
        store.list_ingress_subscriptions("b", status=status)
