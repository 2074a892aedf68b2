"""The table of each model: its columns, kinds and extra computed columns.

Tables are prefixed ``jp_``; the public, documented names (``messages``, ``rooms``,
...) are read-only views over them (see :mod:`jido_persistence_duckdb._schema`).
"""

from __future__ import annotations

from typing import Final

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
from jido_persistence_duckdb._rows import ColumnKind, TableSpec

__all__ = [
    "BINDINGS",
    "BRIDGE_CONFIGS",
    "INGRESS",
    "MESSAGES",
    "PARTICIPANTS",
    "ROOMS",
    "ROUTING_POLICIES",
    "THREADS",
]

T = ColumnKind.TEXT
J = ColumnKind.JSON
TS = ColumnKind.TIMESTAMP
B = ColumnKind.BOOLEAN
I = ColumnKind.BIGINT  # noqa: E741

ROOMS: Final = TableSpec(
    "jp_rooms",
    Room,
    [
        ("id", T),
        ("type", T),
        ("name", T),
        ("external_bindings", J),
        ("metadata", J),
        ("inserted_at", TS),
    ],
    extras=[("name_fold", "?")],
)

PARTICIPANTS: Final = TableSpec(
    "jp_participants",
    Participant,
    [
        ("id", T),
        ("type", T),
        ("identity", J),
        ("external_ids", J),
        ("presence", T),
        ("capabilities", J),
        ("metadata", J),
    ],
    extras=[("name_fold", "?"), ("external_id_pairs", "?")],
)

MESSAGES: Final = TableSpec(
    "jp_messages",
    Message,
    [
        ("id", T),
        ("room_id", T),
        ("sender_id", T),
        ("role", T),
        ("content", J),
        ("reply_to_id", T),
        ("external_id", T),
        ("external_reply_to_id", T),
        ("thread_id", T),
        ("external_thread_id", T),
        ("delivery_external_room_id", T),
        ("status", T),
        ("reactions", J),
        ("receipts", J),
        ("metadata", J),
        ("inserted_at", TS),
        ("updated_at", TS),
    ],
    extras=[("sort_us", "?"), ("external_key", "?"), ("save_seq", "nextval('jp_save_seq')")],
    encoded=True,
)
"""Encoded: the callbacks read the ``body`` column, analytics the typed ones."""

THREADS: Final = TableSpec(
    "jp_threads",
    Thread,
    [
        ("id", T),
        ("room_id", T),
        ("external_thread_id", T),
        ("delivery_external_room_id", T),
        ("root_message_id", T),
        ("root_external_message_id", T),
        ("assigned_agent_id", T),
        ("status", T),
        ("metadata", J),
        ("inserted_at", TS),
        ("updated_at", TS),
    ],
    extras=[("external_key", "?"), ("root_key", "?"), ("save_seq", "nextval('jp_save_seq')")],
)

BINDINGS: Final = TableSpec(
    "jp_room_bindings",
    RoomBinding,
    [
        ("id", T),
        ("room_id", T),
        ("channel", T),
        ("bridge_id", T),
        ("external_room_id", T),
        ("direction", T),
        ("enabled", B),
        ("inserted_at", TS),
    ],
    extras=[("binding_key", "?"), ("room_key", "?")],
)

BRIDGE_CONFIGS: Final = TableSpec(
    "jp_bridge_configs",
    BridgeConfig,
    [
        ("id", T),
        ("adapter_module", T),
        ("credentials", J),
        ("opts", J),
        ("enabled", B),
        ("capabilities", J),
        ("delivery_policy", J),
        ("revision", I),
        ("inserted_at", TS),
        ("updated_at", TS),
    ],
)

ROUTING_POLICIES: Final = TableSpec(
    "jp_routing_policies",
    RoutingPolicy,
    [
        ("room_id", T),
        ("id", T),
        ("delivery_mode", T),
        ("failover_policy", T),
        ("dedupe_scope", T),
        ("fallback_order", J),
        ("metadata", J),
        ("revision", I),
        ("inserted_at", TS),
        ("updated_at", TS),
    ],
    conflict="room_id",
)

INGRESS: Final = TableSpec(
    "jp_ingress_subscriptions",
    IngressSubscription,
    [
        ("bridge_id", T),
        ("subscription_id", T),
        ("adapter_name", T),
        ("status", T),
        ("external_id", T),
        ("target_url", T),
        ("expires_at", TS),
        ("metadata", J),
        ("raw", J),
    ],
    conflict="subscription_key",
    extras=[("subscription_key", "?")],
)
