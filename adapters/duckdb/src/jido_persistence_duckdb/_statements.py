"""Every SQL statement of the adapter, built once at import (no per-call SQL building
except the directory search, whose filters vary).

Orderings use ``(sort_us, id)`` for messages (``sort_us`` is ``inserted_at`` in
microseconds, ``-2**63`` for ``None``: the contract's NULLS FIRST as a sentinel) and
``(inserted_at, id)`` elsewhere.  DuckDB's default collation is binary: VARCHARs
compare by their UTF-8 bytes, which is the code point order the contract asks for.
Composite lookup keys are single VARCHAR columns holding the JSON array of the
normalised parts (DuckDB uses a single-column ART index for point lookups, not a
multi-column one).
"""

from __future__ import annotations

from typing import Final

from pydantic_core import to_json

from jido_persistence_duckdb._tables import (
    BINDINGS,
    BRIDGE_CONFIGS,
    INGRESS,
    MESSAGES,
    PARTICIPANTS,
    ROOMS,
    ROUTING_POLICIES,
    THREADS,
)

__all__ = ["lookup_key"]


def lookup_key(*parts: str) -> str:
    """The single-column lookup key of normalised key parts: their JSON array text, as
    ``json.dumps(parts, ensure_ascii=False, separators=(",", ":"))`` writes it (the
    text stores hold), by pydantic-core's faster encoder."""
    return to_json(parts).decode()


_M = MESSAGES.read_list
_MT = MESSAGES.table

# --- rooms -------------------------------------------------------------------------
GET_ROOM: Final = f"SELECT {ROOMS.select_list} FROM {ROOMS.table} WHERE id = ?"
LIST_ROOMS: Final = (
    f"SELECT {ROOMS.select_list} FROM {ROOMS.table} ORDER BY inserted_at, id LIMIT ?"
)
DELETE_ROOM_STATEMENTS: Final = (
    (f"DELETE FROM {_MT} WHERE room_id = ?", 1),
    (f"DELETE FROM {THREADS.table} WHERE room_id = ?", 1),
    (
        "DELETE FROM jp_binding_keys WHERE room_id = ? AND binding_key IN "
        f"(SELECT binding_key FROM {BINDINGS.table} WHERE room_id = ?)",
        2,
    ),
    (f"DELETE FROM {BINDINGS.table} WHERE room_id = ?", 1),
    (f"DELETE FROM {ROUTING_POLICIES.table} WHERE room_id = ?", 1),
    (f"DELETE FROM {ROOMS.table} WHERE id = ?", 1),
)
"""The cascade of ``delete_room``: (statement, how many ``room_id`` parameters)."""

# --- participants ------------------------------------------------------------------
GET_PARTICIPANT: Final = f"SELECT {PARTICIPANTS.select_list} FROM {PARTICIPANTS.table} WHERE id = ?"
DELETE_PARTICIPANT: Final = f"DELETE FROM {PARTICIPANTS.table} WHERE id = ?"

# --- messages ----------------------------------------------------------------------
GET_MESSAGE: Final = f"SELECT {_M} FROM {_MT} WHERE id = ?"
MESSAGE_BY_KEY: Final = f"SELECT save_seq, {_M} FROM {_MT} WHERE external_key = ?"
MESSAGE_CURSOR: Final = f"SELECT room_id, thread_id, sort_us FROM {_MT} WHERE id = ?"
DELETE_MESSAGE: Final = f"DELETE FROM {_MT} WHERE id = ?"
SET_MESSAGE_EXTERNAL_ID: Final = (
    f"UPDATE {_MT} SET external_id = ?, external_key = ?, body = ?,"
    " save_seq = nextval('jp_save_seq') WHERE id = ?"
)
"""``update_message_external_id``: the columns a new external id changes, and a new
save sequence value (the update is a save: the message becomes the key's newest holder)."""


def _page(thread: bool, where: str, order: str) -> str:
    scope = "room_id = ?" + (" AND thread_id = ?" if thread else "")
    condition = f"{scope} AND ({where})" if where else scope
    return f"SELECT {_M} FROM {_MT} WHERE {condition} ORDER BY {order} LIMIT ?"


_NEWEST = "sort_us DESC, id DESC"
_OLDEST = "sort_us, id"
_BEFORE = "sort_us < ? OR (sort_us = ? AND id < ?)"
_AFTER = "sort_us > ? OR (sort_us = ? AND id > ?)"

LATEST_PAGE: Final = {thread: _page(thread, "", _NEWEST) for thread in (False, True)}
"""Newest first (reverse for the result); keyed by whether a thread_id is given."""
BEFORE_PAGE: Final = {thread: _page(thread, _BEFORE, _NEWEST) for thread in (False, True)}
AFTER_PAGE: Final = {thread: _page(thread, _AFTER, _OLDEST) for thread in (False, True)}

# --- threads -----------------------------------------------------------------------
GET_THREAD: Final = f"SELECT {THREADS.select_list} FROM {THREADS.table} WHERE id = ?"
THREAD_BY_EXTERNAL_KEY: Final = (
    f"SELECT save_seq, {THREADS.select_list} FROM {THREADS.table} WHERE external_key = ?"
)
THREAD_BY_ROOT_KEY: Final = (
    f"SELECT save_seq, {THREADS.select_list} FROM {THREADS.table} WHERE root_key = ?"
)
LIST_THREADS: Final = (
    f"SELECT {THREADS.select_list} FROM {THREADS.table} WHERE room_id = ? "
    "ORDER BY inserted_at, id LIMIT ?"
)

# --- bindings ----------------------------------------------------------------------
BOUND_ROOM: Final = (
    f"SELECT k.room_id, {ROOMS.select_list_of('r')} FROM jp_binding_keys AS k "
    f"LEFT JOIN {ROOMS.table} AS r ON r.id = k.room_id WHERE k.binding_key = ?"
)
"""The room id a binding key points at, with the room's columns (NULLs when it is gone)."""
BOUND_PARTICIPANT: Final = (
    f"SELECT k.participant_id, {PARTICIPANTS.select_list_of('p')} "
    f"FROM jp_participant_keys AS k LEFT JOIN {PARTICIPANTS.table} AS p "
    "ON p.id = k.participant_id WHERE k.participant_key = ?"
)
DELETE_STALE_BINDING_KEY: Final = (
    "DELETE FROM jp_binding_keys WHERE binding_key = ? AND room_id = ?"
)
PUT_BINDING_KEY: Final = "INSERT OR REPLACE INTO jp_binding_keys VALUES (?, ?, ?, ?, ?)"
INSERT_BINDING_KEY: Final = "INSERT INTO jp_binding_keys VALUES (?, ?, ?, ?, ?)"
BINDING_KEY_EXISTS: Final = "SELECT 1 FROM jp_binding_keys WHERE binding_key = ?"
PUT_PARTICIPANT_KEY: Final = "INSERT OR REPLACE INTO jp_participant_keys VALUES (?, ?, ?, ?)"
INSERT_PARTICIPANT_KEY: Final = "INSERT INTO jp_participant_keys VALUES (?, ?, ?, ?)"
BINDING_BY_ROOM_KEY: Final = (
    f"SELECT {BINDINGS.select_list} FROM {BINDINGS.table} WHERE room_key = ?"
)
BINDING_EXISTS: Final = f"SELECT id FROM {BINDINGS.table} WHERE id = ?"
BINDING_FOR_DELETE: Final = f"SELECT room_id, binding_key FROM {BINDINGS.table} WHERE id = ?"
DELETE_BINDING: Final = f"DELETE FROM {BINDINGS.table} WHERE id = ?"
LIST_BINDINGS: Final = (
    f"SELECT {BINDINGS.select_list} FROM {BINDINGS.table} WHERE room_id = ? "
    "ORDER BY inserted_at, id"
)

# --- directory ---------------------------------------------------------------------
DIRECTORY_PARTICIPANTS: Final = (
    f"SELECT {PARTICIPANTS.select_list} FROM {PARTICIPANTS.table} WHERE "
)
DIRECTORY_ROOMS: Final = f"SELECT {ROOMS.select_list} FROM {ROOMS.table} WHERE "
ROOM_OF_BINDING_KEY: Final = "(SELECT room_id FROM jp_binding_keys WHERE binding_key = ?)"

# --- onboarding --------------------------------------------------------------------
PUT_ONBOARDING: Final = "INSERT OR REPLACE INTO jp_onboarding VALUES (?, ?)"
INSERT_ONBOARDING: Final = "INSERT INTO jp_onboarding VALUES (?, ?)"
GET_ONBOARDING: Final = "SELECT flow FROM jp_onboarding WHERE onboarding_id = ?"

# --- bridge configs ----------------------------------------------------------------
GET_BRIDGE_CONFIG: Final = (
    f"SELECT {BRIDGE_CONFIGS.select_list} FROM {BRIDGE_CONFIGS.table} WHERE id = ?"
)
LIST_BRIDGE_CONFIGS: Final = (
    f"SELECT {BRIDGE_CONFIGS.select_list} FROM {BRIDGE_CONFIGS.table} ORDER BY id"
)
LIST_BRIDGE_CONFIGS_ENABLED: Final = (
    f"SELECT {BRIDGE_CONFIGS.select_list} FROM {BRIDGE_CONFIGS.table} WHERE enabled = ? ORDER BY id"
)
DELETE_BRIDGE_CONFIG: Final = f"DELETE FROM {BRIDGE_CONFIGS.table} WHERE id = ? RETURNING id"

# --- routing policies --------------------------------------------------------------
GET_ROUTING_POLICY: Final = (
    f"SELECT {ROUTING_POLICIES.select_list} FROM {ROUTING_POLICIES.table} WHERE room_id = ?"
)
DELETE_ROUTING_POLICY: Final = (
    f"DELETE FROM {ROUTING_POLICIES.table} WHERE room_id = ? RETURNING room_id"
)

# --- ingress subscriptions ---------------------------------------------------------
LIST_INGRESS: Final = (
    f"SELECT {INGRESS.select_list} FROM {INGRESS.table} WHERE bridge_id = ? "
    "ORDER BY subscription_id"
)
LIST_INGRESS_STATUS: Final = (
    f"SELECT {INGRESS.select_list} FROM {INGRESS.table} WHERE bridge_id = ? AND status = ? "
    "ORDER BY subscription_id"
)
DELETE_INGRESS: Final = (
    f"DELETE FROM {INGRESS.table} WHERE subscription_key = ? RETURNING subscription_key"
)

# --- raw index (test hook) ---------------------------------------------------------
RAW_BINDING_KEYS: Final = "SELECT channel, bridge_id, external_id, room_id FROM jp_binding_keys"
RAW_PARTICIPANT_KEYS: Final = "SELECT channel, external_id, participant_id FROM jp_participant_keys"
RAW_MESSAGE_KEYS: Final = (
    f"SELECT external_key, arg_max(id, save_seq) FROM {_MT} "
    "WHERE external_key IS NOT NULL GROUP BY external_key"
)
RAW_THREAD_EXTERNAL_KEYS: Final = (
    f"SELECT external_key, arg_max(id, save_seq) FROM {THREADS.table} "
    "WHERE external_key IS NOT NULL GROUP BY external_key"
)
RAW_THREAD_ROOT_KEYS: Final = (
    f"SELECT root_key, arg_max(id, save_seq) FROM {THREADS.table} "
    "WHERE root_key IS NOT NULL GROUP BY root_key"
)
ROW_COUNT_TABLES: Final = {
    "rooms": ROOMS.table,
    "participants": PARTICIPANTS.table,
    "messages": _MT,
    "threads": THREADS.table,
    "room_bindings": BINDINGS.table,
    "onboarding": "jp_onboarding",
    "bridge_configs": BRIDGE_CONFIGS.table,
    "routing_policies": ROUTING_POLICIES.table,
    "ingress_subscriptions": INGRESS.table,
}
RAW_ROW_COUNTS: Final = "SELECT " + ", ".join(
    f"(SELECT count(*) FROM {table})" for table in ROW_COUNT_TABLES.values()
)

# --- enumeration (contract 9.2): keyset pages ----------------------------------------
# DuckDB has no ordered index (its ART serves point look-ups): a page is a Top-N over
# the rows its min-max zonemaps cannot skip, which for rows written in time order is
# the row groups from the cursor on.  The cursor's position is read in a subquery, so
# no timestamp makes a round trip through Python.
ROOM_EXISTS: Final = f"SELECT 1 FROM {ROOMS.table} WHERE id = ?"
LIST_ROOMS_AFTER: Final = (
    f"SELECT {ROOMS.select_list_of('r')} FROM {ROOMS.table} AS r,"
    f" (SELECT inserted_at, id FROM {ROOMS.table} WHERE id = ?) AS c"
    " WHERE r.inserted_at > c.inserted_at OR (r.inserted_at = c.inserted_at AND r.id > c.id)"
    " ORDER BY r.inserted_at, r.id LIMIT ?"
)
THREAD_ROOM: Final = f"SELECT room_id FROM {THREADS.table} WHERE id = ?"
LIST_THREADS_AFTER: Final = (
    f"SELECT {THREADS.select_list_of('t')} FROM {THREADS.table} AS t,"
    f" (SELECT inserted_at, id FROM {THREADS.table} WHERE id = ?) AS c"
    " WHERE t.room_id = ? AND (t.inserted_at > c.inserted_at"
    " OR (t.inserted_at = c.inserted_at AND t.id > c.id))"
    " ORDER BY t.inserted_at, t.id LIMIT ?"
)
PARTICIPANT_EXISTS: Final = f"SELECT 1 FROM {PARTICIPANTS.table} WHERE id = ?"
LIST_PARTICIPANTS: Final = (
    f"SELECT {PARTICIPANTS.select_list} FROM {PARTICIPANTS.table} ORDER BY id LIMIT ?"
)
LIST_PARTICIPANTS_AFTER: Final = (
    f"SELECT {PARTICIPANTS.select_list} FROM {PARTICIPANTS.table} WHERE id > ? ORDER BY id LIMIT ?"
)
ONBOARDING_EXISTS: Final = "SELECT 1 FROM jp_onboarding WHERE onboarding_id = ?"
LIST_ONBOARDINGS: Final = "SELECT flow FROM jp_onboarding ORDER BY onboarding_id LIMIT ?"
LIST_ONBOARDINGS_AFTER: Final = (
    "SELECT flow FROM jp_onboarding WHERE onboarding_id > ? ORDER BY onboarding_id LIMIT ?"
)
