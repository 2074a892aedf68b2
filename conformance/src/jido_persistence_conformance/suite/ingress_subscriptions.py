"""Ingress subscriptions: the optional trio, tested in full or checked to raise NotSupported."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import NotFound, NotSupported
from jido_persistence.models import IngressStatus, IngressSubscription
from jido_persistence_conformance import strategies
from jido_persistence_conformance._calls import INGRESS_CALLBACKS, VALID_CALLS
from jido_persistence_conformance._support import (
    canonical,
    capability,
    kit_settings,
    requires_ingress,
)

__all__ = ["IngressSubscriptionsTests"]


def _subscription(
    bridge: str, sub: str, status: IngressStatus = IngressStatus.ACTIVE
) -> IngressSubscription:
    return IngressSubscription(
        bridge_id=bridge,
        subscription_id=sub,
        adapter_name="slack",
        status=status,
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
    )


class IngressSubscriptionsTests:
    """The optional ingress-subscription callbacks (all three or none)."""

    @requires_ingress
    @kit_settings()
    @given(subscription=strategies.ingress_subscriptions())
    def test_ingress_subscription_round_trips_exactly(
        self, store: PersistenceAdapter, subscription: IngressSubscription
    ) -> None:
        """A saved subscription is listed back exactly under its bridge.

        Troubleshooting: ``external_id=None`` and ``raw`` JSON are kept.  Usual
        mistake: replacing an explicit ``None`` external id by the subscription id.
        """
        assert store.save_ingress_subscription(subscription) == subscription
        listed = {
            item.subscription_id: canonical(item)
            for item in store.list_ingress_subscriptions(subscription.bridge_id)
        }
        assert listed[subscription.subscription_id] == canonical(subscription)

    @requires_ingress
    def test_list_sorted_filtered_and_keyed(self, store: PersistenceAdapter) -> None:
        """Listing is per bridge, sorted by subscription_id, filtered by ``status``.

        Troubleshooting: the key is ``(bridge_id, subscription_id)``; ``status`` may be
        the enum or its string; bridge ids are normalised (``7`` is ``"7"``).  Usual
        mistakes: keying by subscription_id alone, or ignoring the status filter.
        """
        store.save_ingress_subscription(_subscription("7", "b"))
        store.save_ingress_subscription(_subscription("7", "a", IngressStatus.EXPIRED))
        store.save_ingress_subscription(_subscription("7", "B"))
        store.save_ingress_subscription(_subscription("8", "a"))
        replaced = _subscription("7", "b", IngressStatus.PENDING)
        store.save_ingress_subscription(replaced)
        assert [s.subscription_id for s in store.list_ingress_subscriptions(7)] == ["B", "a", "b"]
        assert [
            s.subscription_id for s in store.list_ingress_subscriptions("7", status="expired")
        ] == ["a"]
        pending = store.list_ingress_subscriptions("7", status=IngressStatus.PENDING)
        assert [canonical(s) for s in pending] == [canonical(replaced)]
        assert [s.subscription_id for s in store.list_ingress_subscriptions("8")] == ["a"]
        assert store.list_ingress_subscriptions("9") == []

    @requires_ingress
    def test_delete_ingress_subscription(self, store: PersistenceAdapter) -> None:
        """Delete removes one subscription; an unknown one raises NotFound with the key tuple.

        Troubleshooting: ``NotFound("ingress_subscription", (bridge_id, subscription_id))``.
        Usual mistake: deleting every subscription of the bridge.
        """
        store.save_ingress_subscription(_subscription("7", "a"))
        store.save_ingress_subscription(_subscription("7", "b"))
        store.delete_ingress_subscription(7, "a")
        assert [s.subscription_id for s in store.list_ingress_subscriptions("7")] == ["b"]
        with pytest.raises(NotFound) as caught:
            store.delete_ingress_subscription("7", "a")
        assert (caught.value.entity, caught.value.key) == ("ingress_subscription", ("7", "a"))
        with pytest.raises(NotFound) as caught:
            store.delete_ingress_subscription(7, "a")
        assert caught.value.key == (7, "a"), "NotFound.key is the arguments as given"

    @capability("ingress_subscriptions", False)
    def test_missing_trio_raises_not_supported(self, store: PersistenceAdapter) -> None:
        """Without the optional trio, each of the three callbacks raises NotSupported.

        Troubleshooting: do not define any of the three (the base class's defaults
        raise NotSupported naming the callback).  Usual mistake: defining stubs that
        return ``[]`` or ``None``, which also makes ``capabilities`` claim support.
        """
        for name in sorted(INGRESS_CALLBACKS):
            with pytest.raises(NotSupported) as caught:
                VALID_CALLS[name](store)
            assert caught.value.callback == name
