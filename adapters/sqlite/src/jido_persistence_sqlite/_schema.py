"""The store's tables, and the forward-only migrations applied when a store opens.

Each record is one row whose ``doc`` column holds the record as pydantic writes it
(``model_dump_json``), read back with ``model_validate_json``: exact, type-preserving
round trips (``1e16`` stays a float, ``-0.0`` keeps its sign), independent of any time
zone.  Beside ``doc``, each row carries the columns the callbacks search, sort and join
on.  Every text key column is declared ``COLLATE BINARY``: SQLite then compares the
UTF-8 bytes, which is code-point order, as the contract asks.  Timestamps are integer
microseconds since the Unix epoch (``datetime.min`` and ``datetime.max`` fit in 64
bits); ``messages.sort_us`` holds ``-2**63`` for a ``None`` ``inserted_at``, the
contract's NULLS FIRST as a value below every datetime, so keyset comparisons need no
NULL logic.

Messages and threads have ``seq INTEGER PRIMARY KEY`` (the rowid) and a unique ``id``:
each save is an ``INSERT OR REPLACE`` with ``seq`` NULL, which SQLite numbers one above
the largest ``seq`` in the table, so ``seq`` is the save order of the rows that exist
("the most recently saved holder" of a key is the one with the largest ``seq``), and
``VACUUM`` keeps it (it may renumber implicit rowids, never an INTEGER PRIMARY KEY).

Schema version 3 adds the directory's FTS5 trigram index of the name folds (see
:mod:`._names`; created at any later open when the SQLite that ran version 3 had no
FTS5).  The version lives in the file header (``PRAGMA user_version``); :func:`migrate` runs
inside the ``BEGIN IMMEDIATE`` transaction that opens a store, so processes opening a
new file at once create it exactly once.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable, Sequence
from typing import Final

from jido_persistence.directory import name_fold
from jido_persistence.errors import ConfigurationError
from jido_persistence.models import Participant, Room
from jido_persistence_sqlite._names import ensure_name_index

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate"]

_K: Final = "TEXT COLLATE BINARY"

_VERSION_1: Final = (
    f"""CREATE TABLE rooms (
        id {_K} PRIMARY KEY,
        inserted_us INTEGER NOT NULL,
        name_fold {_K},
        doc TEXT NOT NULL)""",
    "CREATE INDEX rooms_order ON rooms (inserted_us, id)",
    f"""CREATE TABLE participants (
        id {_K} PRIMARY KEY,
        name_fold {_K},
        doc TEXT NOT NULL)""",
    f"""CREATE TABLE participant_keys (
        channel {_K} NOT NULL,
        external_id {_K} NOT NULL,
        participant_id {_K} NOT NULL,
        PRIMARY KEY (channel, external_id)) WITHOUT ROWID""",
    f"""CREATE TABLE messages (
        seq INTEGER PRIMARY KEY,
        id {_K} NOT NULL UNIQUE,
        room_id {_K} NOT NULL,
        thread_id {_K},
        sort_us INTEGER NOT NULL,
        key_channel {_K},
        key_bridge_id {_K},
        key_external_id {_K},
        doc TEXT NOT NULL)""",
    "CREATE INDEX messages_room_order ON messages (room_id, sort_us, id)",
    "CREATE INDEX messages_thread_order ON messages (room_id, thread_id, sort_us, id)",
    # The index ends with the rowid (seq), so "the newest holder" is its last entry.
    """CREATE INDEX messages_external_key ON messages (key_channel, key_bridge_id,
        key_external_id) WHERE key_external_id IS NOT NULL""",
    f"""CREATE TABLE threads (
        seq INTEGER PRIMARY KEY,
        id {_K} NOT NULL UNIQUE,
        room_id {_K} NOT NULL,
        inserted_us INTEGER NOT NULL,
        external_thread_id {_K},
        root_message_id {_K},
        doc TEXT NOT NULL)""",
    "CREATE INDEX threads_room_order ON threads (room_id, inserted_us, id)",
    """CREATE INDEX threads_external_key ON threads (room_id, external_thread_id)
        WHERE external_thread_id IS NOT NULL""",
    """CREATE INDEX threads_root_key ON threads (room_id, root_message_id)
        WHERE root_message_id IS NOT NULL""",
    f"""CREATE TABLE room_bindings (
        id {_K} PRIMARY KEY,
        room_id {_K} NOT NULL,
        channel {_K} NOT NULL,
        bridge_id {_K} NOT NULL,
        external_room_id {_K} NOT NULL,
        inserted_us INTEGER NOT NULL,
        doc TEXT NOT NULL,
        UNIQUE (room_id, channel, bridge_id, external_room_id))""",
    "CREATE INDEX room_bindings_order ON room_bindings (room_id, inserted_us, id)",
    f"""CREATE TABLE binding_keys (
        channel {_K} NOT NULL,
        bridge_id {_K} NOT NULL,
        external_id {_K} NOT NULL,
        room_id {_K} NOT NULL,
        PRIMARY KEY (channel, bridge_id, external_id)) WITHOUT ROWID""",
    "CREATE INDEX binding_keys_room ON binding_keys (room_id)",
    f"CREATE TABLE onboarding (id {_K} PRIMARY KEY, doc TEXT NOT NULL)",
    f"""CREATE TABLE bridge_configs (
        id {_K} PRIMARY KEY,
        enabled INTEGER NOT NULL,
        doc TEXT NOT NULL)""",
    f"CREATE TABLE routing_policies (room_id {_K} PRIMARY KEY, doc TEXT NOT NULL)",
    f"""CREATE TABLE ingress_subscriptions (
        bridge_id {_K} NOT NULL,
        subscription_id {_K} NOT NULL,
        status {_K} NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (bridge_id, subscription_id)) WITHOUT ROWID""",
    f"CREATE TABLE meta (key {_K} PRIMARY KEY, value TEXT NOT NULL)",
)

_VERSION_2: Final = (
    # Retention (contract 9.3): erase_participant finds a participant's messages and
    # keys through these indexes, not by a scan.  An index on the document's sender_id
    # expression needs no new column, so no insert changes.
    "CREATE INDEX messages_sender ON messages (json_extract(doc, '$.sender_id'))",
    "CREATE INDEX participant_keys_owner ON participant_keys (participant_id)",
)

Step = str | Callable[[sqlite3.Connection], object]
"""A migration step: a SQL statement, or a function run on the connection."""

_VERSION_3: Final[Sequence[Step]] = (
    # The directory's name search through an FTS5 trigram index (see ._names).
    ensure_name_index,
)

MIGRATIONS: Final[Sequence[Sequence[Step]]] = (_VERSION_1, _VERSION_2, _VERSION_3)
"""Migration ``n`` (1-based) brings a store from version ``n - 1`` to ``n``.  Forward only."""

SCHEMA_VERSION: Final = len(MIGRATIONS)
"""The version this adapter writes; a store with a newer one is refused."""


def migrate(conn: sqlite3.Connection, location: str) -> bool:
    """Create or upgrade the store behind ``conn``, inside the caller's transaction;
    return whether it has the directory's name index (:func:`ensure_name_index`).

    Also recomputes the stored name folds when Python's Unicode version differs from
    the one they were computed with.  Raises ConfigurationError when the file was
    written by a newer version of this adapter.
    """
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise ConfigurationError(
            f"the SQLite store {location} has schema version {version}, newer than "
            f"{SCHEMA_VERSION} which this jido-persistence-sqlite understands: upgrade it"
        )
    for steps in MIGRATIONS[version:]:
        for step in steps:
            if isinstance(step, str):
                conn.execute(step)
            else:
                step(conn)
    if version < SCHEMA_VERSION:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    row = conn.execute("SELECT value FROM meta WHERE key = 'unidata_version'").fetchone()
    if row is None or row[0] != unicodedata.unidata_version:
        _refold(conn)
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('unidata_version', ?)",
            (unicodedata.unidata_version,),
        )
    return ensure_name_index(conn)


def _refold(conn: sqlite3.Connection) -> None:
    """Recompute the stored name folds: ``str.casefold`` changes with the Unicode version."""
    rooms = conn.execute("SELECT id, doc FROM rooms").fetchall()
    conn.executemany(
        "UPDATE rooms SET name_fold = ? WHERE id = ?",
        [(name_fold(Room.model_validate_json(doc).name), id_) for id_, doc in rooms],
    )
    participants = conn.execute("SELECT id, doc FROM participants").fetchall()
    conn.executemany(
        "UPDATE participants SET name_fold = ? WHERE id = ?",
        [
            (name_fold(Participant.model_validate_json(doc).identity.get("name")), id_)
            for id_, doc in participants
        ],
    )
