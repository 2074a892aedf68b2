"""The callbacks of the stored records: onboarding flows, bridge configs, routing policies.

A mixin of :class:`~jido_persistence.adapter.PersistenceAdapter`: each public callback
is final and runs the guard; each hook is abstract.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any, final

from jido_persistence._guard import GuardedStore
from jido_persistence.models import (
    BridgeConfig,
    RoutingPolicy,
)


class RecordCallbacks(GuardedStore):
    """Onboarding flows, bridge configs and routing policies."""

    # --- onboarding ------------------------------------------------------------------

    @final
    def save_onboarding(self, flow: Mapping[str, Any]) -> dict[str, Any]:
        """Store a copy of the flow under ``flow["onboarding_id"]`` and return it.

        Raises InvalidArgument (not a mapping, not JSON), InvalidOnboardingId.
        """
        return self._guard("save_onboarding", self._save_onboarding, flow)

    @final
    def get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        """Return the flow.  Raises NotFound("onboarding", onboarding_id)."""
        return self._guard("get_onboarding", self._get_onboarding, onboarding_id)

    @abc.abstractmethod
    def _save_onboarding(self, flow: dict[str, Any]) -> dict[str, Any]:
        """Hook of :meth:`save_onboarding`; the flow checked."""

    @abc.abstractmethod
    def _get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        """Hook of :meth:`get_onboarding`."""

    # --- bridge configs --------------------------------------------------------------

    @final
    def save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        """Insert or replace the config by id and return it."""
        return self._guard("save_bridge_config", self._save_bridge_config, config)

    @final
    def get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        """Return the config.  Raises NotFound("bridge_config", bridge_config_id)."""
        return self._guard("get_bridge_config", self._get_bridge_config, bridge_config_id)

    @final
    def list_bridge_configs(self, *, enabled: bool | None = None) -> list[BridgeConfig]:
        """Every config sorted by id, only those with this ``enabled`` when not None."""
        return self._guard("list_bridge_configs", self._list_bridge_configs, enabled=enabled)

    @final
    def delete_bridge_config(self, bridge_config_id: str) -> None:
        """Delete the config.  Raises NotFound("bridge_config", bridge_config_id)."""
        self._guard("delete_bridge_config", self._delete_bridge_config, bridge_config_id)

    @abc.abstractmethod
    def _save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        """Hook of :meth:`save_bridge_config`."""

    @abc.abstractmethod
    def _get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        """Hook of :meth:`get_bridge_config`."""

    @abc.abstractmethod
    def _list_bridge_configs(self, *, enabled: bool | None) -> list[BridgeConfig]:
        """Hook of :meth:`list_bridge_configs`."""

    @abc.abstractmethod
    def _delete_bridge_config(self, bridge_config_id: str) -> None:
        """Hook of :meth:`delete_bridge_config`."""

    # --- routing policies ------------------------------------------------------------

    @final
    def save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        """Insert or replace the policy of ``policy.room_id`` and return it."""
        return self._guard("save_routing_policy", self._save_routing_policy, policy)

    @final
    def get_routing_policy(self, room_id: str) -> RoutingPolicy:
        """Return the room's policy.  Raises NotFound("routing_policy", room_id)."""
        return self._guard("get_routing_policy", self._get_routing_policy, room_id)

    @final
    def delete_routing_policy(self, room_id: str) -> None:
        """Delete the room's policy.  Raises NotFound("routing_policy", room_id)."""
        self._guard("delete_routing_policy", self._delete_routing_policy, room_id)

    @abc.abstractmethod
    def _save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        """Hook of :meth:`save_routing_policy`."""

    @abc.abstractmethod
    def _get_routing_policy(self, room_id: str) -> RoutingPolicy:
        """Hook of :meth:`get_routing_policy`."""

    @abc.abstractmethod
    def _delete_routing_policy(self, room_id: str) -> None:
        """Hook of :meth:`delete_routing_policy`."""
