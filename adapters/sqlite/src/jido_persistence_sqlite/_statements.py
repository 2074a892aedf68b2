"""Every SQL statement of the adapter, as module constants (``?`` placeholders only).

The directory search is the one statement assembled per call, from the fragments here,
because its filters vary.  Messages sort by ``(sort_us, id)``, the other records by
``(inserted_us, id)``; keyset pages compare row values, ``(sort_us, id) < (?, ?)``,
which SQLite runs as a range scan of the ``(room_id, sort_us, id)`` index.
"""

from __future__ import annotations

from typing import Final

from jido_persistence import export_plan
from jido_persistence.sqlkit import SqlStatements
from jido_persistence.sqlkit_interchange import SqlInterchangeStatements

# --- transactions --------------------------------------------------------------------
BEGIN_WRITE: Final = "BEGIN IMMEDIATE"
"""Every write and get-or-create: the write lock is taken first, so a transaction never
has to upgrade a read lock (the cause of SQLite's unrecoverable SQLITE_BUSY)."""
BEGIN_READ: Final = "BEGIN"
COMMIT: Final = "COMMIT"
ROLLBACK: Final = "ROLLBACK"

# --- rooms ---------------------------------------------------------------------------
ROOM_UPSERT: Final = (
    "INSERT INTO rooms (id, inserted_us, name_fold, doc) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (id) DO UPDATE SET inserted_us = excluded.inserted_us,"
    " name_fold = excluded.name_fold, doc = excluded.doc"
)
ROOM_GET: Final = "SELECT doc FROM rooms WHERE id = ?"
ROOM_DELETE_CASCADE: Final = (
    "DELETE FROM messages WHERE room_id = ?",
    "DELETE FROM threads WHERE room_id = ?",
    "DELETE FROM room_bindings WHERE room_id = ?",
    "DELETE FROM binding_keys WHERE room_id = ?",
    "DELETE FROM routing_policies WHERE room_id = ?",
    "DELETE FROM rooms WHERE id = ?",
)
"""``delete_room``, in one transaction; each statement takes the room id."""

# --- participants --------------------------------------------------------------------
PARTICIPANT_UPSERT: Final = (
    "INSERT INTO participants (id, name_fold, doc) VALUES (?, ?, ?)"
    " ON CONFLICT (id) DO UPDATE SET name_fold = excluded.name_fold, doc = excluded.doc"
)
PARTICIPANT_GET: Final = "SELECT doc FROM participants WHERE id = ?"
PARTICIPANT_DELETE: Final = "DELETE FROM participants WHERE id = ?"

# --- messages ------------------------------------------------------------------------
MESSAGE_UPSERT: Final = (
    "INSERT OR REPLACE INTO messages (seq, id, room_id, thread_id, sort_us, key_channel,"
    " key_bridge_id, key_external_id, doc) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?)"
)
"""A replaced row is deleted and inserted again with a new, largest ``seq``."""
MESSAGE_GET: Final = "SELECT doc FROM messages WHERE id = ?"
MESSAGE_BY_KEY: Final = (
    "SELECT doc FROM messages WHERE key_channel = ? AND key_bridge_id = ?"
    " AND key_external_id = ? ORDER BY seq DESC LIMIT 1"
)
MESSAGE_CURSOR: Final = "SELECT room_id, thread_id, sort_us FROM messages WHERE id = ?"
MESSAGE_DELETE: Final = "DELETE FROM messages WHERE id = ?"

_ROOM: Final = "room_id = ?"
_THREAD: Final = "room_id = ? AND thread_id = ?"
_NEWEST: Final = " ORDER BY sort_us DESC, id DESC LIMIT ?"
_OLDEST: Final = " ORDER BY sort_us, id LIMIT ?"
_SELECT: Final = "SELECT doc FROM messages WHERE "

MESSAGES_LATEST: Final = {
    False: _SELECT + _ROOM + _NEWEST,
    True: _SELECT + _THREAD + _NEWEST,
}
"""Newest first (reversed by the caller); keyed by whether a thread_id is given."""
MESSAGES_BEFORE: Final = {
    False: _SELECT + _ROOM + " AND (sort_us, id) < (?, ?)" + _NEWEST,
    True: _SELECT + _THREAD + " AND (sort_us, id) < (?, ?)" + _NEWEST,
}
MESSAGES_AFTER: Final = {
    False: _SELECT + _ROOM + " AND (sort_us, id) > (?, ?)" + _OLDEST,
    True: _SELECT + _THREAD + " AND (sort_us, id) > (?, ?)" + _OLDEST,
}

# --- threads -------------------------------------------------------------------------
THREAD_UPSERT: Final = (
    "INSERT OR REPLACE INTO threads (seq, id, room_id, inserted_us, external_thread_id,"
    " root_message_id, doc) VALUES (NULL, ?, ?, ?, ?, ?, ?)"
)
THREAD_GET: Final = "SELECT doc FROM threads WHERE id = ?"
THREAD_BY_EXTERNAL_ID: Final = (
    "SELECT doc FROM threads WHERE room_id = ? AND external_thread_id = ? ORDER BY seq DESC LIMIT 1"
)
THREAD_BY_ROOT_MESSAGE: Final = (
    "SELECT doc FROM threads WHERE room_id = ? AND root_message_id = ? ORDER BY seq DESC LIMIT 1"
)

# --- external keys and room bindings ---------------------------------------------------
BINDING_KEY_ROOM: Final = (
    "SELECT k.room_id, r.doc FROM binding_keys AS k LEFT JOIN rooms AS r ON r.id = k.room_id"
    " WHERE k.channel = ? AND k.bridge_id = ? AND k.external_id = ?"
)
"""The room a binding key points at, and its document (NULL when the room is gone)."""
BINDING_KEY_DELETE_IF: Final = (
    "DELETE FROM binding_keys WHERE channel = ? AND bridge_id = ? AND external_id = ?"
    " AND room_id = ?"
)
BINDING_KEY_PUT: Final = (
    "INSERT OR REPLACE INTO binding_keys (channel, bridge_id, external_id, room_id)"
    " VALUES (?, ?, ?, ?)"
)
BINDING_UPSERT: Final = (
    "INSERT INTO room_bindings (id, room_id, channel, bridge_id, external_room_id,"
    " inserted_us, doc) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
    " room_id = excluded.room_id, channel = excluded.channel,"
    " bridge_id = excluded.bridge_id, external_room_id = excluded.external_room_id,"
    " inserted_us = excluded.inserted_us, doc = excluded.doc"
)
BINDING_FOR_ROOM_KEY: Final = (
    "SELECT doc FROM room_bindings WHERE room_id = ? AND channel = ? AND bridge_id = ?"
    " AND external_room_id = ?"
)
BINDING_ID_EXISTS: Final = "SELECT 1 FROM room_bindings WHERE id = ?"
BINDING_DELETE: Final = (
    "DELETE FROM room_bindings WHERE id = ? RETURNING channel, bridge_id, external_room_id, room_id"
)
BINDING_LIST: Final = "SELECT doc FROM room_bindings WHERE room_id = ? ORDER BY inserted_us, id"
PARTICIPANT_KEY_PARTICIPANT: Final = (
    "SELECT k.participant_id, p.doc FROM participant_keys AS k"
    " LEFT JOIN participants AS p ON p.id = k.participant_id"
    " WHERE k.channel = ? AND k.external_id = ?"
)
PARTICIPANT_KEY_DELETE_IF: Final = (
    "DELETE FROM participant_keys WHERE channel = ? AND external_id = ? AND participant_id = ?"
)
PARTICIPANT_KEY_PUT: Final = (
    "INSERT OR REPLACE INTO participant_keys (channel, external_id, participant_id)"
    " VALUES (?, ?, ?)"
)

# --- directory (fragments joined per call) ----------------------------------------------
DIRECTORY_SELECT: Final = {
    "participant": "SELECT doc FROM participants",
    "room": "SELECT doc FROM rooms",
}
DIRECTORY_ID: Final = "id = ?"
DIRECTORY_NAME: Final = "instr(name_fold, ?) > 0"
"""A literal substring test (no pattern characters); NULL folds (no name) never match."""
DIRECTORY_PARTICIPANT_KEY: Final = (
    "EXISTS (SELECT 1 FROM json_each(doc, '$.external_ids') WHERE key = ? AND value = ?)"
)
DIRECTORY_ROOM_KEY: Final = (
    "id IN (SELECT room_id FROM binding_keys WHERE channel = ? AND bridge_id = ?"
    " AND external_id = ?)"
)
DIRECTORY_ORDER: Final = " ORDER BY id LIMIT ?"
DIRECTORY_INDEXED: Final = {
    kind: (
        # ``+n.kind``: look the matches up by seq, never scan every name of the kind.
        "id IN (SELECT n.id FROM name_rows AS n WHERE n.seq IN (SELECT rowid FROM"
        f" name_trigrams WHERE name_trigrams MATCH ?) AND +n.kind = '{kind}')"
    )
    for kind in ("room", "participant")
}
"""The rows whose fold holds every trigram of an FTS5 query (see ``_schema``'s name index)."""
CHOSEN_TRIGRAMS: Final = 2
"""How many of a name query's rarest trigrams the FTS5 index is asked for."""
TRIGRAM_COUNT_CAP: Final = 32
"""Folds counted per trigram at most when choosing the rarest (a capped count stops early,
where ``fts5vocab`` would read whole posting lists)."""
TRIGRAM_COUNT: Final = (
    "SELECT ?, (SELECT count(*) FROM (SELECT 1 FROM name_trigrams WHERE name_trigrams"
    f" MATCH ? LIMIT {TRIGRAM_COUNT_CAP}))"
)
"""``(trigram, its phrase)`` -> the trigram and how many folds hold it (capped)."""


def fts_phrase(fold: str) -> str:
    """The FTS5 query matching ``fold`` as one phrase (quotes doubled, nothing special)."""
    return '"' + fold.replace('"', '""') + '"'


# --- onboarding, bridge configs, routing policies ----------------------------------------
ONBOARDING_UPSERT: Final = "INSERT OR REPLACE INTO onboarding (id, doc) VALUES (?, ?)"
ONBOARDING_GET: Final = "SELECT doc FROM onboarding WHERE id = ?"
BRIDGE_CONFIG_UPSERT: Final = (
    "INSERT OR REPLACE INTO bridge_configs (id, enabled, doc) VALUES (?, ?, ?)"
)
BRIDGE_CONFIG_GET: Final = "SELECT doc FROM bridge_configs WHERE id = ?"
BRIDGE_CONFIG_LIST: Final = "SELECT doc FROM bridge_configs ORDER BY id"
BRIDGE_CONFIG_LIST_ENABLED: Final = "SELECT doc FROM bridge_configs WHERE enabled = ? ORDER BY id"
BRIDGE_CONFIG_DELETE: Final = "DELETE FROM bridge_configs WHERE id = ?"
ROUTING_POLICY_UPSERT: Final = (
    "INSERT OR REPLACE INTO routing_policies (room_id, doc) VALUES (?, ?)"
)
ROUTING_POLICY_GET: Final = "SELECT doc FROM routing_policies WHERE room_id = ?"
ROUTING_POLICY_DELETE: Final = "DELETE FROM routing_policies WHERE room_id = ?"

# --- ingress subscriptions -----------------------------------------------------------------
INGRESS_UPSERT: Final = (
    "INSERT OR REPLACE INTO ingress_subscriptions (bridge_id, subscription_id, status, doc)"
    " VALUES (?, ?, ?, ?)"
)
INGRESS_LIST: Final = (
    "SELECT doc FROM ingress_subscriptions WHERE bridge_id = ? ORDER BY subscription_id"
)
INGRESS_LIST_STATUS: Final = (
    "SELECT doc FROM ingress_subscriptions WHERE bridge_id = ? AND status = ?"
    " ORDER BY subscription_id"
)
INGRESS_DELETE: Final = (
    "DELETE FROM ingress_subscriptions WHERE bridge_id = ? AND subscription_id = ?"
)

# --- enumeration (keyset pages: first page, cursor, page after the cursor) -------------
Keyset = tuple[str, str, str]
ROOM_PAGES: Final[Keyset] = (
    "SELECT doc FROM rooms ORDER BY inserted_us, id LIMIT ?",
    "SELECT inserted_us, id FROM rooms WHERE id = ?",
    "SELECT doc FROM rooms WHERE (inserted_us, id) > (?, ?) ORDER BY inserted_us, id LIMIT ?",
)
THREAD_PAGES: Final[Keyset] = (
    "SELECT doc FROM threads WHERE room_id = ? ORDER BY inserted_us, id LIMIT ?",
    "SELECT inserted_us, id FROM threads WHERE id = ? AND room_id = ?",
    "SELECT doc FROM threads WHERE room_id = ? AND (inserted_us, id) > (?, ?)"
    " ORDER BY inserted_us, id LIMIT ?",
)
PARTICIPANT_PAGES: Final[Keyset] = (
    "SELECT doc FROM participants ORDER BY id LIMIT ?",
    "SELECT id FROM participants WHERE id = ?",
    "SELECT doc FROM participants WHERE id > ? ORDER BY id LIMIT ?",
)
ONBOARDING_PAGES: Final[Keyset] = (
    "SELECT doc FROM onboarding ORDER BY id LIMIT ?",
    "SELECT id FROM onboarding WHERE id = ?",
    "SELECT doc FROM onboarding WHERE id > ? ORDER BY id LIMIT ?",
)


# --- retention ---------------------------------------------------------------------------
DELETE_BEFORE: Final = "DELETE FROM messages WHERE room_id = ? AND sort_us < ?"
DELETE_BEFORE_IN_THREAD: Final = (
    "DELETE FROM messages WHERE room_id = ? AND thread_id = ? AND sort_us < ?"
)
_SENDER: Final = "json_extract(doc, '$.sender_id')"
"""The expression of the ``messages_sender`` index (a query must spell it the same)."""
MESSAGES_SENT: Final = f"SELECT doc FROM messages WHERE {_SENDER} = ?"
MESSAGES_DELETE_SENT: Final = f"DELETE FROM messages WHERE {_SENDER} = ?"
MESSAGE_REDACT: Final = (
    "UPDATE messages SET doc = ?, key_channel = NULL, key_bridge_id = NULL,"
    " key_external_id = NULL WHERE id = ?"
)
PARTICIPANT_KEYS_DELETE_OWNED: Final = "DELETE FROM participant_keys WHERE participant_id = ?"
ONBOARDING_DELETE: Final = "DELETE FROM onboarding WHERE id = ?"

# --- raw index (test hook) -----------------------------------------------------------------
# SQLite documents that with max() in an aggregate query, the bare columns come from
# the row holding the maximum: the holder a key resolves to.
RAW_BINDING_KEYS: Final = "SELECT channel, bridge_id, external_id, room_id FROM binding_keys"
RAW_PARTICIPANT_KEYS: Final = "SELECT channel, external_id, participant_id FROM participant_keys"
RAW_MESSAGE_KEYS: Final = (
    "SELECT key_channel, key_bridge_id, key_external_id, id, max(seq) FROM messages"
    " WHERE key_external_id IS NOT NULL GROUP BY key_channel, key_bridge_id, key_external_id"
)
RAW_THREAD_EXTERNAL_KEYS: Final = (
    "SELECT room_id, external_thread_id, id, max(seq) FROM threads"
    " WHERE external_thread_id IS NOT NULL GROUP BY room_id, external_thread_id"
)
RAW_THREAD_ROOT_KEYS: Final = (
    "SELECT room_id, root_message_id, id, max(seq) FROM threads"
    " WHERE root_message_id IS NOT NULL GROUP BY room_id, root_message_id"
)
RAW_COUNT_TABLES: Final = (
    "rooms",
    "participants",
    "messages",
    "threads",
    "room_bindings",
    "onboarding",
    "bridge_configs",
    "routing_policies",
    "ingress_subscriptions",
)
"""The row counts the raw index reports (the reference adapter's names are the tables')."""
RAW_ROW_COUNTS: Final = "SELECT " + ", ".join(
    f"(SELECT count(*) FROM {table})" for table in RAW_COUNT_TABLES
)

STATEMENTS: Final = SqlStatements(
    room_upsert=ROOM_UPSERT,
    room_get=ROOM_GET,
    room_delete_cascade=ROOM_DELETE_CASCADE,
    participant_upsert=PARTICIPANT_UPSERT,
    participant_get=PARTICIPANT_GET,
    participant_delete=PARTICIPANT_DELETE,
    message_upsert=MESSAGE_UPSERT,
    message_get=MESSAGE_GET,
    message_by_key=MESSAGE_BY_KEY,
    message_cursor=MESSAGE_CURSOR,
    message_delete=MESSAGE_DELETE,
    messages_latest=MESSAGES_LATEST,
    messages_before=MESSAGES_BEFORE,
    messages_after=MESSAGES_AFTER,
    thread_upsert=THREAD_UPSERT,
    thread_get=THREAD_GET,
    thread_by_external_id=THREAD_BY_EXTERNAL_ID,
    thread_by_root_message=THREAD_BY_ROOT_MESSAGE,
    binding_key_room=BINDING_KEY_ROOM,
    binding_key_delete_if=BINDING_KEY_DELETE_IF,
    binding_key_put=BINDING_KEY_PUT,
    binding_upsert=BINDING_UPSERT,
    binding_for_room_key=BINDING_FOR_ROOM_KEY,
    binding_id_exists=BINDING_ID_EXISTS,
    binding_delete=BINDING_DELETE,
    binding_list=BINDING_LIST,
    participant_key_participant=PARTICIPANT_KEY_PARTICIPANT,
    participant_key_delete_if=PARTICIPANT_KEY_DELETE_IF,
    participant_key_put=PARTICIPANT_KEY_PUT,
    directory_select=DIRECTORY_SELECT,
    directory_id=DIRECTORY_ID,
    directory_name=DIRECTORY_NAME,
    directory_participant_key=DIRECTORY_PARTICIPANT_KEY,
    directory_room_key=DIRECTORY_ROOM_KEY,
    directory_order=DIRECTORY_ORDER,
    onboarding_upsert=ONBOARDING_UPSERT,
    onboarding_get=ONBOARDING_GET,
    bridge_config_upsert=BRIDGE_CONFIG_UPSERT,
    bridge_config_get=BRIDGE_CONFIG_GET,
    bridge_config_list=BRIDGE_CONFIG_LIST,
    bridge_config_list_enabled=BRIDGE_CONFIG_LIST_ENABLED,
    bridge_config_delete=BRIDGE_CONFIG_DELETE,
    routing_policy_upsert=ROUTING_POLICY_UPSERT,
    routing_policy_get=ROUTING_POLICY_GET,
    routing_policy_delete=ROUTING_POLICY_DELETE,
    ingress_upsert=INGRESS_UPSERT,
    ingress_list=INGRESS_LIST,
    ingress_list_status=INGRESS_LIST_STATUS,
    ingress_delete=INGRESS_DELETE,
    room_pages=ROOM_PAGES,
    thread_pages=THREAD_PAGES,
    participant_pages=PARTICIPANT_PAGES,
    onboarding_pages=ONBOARDING_PAGES,
    delete_before=DELETE_BEFORE,
    delete_before_in_thread=DELETE_BEFORE_IN_THREAD,
    messages_sent=MESSAGES_SENT,
    messages_delete_sent=MESSAGES_DELETE_SENT,
    message_redact=MESSAGE_REDACT,
    participant_keys_delete_owned=PARTICIPANT_KEYS_DELETE_OWNED,
    onboarding_delete=ONBOARDING_DELETE,
    raw_binding_keys=RAW_BINDING_KEYS,
    raw_participant_keys=RAW_PARTICIPANT_KEYS,
    raw_message_keys=RAW_MESSAGE_KEYS,
    raw_thread_external_keys=RAW_THREAD_EXTERNAL_KEYS,
    raw_thread_root_keys=RAW_THREAD_ROOT_KEYS,
    raw_count_tables=RAW_COUNT_TABLES,
    raw_row_counts=RAW_ROW_COUNTS,
)
"""The table :class:`~jido_persistence.sqlkit_records.SqlRecords` runs the callbacks with."""


# --- export and import (contract 9.2) --------------------------------------------------
def _newest(table: str, *columns: str) -> str:
    same = " AND ".join(f"later.{column} = held.{column}" for column in columns)
    return f"NOT EXISTS (SELECT 1 FROM {table} AS later WHERE {same} AND later.seq > held.seq)"


def _keys(select: str, table: str, *key: str) -> str:
    where = f"{key[-1]} IS NOT NULL AND {_newest(table, *key)}"
    return f"SELECT {select} FROM {table} AS held WHERE {where} ORDER BY seq"


_KEY: Final = ("key_channel", "key_bridge_id", "key_external_id")
EXPORT: Final = (
    "SELECT doc FROM bridge_configs ORDER BY id",
    "SELECT doc FROM rooms ORDER BY inserted_us, id",
    "SELECT doc FROM participants ORDER BY id",
    "SELECT doc FROM routing_policies ORDER BY room_id",
    "SELECT doc FROM room_bindings ORDER BY id",
    "SELECT doc FROM onboarding ORDER BY id",
    "SELECT doc FROM ingress_subscriptions ORDER BY bridge_id, subscription_id",
    "SELECT doc FROM threads ORDER BY seq",
    "SELECT doc FROM messages ORDER BY seq",
    "SELECT channel, bridge_id, external_id, room_id FROM binding_keys ORDER BY 1, 2, 3",
    "SELECT channel, external_id, participant_id FROM participant_keys ORDER BY 1, 2",
    _keys(", ".join(_KEY) + ", id", "messages", *_KEY),
    _keys("room_id, external_thread_id, id", "threads", "room_id", "external_thread_id"),
    _keys("room_id, root_message_id, id", "threads", "room_id", "root_message_id"),
)
"""One query per kind of :data:`~jido_persistence.export_plan.PLAN`, in its order.

Messages and threads come in ``seq`` order, their save order; a key is listed with its
holder when no later row holds it (an index probe per row, no sort)."""


def plain_insert(upsert: str) -> str:
    """The ``save_*`` statement ``upsert`` as a plain ``INSERT`` (same columns, same
    parameters): into an empty store nothing conflicts, and SQLite inserts several
    times faster without conflict resolution."""
    return upsert.replace("INSERT OR REPLACE INTO", "INSERT INTO", 1).split(" ON CONFLICT", 1)[0]


INSERTS: Final = {
    "bridge_config": plain_insert(BRIDGE_CONFIG_UPSERT),
    "room": plain_insert(ROOM_UPSERT),
    "participant": plain_insert(PARTICIPANT_UPSERT),
    "routing_policy": plain_insert(ROUTING_POLICY_UPSERT),
    "room_binding": plain_insert(BINDING_UPSERT),
    "onboarding": plain_insert(ONBOARDING_UPSERT),
    "ingress_subscription": plain_insert(INGRESS_UPSERT),
    "thread": plain_insert(THREAD_UPSERT),
    "message": plain_insert(MESSAGE_UPSERT),
    "binding_key": plain_insert(BINDING_KEY_PUT),
    "participant_key": plain_insert(PARTICIPANT_KEY_PUT),
}
"""Each written kind's import statement (the derived key kinds are not written); a
message's and a thread's ``seq`` is assigned in insert order."""

INTERCHANGE: Final = SqlInterchangeStatements(
    export=EXPORT,
    inserts=INSERTS,
    any_record=export_plan.any_record_query(export_plan.TABLES),
)
"""The table :class:`~jido_persistence.sqlkit_interchange.SqlInterchange` runs export
and import with (the logical tables of the plan are this schema's names)."""
