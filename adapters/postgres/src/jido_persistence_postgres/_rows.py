"""Records to row parameters and back.

A row's ``doc`` is the record as pydantic writes it (``model_dump_json``) and is read
back with ``model_validate_json``: the exact round trip the models promise, datetimes
included (``datetime.min``/``max``, always UTC), and no dependence on the session time
zone.  The other columns are projections of the record that SQL searches and sorts.
"""

from __future__ import annotations

import json
from typing import Any

from jido_persistence.directory import name_fold
from jido_persistence.models import (
    BridgeConfig,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
from jido_persistence.validation import message_external_key

__all__ = [
    "binding_row",
    "bridge_config_row",
    "ingress_row",
    "message_row",
    "onboarding_row",
    "participant_row",
    "room_row",
    "routing_policy_row",
    "thread_row",
]


def room_row(room: Room) -> tuple[object, ...]:
    """``(id, inserted_at, name_fold, doc)``."""
    return (room.id, room.inserted_at, name_fold(room.name), room.model_dump_json())


def participant_row(participant: Participant) -> tuple[object, ...]:
    """``(id, name_fold, doc)``."""
    name = participant.identity.get("name")
    return (participant.id, name_fold(name), participant.model_dump_json())


def message_row(message: Message) -> tuple[object, ...]:
    """``(id, room_id, thread_id, inserted_at, key_channel, key_bridge_id, key_external_id, doc)``.

    Raises InvalidArgument (before anything is written) when the message has an
    external id and malformed channel or bridge id metadata.
    """
    key = message_external_key(message)
    channel, bridge_id, external_id = key if key is not None else (None, None, None)
    return (
        message.id,
        message.room_id,
        message.thread_id,
        message.inserted_at,
        channel,
        bridge_id,
        external_id,
        message.model_dump_json(),
    )


def thread_row(thread: Thread) -> tuple[object, ...]:
    """``(id, room_id, inserted_at, external_thread_id, root_message_id, doc)``."""
    return (
        thread.id,
        thread.room_id,
        thread.inserted_at,
        thread.external_thread_id,
        thread.root_message_id,
        thread.model_dump_json(),
    )


def binding_row(binding: RoomBinding) -> tuple[object, ...]:
    """``(id, room_id, channel, bridge_id, external_room_id, inserted_at, doc)``."""
    return (
        binding.id,
        binding.room_id,
        binding.channel,
        binding.bridge_id,
        binding.external_room_id,
        binding.inserted_at,
        binding.model_dump_json(),
    )


def bridge_config_row(config: BridgeConfig) -> tuple[object, ...]:
    """``(id, enabled, doc)``; ``doc`` holds the credentials, which only ``repr`` hides."""
    return (config.id, config.enabled, config.model_dump_json())


def routing_policy_row(policy: RoutingPolicy) -> tuple[object, ...]:
    """``(room_id, doc)``."""
    return (policy.room_id, policy.model_dump_json())


def ingress_row(subscription: IngressSubscription) -> tuple[object, ...]:
    """``(bridge_id, subscription_id, status, doc)``."""
    return (
        subscription.bridge_id,
        subscription.subscription_id,
        subscription.status.value,
        subscription.model_dump_json(),
    )


def onboarding_row(flow: dict[str, Any]) -> tuple[object, ...]:
    """``(onboarding_id, doc)``; Python's ``json`` writes ``1e16`` as a float literal."""
    return (flow["onboarding_id"], json.dumps(flow, ensure_ascii=False, allow_nan=False))
