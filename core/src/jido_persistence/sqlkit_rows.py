"""Records to SQL row parameters, for adapters built on :mod:`jido_persistence.sqlkit`.

Each record is stored as one row whose ``doc`` column holds the record as pydantic
writes it (``model_dump_json()``, read back with ``model_validate_json``: exact,
type-preserving round trips, independent of any time zone), beside the columns SQL
searches, sorts and joins on.  Timestamps are integer microseconds since the Unix
epoch (``datetime.min`` and ``datetime.max`` fit in 64 bits, so a ``BIGINT`` column of
any SQL backend holds them); a message's ``inserted_at`` of ``None`` sorts as
:data:`NULL_SORT_US`, below every datetime: the contract's NULLS FIRST as a value, so
keyset comparisons need no NULL logic.  Each function says the order of the
parameters it returns; the statements of :class:`~jido_persistence.sqlkit.SqlStatements`
take them in that order.  Every function is O(size of the record).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, Final

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
    "NULL_SORT_US",
    "binding_row",
    "bridge_config_row",
    "epoch_us",
    "ingress_row",
    "message_row",
    "onboarding_doc",
    "onboarding_row",
    "participant_row",
    "room_row",
    "routing_policy_row",
    "thread_row",
]

Row = tuple[object, ...]

NULL_SORT_US: Final = -(2**63)
"""The sort key of a message whose ``inserted_at`` is ``None``: below every datetime."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def epoch_us(moment: datetime) -> int:
    """Microseconds from the Unix epoch to the aware datetime ``moment`` (exact)."""
    return (moment - _EPOCH) // _MICROSECOND


def room_row(room: Room) -> Row:
    """``(id, inserted_us, name_fold, doc)``; the fold is ``name_fold(name)``."""
    return (room.id, epoch_us(room.inserted_at), name_fold(room.name), room.model_dump_json())


def participant_row(participant: Participant) -> Row:
    """``(id, name_fold, doc)``; the fold is of ``identity["name"]``
    (:func:`jido_persistence.directory.name_fold`)."""
    name = name_fold(participant.identity.get("name"))
    return (participant.id, name, participant.model_dump_json())


def message_row(message: Message) -> Row:
    """``(id, room_id, thread_id, sort_us, key_channel, key_bridge_id, key_external_id, doc)``.

    The key columns are ``NULL`` for a message without an external id.  Raises
    InvalidArgument (before anything is written) when the message has an external id
    and malformed channel or bridge id metadata.
    """
    key = message_external_key(message)
    channel, bridge_id, external_id = key if key is not None else (None, None, None)
    inserted = message.inserted_at
    return (
        message.id,
        message.room_id,
        message.thread_id,
        NULL_SORT_US if inserted is None else epoch_us(inserted),
        channel,
        bridge_id,
        external_id,
        message.model_dump_json(),
    )


def thread_row(thread: Thread) -> Row:
    """``(id, room_id, inserted_us, external_thread_id, root_message_id, doc)``."""
    return (
        thread.id,
        thread.room_id,
        epoch_us(thread.inserted_at),
        thread.external_thread_id,
        thread.root_message_id,
        thread.model_dump_json(),
    )


def binding_row(binding: RoomBinding) -> Row:
    """``(id, room_id, channel, bridge_id, external_room_id, inserted_us, doc)``."""
    return (
        binding.id,
        binding.room_id,
        binding.channel,
        binding.bridge_id,
        binding.external_room_id,
        epoch_us(binding.inserted_at),
        binding.model_dump_json(),
    )


def bridge_config_row(config: BridgeConfig) -> Row:
    """``(id, enabled, doc)``; ``doc`` holds the credentials (the contract stores them)."""
    return (config.id, config.enabled, config.model_dump_json())


def routing_policy_row(policy: RoutingPolicy) -> Row:
    """``(room_id, doc)``."""
    return (policy.room_id, policy.model_dump_json())


def ingress_row(subscription: IngressSubscription) -> Row:
    """``(bridge_id, subscription_id, status, doc)``; ``status`` is the enum's value."""
    s = subscription
    return (s.bridge_id, s.subscription_id, s.status.value, s.model_dump_json())


def onboarding_doc(flow: dict[str, Any]) -> str:
    """The stored text of an onboarding flow (``json``: floats stay floats, ``1e16`` ->
    ``1e+16``; read back with ``json.loads``)."""
    return json.dumps(flow, ensure_ascii=False, allow_nan=False)


def onboarding_row(flow: dict[str, Any]) -> Row:
    """``(onboarding_id, doc)``."""
    return (flow["onboarding_id"], onboarding_doc(flow))
