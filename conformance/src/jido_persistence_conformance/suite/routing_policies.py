"""Routing policies: keyed by room id; round trips and NotFound deletes (contract 4)."""

from __future__ import annotations

import pytest
from hypothesis import given

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import NotFound
from jido_persistence.models import DeliveryMode, RoutingPolicy
from jido_persistence_conformance import strategies
from jido_persistence_conformance._support import canonical, kit_settings

__all__ = ["RoutingPoliciesTests"]


class RoutingPoliciesTests:
    """Routing policies, one per room."""

    @kit_settings()
    @given(policy=strategies.routing_policies())
    def test_routing_policy_round_trips_exactly(
        self, store: PersistenceAdapter, policy: RoutingPolicy
    ) -> None:
        """``save_routing_policy`` returns its argument; ``get_routing_policy(room_id)`` too.

        Troubleshooting: ``fallback_order`` keeps its order.  Usual mistake: storing
        it as a set or sorted.
        """
        assert store.save_routing_policy(policy) == policy
        assert canonical(store.get_routing_policy(policy.room_id)) == canonical(policy)

    def test_routing_policy_replace_and_delete(self, store: PersistenceAdapter) -> None:
        """Saves replace by room id; delete removes; unknown raises NotFound("routing_policy").

        Troubleshooting: ``delete_routing_policy`` is not idempotent.  Usual mistake:
        keying policies by a generated id, so a second save adds a second policy.
        """
        store.save_routing_policy(RoutingPolicy(room_id="room:1", revision=1))
        newer = RoutingPolicy(room_id="room:1", delivery_mode=DeliveryMode.BROADCAST, revision=2)
        store.save_routing_policy(newer)
        assert canonical(store.get_routing_policy("room:1")) == canonical(newer)
        assert store.delete_routing_policy("room:1") is None
        for call in (store.get_routing_policy, store.delete_routing_policy):
            with pytest.raises(NotFound) as caught:
                call("room:1")
            assert (caught.value.entity, caught.value.key) == ("routing_policy", "room:1")
