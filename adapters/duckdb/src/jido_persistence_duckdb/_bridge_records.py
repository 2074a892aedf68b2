"""The DuckDB adapter's bridge-side records: onboarding, configs, policies, ingress.

A mixin of :class:`~jido_persistence_duckdb.DuckDBAdapter`.  Each record is one row
keyed by its id (an ingress subscription by ``(bridge_id, subscription_id)``); a save
is a key read and one write (:mod:`._writes`), a delete one ``DELETE ... RETURNING``
that says whether there was a row to delete.
"""

from __future__ import annotations

import json
from typing import Any

from jido_persistence.errors import NotFound
from jido_persistence.models import BridgeConfig, IngressStatus, IngressSubscription, RoutingPolicy
from jido_persistence_duckdb import _statements as sql
from jido_persistence_duckdb._base import DuckDBBase
from jido_persistence_duckdb._rows import json_text
from jido_persistence_duckdb._statements import lookup_key
from jido_persistence_duckdb._tables import BRIDGE_CONFIGS, INGRESS, ROUTING_POLICIES
from jido_persistence_duckdb._writes import put_row

__all__ = ["DuckDBBridgeRecords"]


class DuckDBBridgeRecords(DuckDBBase):
    """Onboarding flows, bridge configs, routing policies and ingress subscriptions."""

    # --- onboarding ------------------------------------------------------------------

    def _save_onboarding(self, flow: dict[str, Any]) -> dict[str, Any]:
        key = flow["onboarding_id"]
        statements = (sql.INSERT_ONBOARDING, sql.PUT_ONBOARDING)
        params = [key, json_text(dict(flow))]
        with self._db.entered():
            self._db.locked(
                lambda cursor: put_row(cursor, sql.ONBOARDING_EXISTS, key, statements, params)
            )
        return dict(flow)

    def _get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        row = self._one(sql.GET_ONBOARDING, [onboarding_id])
        if row is None:
            raise NotFound("onboarding", onboarding_id)
        flow: dict[str, Any] = json.loads(row[0])
        return flow

    # --- bridge configs --------------------------------------------------------------

    def _save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        self._put(BRIDGE_CONFIGS, config.id, BRIDGE_CONFIGS.params(config))
        return config

    def _get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        row = self._one(sql.GET_BRIDGE_CONFIG, [bridge_config_id])
        if row is None:
            raise NotFound("bridge_config", bridge_config_id)
        return BRIDGE_CONFIGS.to_model(row)

    def _list_bridge_configs(self, *, enabled: bool | None) -> list[BridgeConfig]:
        if enabled is None:
            rows = self._all(sql.LIST_BRIDGE_CONFIGS, [])
        else:
            rows = self._all(sql.LIST_BRIDGE_CONFIGS_ENABLED, [enabled])
        return [BRIDGE_CONFIGS.to_model(row) for row in rows]

    def _delete_bridge_config(self, bridge_config_id: str) -> None:
        if not self._deleted(sql.DELETE_BRIDGE_CONFIG, [bridge_config_id]):
            raise NotFound("bridge_config", bridge_config_id)

    # --- routing policies ------------------------------------------------------------

    def _save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        self._put(ROUTING_POLICIES, policy.room_id, ROUTING_POLICIES.params(policy))
        return policy

    def _get_routing_policy(self, room_id: str) -> RoutingPolicy:
        row = self._one(sql.GET_ROUTING_POLICY, [room_id])
        if row is None:
            raise NotFound("routing_policy", room_id)
        return ROUTING_POLICIES.to_model(row)

    def _delete_routing_policy(self, room_id: str) -> None:
        if not self._deleted(sql.DELETE_ROUTING_POLICY, [room_id]):
            raise NotFound("routing_policy", room_id)

    # --- ingress subscriptions -------------------------------------------------------

    def _save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        key = lookup_key(subscription.bridge_id, subscription.subscription_id)
        self._put(INGRESS, key, [*INGRESS.params(subscription), key])
        return subscription

    def _list_ingress_subscriptions(
        self, bridge_id: str, *, status: IngressStatus | None
    ) -> list[IngressSubscription]:
        if status is None:
            rows = self._all(sql.LIST_INGRESS, [bridge_id])
        else:
            rows = self._all(sql.LIST_INGRESS_STATUS, [bridge_id, status.value])
        return [INGRESS.to_model(row) for row in rows]

    def _delete_ingress_subscription(self, bridge_id: str, subscription_id: str) -> None:
        key = (bridge_id, subscription_id)
        if not self._deleted(sql.DELETE_INGRESS, [lookup_key(*key)]):
            raise NotFound("ingress_subscription", key)
