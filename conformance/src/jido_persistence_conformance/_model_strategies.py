"""Strategies for every record of the contract, one per model, plus onboarding flows.

Each takes optional id pools (a sequence or a strategy) so a test can make
collisions (same room, thread, key, timestamp) likely.  Re-exported by
:mod:`jido_persistence_conformance.strategies`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from jido_persistence.models import (
    BindingDirection,
    BridgeConfig,
    DedupeScope,
    DeliveryMode,
    DeliveryPolicy,
    FailoverPolicy,
    IngressStatus,
    IngressSubscription,
    Message,
    MessageRole,
    MessageStatus,
    Participant,
    ParticipantType,
    Presence,
    Room,
    RoomBinding,
    RoomType,
    RoutingPolicy,
    Thread,
    ThreadStatus,
)
from jido_persistence_conformance._part_strategies import content_parts
from jido_persistence_conformance._strategy_support import _optional, _short_repr
from jido_persistence_conformance._text_strategies import (
    _keys,
    _short_text,
    difficult_text,
    edge_datetimes,
    ids,
    int64s,
    json_objects,
    json_values,
)


def _id_strategy(values: Sequence[str] | st.SearchStrategy[str] | None) -> st.SearchStrategy[str]:
    if values is None:
        return ids()
    if isinstance(values, st.SearchStrategy):
        return values
    return st.sampled_from(list(values))


@_short_repr
def rooms(
    *, room_ids: Sequence[str] | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[Room]:
    """``Room`` records with explicit ids and edge timestamps.

    Traps: difficult and casefold-trap names (or ``None``), nested
    ``external_bindings`` (informational: never a binding key), type-exact metadata,
    ``datetime.min``/``max`` and non-UTC ``inserted_at``.
    """
    return st.builds(
        Room,
        id=_id_strategy(room_ids),
        type=st.sampled_from(RoomType),
        name=_optional(difficult_text(max_size=30)),
        external_bindings=st.dictionaries(
            _keys(), st.dictionaries(_keys(), _keys(), max_size=2), max_size=2
        ),
        metadata=json_objects(),
        inserted_at=edge_datetimes(),
    )


@_short_repr
def participants(
    *, participant_ids: Sequence[str] | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[Participant]:
    """``Participant`` records; ``identity["name"]`` is often a difficult string.

    Traps: names that are not strings (never match a name filter), casefold traps,
    ``external_ids`` that are informational only, empty capability lists.
    """
    name = st.one_of(difficult_text(max_size=30), json_values(max_leaves=2))
    identity = st.builds(
        lambda base, n, with_name: {**base, "name": n} if with_name else base,
        json_objects(max_size=2),
        name,
        st.booleans(),
    )
    return st.builds(
        Participant,
        id=_id_strategy(participant_ids),
        type=st.sampled_from(ParticipantType),
        identity=identity,
        external_ids=st.dictionaries(_keys(), _keys(), max_size=2),
        presence=st.sampled_from(Presence),
        capabilities=st.lists(_short_text(), max_size=3),
        metadata=json_objects(),
    )


def _message_metadata(
    channels: st.SearchStrategy[str], bridge_ids: st.SearchStrategy[str | int]
) -> st.SearchStrategy[dict[str, Any]]:
    def combine(
        base: dict[str, Any], channel: str | None, bridge: str | int | None
    ) -> dict[str, Any]:
        out = {k: v for k, v in base.items() if k not in ("channel", "bridge_id")}
        if channel is not None:
            out["channel"] = channel
        if bridge is not None:
            out["bridge_id"] = bridge
        return out

    return st.builds(combine, json_objects(max_size=2), _optional(channels), _optional(bridge_ids))


@_short_repr
def messages(
    *,
    room_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    message_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    thread_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    channels: Sequence[str] | st.SearchStrategy[str] | None = None,
    bridge_ids: Sequence[str | int] | st.SearchStrategy[str | int] | None = None,
    external_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    timestamps: Sequence[datetime | None] | st.SearchStrategy[datetime | None] | None = None,
) -> st.SearchStrategy[Message]:
    """``Message`` records with explicit ids and timestamps (``None`` included).

    Traps: ``None`` ``inserted_at`` (sorts before every datetime), equal timestamps
    (ties broken by id in code-point order), an external-id key whose
    ``metadata["bridge_id"]`` is an ``int`` (normalised to its decimal string), a key
    missing its channel or bridge id (no key at all), every content part type.
    Pass small pools to make collisions (same room, thread, key, timestamp) likely.
    """
    ts: st.SearchStrategy[datetime | None]
    if timestamps is None:
        ts = _optional(edge_datetimes())
    elif isinstance(timestamps, st.SearchStrategy):
        ts = timestamps
    else:
        ts = st.sampled_from(list(timestamps))
    channel_s = _id_strategy(channels) if channels is not None else _keys()
    bridge_s: st.SearchStrategy[str | int]
    if bridge_ids is None:
        bridge_s = st.one_of(_keys(), int64s())
    elif isinstance(bridge_ids, st.SearchStrategy):
        bridge_s = bridge_ids
    else:
        bridge_s = st.sampled_from(list(bridge_ids))
    return st.builds(
        Message,
        id=_id_strategy(message_ids),
        room_id=_id_strategy(room_ids),
        sender_id=_keys(),
        role=st.sampled_from(MessageRole),
        content=st.lists(content_parts(), max_size=3),
        reply_to_id=_optional(_keys()),
        external_id=_optional(_id_strategy(external_ids) if external_ids is not None else _keys()),
        external_reply_to_id=_optional(_keys()),
        thread_id=_optional(_id_strategy(thread_ids)),
        external_thread_id=_optional(_keys()),
        delivery_external_room_id=_optional(_keys()),
        status=st.sampled_from(MessageStatus),
        reactions=json_objects(max_size=2),
        receipts=json_objects(max_size=2),
        metadata=_message_metadata(channel_s, bridge_s),
        inserted_at=ts,
        updated_at=ts,
    )


@_short_repr
def threads(
    *,
    room_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    thread_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    external_thread_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    root_message_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    timestamps: Sequence[datetime] | st.SearchStrategy[datetime] | None = None,
) -> st.SearchStrategy[Thread]:
    """``Thread`` records; per-room keys (external thread id, root message) may collide.

    Traps: two threads of one room with the same key (the last saved wins), equal
    ``inserted_at`` (ties by id), edge datetimes.
    """
    ts: st.SearchStrategy[datetime]
    if timestamps is None:
        ts = edge_datetimes()
    elif isinstance(timestamps, st.SearchStrategy):
        ts = timestamps
    else:
        ts = st.sampled_from(list(timestamps))
    ext = _id_strategy(external_thread_ids) if external_thread_ids is not None else _keys()
    root = _id_strategy(root_message_ids) if root_message_ids is not None else _keys()
    return st.builds(
        Thread,
        id=_id_strategy(thread_ids),
        room_id=_id_strategy(room_ids),
        external_thread_id=_optional(ext),
        delivery_external_room_id=_optional(_keys()),
        root_message_id=_optional(root),
        root_external_message_id=_optional(_keys()),
        assigned_agent_id=_optional(_keys()),
        status=st.sampled_from(ThreadStatus),
        metadata=json_objects(max_size=2),
        inserted_at=ts,
        updated_at=ts,
    )


@_short_repr
def room_bindings(
    *, room_ids: Sequence[str] | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[RoomBinding]:
    """``RoomBinding`` records with every direction, enabled flag and edge timestamp."""
    return st.builds(
        RoomBinding,
        id=_keys(),
        room_id=_id_strategy(room_ids),
        channel=_keys(),
        bridge_id=_keys(),
        external_room_id=_keys(),
        direction=st.sampled_from(BindingDirection),
        enabled=st.booleans(),
        inserted_at=edge_datetimes(),
    )


@_short_repr
def bridge_configs(
    *, config_ids: Sequence[str] | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[BridgeConfig]:
    """``BridgeConfig`` records; credentials are JSON that must never be shown.

    Traps: 64-bit ``revision`` and delivery-policy ints, type-exact ``opts`` and
    ``capabilities``, ``enabled`` both ways (for the ``enabled=`` filter).
    """
    policy = st.builds(
        DeliveryPolicy,
        max_attempts=int64s(),
        base_backoff_ms=int64s(),
        max_backoff_ms=int64s(),
        dead_letter=st.booleans(),
    )
    ts = edge_datetimes()
    return st.builds(
        BridgeConfig,
        id=_id_strategy(config_ids),
        adapter_module=_short_text(),
        credentials=json_objects(max_size=2),
        opts=json_objects(max_size=2),
        enabled=st.booleans(),
        capabilities=json_objects(max_size=2),
        delivery_policy=policy,
        revision=int64s(),
        inserted_at=ts,
        updated_at=ts,
    )


@_short_repr
def routing_policies(
    *, room_ids: Sequence[str] | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[RoutingPolicy]:
    """``RoutingPolicy`` records keyed by ``room_id`` (``id`` always equals it)."""
    ts = edge_datetimes()
    return st.builds(
        RoutingPolicy,
        room_id=_id_strategy(room_ids),
        delivery_mode=st.sampled_from(DeliveryMode),
        failover_policy=st.sampled_from(FailoverPolicy),
        dedupe_scope=st.sampled_from(DedupeScope),
        fallback_order=st.lists(_keys(), max_size=3),
        metadata=json_objects(max_size=2),
        revision=int64s(),
        inserted_at=ts,
        updated_at=ts,
    )


@_short_repr
def ingress_subscriptions(
    *,
    bridge_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    subscription_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[IngressSubscription]:
    """``IngressSubscription`` records with every status.

    Traps: ``external_id`` explicitly ``None`` (kept, not defaulted), ``raw`` any JSON
    value, ``expires_at`` ``None`` or an edge datetime, subscription ids in code-point
    order traps (for "sorted by subscription_id").
    """

    def build(
        bridge: str,
        subscription: str,
        adapter_name: str,
        status: IngressStatus,
        external: str | None,
        target_url: str | None,
        expires_at: datetime | None,
        metadata: dict[str, Any],
        raw: Any,
    ) -> IngressSubscription:
        return IngressSubscription(
            bridge_id=bridge,
            subscription_id=subscription,
            adapter_name=adapter_name,
            status=status,
            external_id=external,
            target_url=target_url,
            expires_at=expires_at,
            metadata=metadata,
            raw=raw,
        )

    return st.builds(
        build,
        _id_strategy(bridge_ids),
        _id_strategy(subscription_ids),
        difficult_text(min_size=1, max_size=20, long=False),
        st.sampled_from(IngressStatus),
        _optional(_keys()),
        _optional(_short_text()),
        _optional(edge_datetimes()),
        json_objects(max_size=2),
        json_values(max_leaves=4),
    )


@_short_repr
def onboarding_flows(
    *, onboarding_ids: Sequence[str] | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Onboarding flows: JSON objects with a non-empty string ``"onboarding_id"``.

    Traps: type-exact nested values (``1e16``, ``-0.0``, 64-bit ints, bools), difficult
    keys; the store must keep its own copy of each flow.
    """
    return st.builds(
        lambda base, flow_id: {**base, "onboarding_id": flow_id},
        json_objects(max_size=4),
        _id_strategy(onboarding_ids),
    )
