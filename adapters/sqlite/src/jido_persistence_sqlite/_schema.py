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
:func:`ensure_name_index`; created at any later open when the SQLite that ran version 3
had no FTS5).

The name index: ``name_fold`` holds the :func:`~jido_persistence.directory.name_fold` of
each room's and participant's name; FTS5's ``trigram`` tokenizer (``case_sensitive 1``:
the folds are matched as stored, SQLite folds nothing) indexes them, so a query of three
characters or more is a phrase of its trigrams.  A phrase reads the whole posting list
of each of its trigrams, and common ones ("use" in every "User ...") are as long as the
directory, so the adapter first counts the folds holding each trigram of the query
(capped, one statement) and matches only the rarest
(:func:`jido_persistence.ngrams.rarest_ngrams`); ``instr`` then rechecks those few
candidates, which makes the answer exact.  A query shorter than three characters, or
any query on a SQLite built without FTS5, keeps the scan (``instr``).  The FTS rows are
keyed by ``name_rows.seq``, an ``INTEGER PRIMARY KEY`` (which ``VACUUM`` never
renumbers, unlike the implicit rowids of ``rooms`` and ``participants``), and kept in
step by triggers on both tables: whatever writes a fold (a save, a delete, a cascade,
the Unicode refresh of the folds) updates the index in the same transaction.  The FTS
table is contentless (``content=''``): it stores the trigrams only, and a removal names
the old fold (FTS5's ``'delete'`` command).

The version lives in the file header (``PRAGMA user_version``); :func:`migrate` runs
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

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "ensure_name_index", "has_fts5", "migrate"]

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

_KINDS: Final = {"rooms": "room", "participants": "participant"}


def has_fts5(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite has FTS5 with the ``trigram`` tokenizer (SQLite 3.34+)."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.jp_fts5_probe USING fts5(x, tokenize='trigram')")
    except sqlite3.OperationalError:
        return False
    conn.execute("DROP TABLE temp.jp_fts5_probe")
    return True


def _entry(kind: str, row: str) -> str:
    """SQL: add the fold of ``row`` (``new``) of ``kind`` to the index."""
    return (
        f"INSERT INTO name_rows (kind, id) SELECT '{kind}', {row}.id"
        f" WHERE {row}.name_fold IS NOT NULL;"
        " INSERT INTO name_trigrams (rowid, name_fold)"
        f" SELECT seq, {row}.name_fold FROM name_rows WHERE kind = '{kind}' AND id = {row}.id"
        f" AND {row}.name_fold IS NOT NULL;"
    )


def _removal(kind: str, row: str) -> str:
    """SQL: remove the fold of ``row`` (``old``) of ``kind`` from the index."""
    return (
        "INSERT INTO name_trigrams (name_trigrams, rowid, name_fold)"
        f" SELECT 'delete', seq, {row}.name_fold FROM name_rows"
        f" WHERE kind = '{kind}' AND id = {row}.id AND {row}.name_fold IS NOT NULL;"
        f" DELETE FROM name_rows WHERE kind = '{kind}' AND id = {row}.id;"
    )


def index_statements() -> list[str]:
    """The statements of schema version 3: the index, its triggers, and its filling
    from the folds already stored."""
    statements = [
        """CREATE TABLE name_rows (
        seq INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        id TEXT COLLATE BINARY NOT NULL,
        UNIQUE (kind, id))""",
        "CREATE VIRTUAL TABLE name_trigrams USING fts5("
        "name_fold, content='', tokenize='trigram case_sensitive 1')",
    ]
    for table, kind in _KINDS.items():
        statements += [
            f"CREATE TRIGGER {table}_name_insert AFTER INSERT ON {table} BEGIN "
            + _entry(kind, "new")
            + " END",
            f"CREATE TRIGGER {table}_name_delete AFTER DELETE ON {table} BEGIN "
            + _removal(kind, "old")
            + " END",
            f"CREATE TRIGGER {table}_name_update AFTER UPDATE OF name_fold ON {table}"
            " WHEN old.name_fold IS NOT new.name_fold BEGIN "
            + _removal(kind, "old")
            + " "
            + _entry(kind, "new")
            + " END",
            f"INSERT INTO name_rows (kind, id) SELECT '{kind}', id FROM {table}"
            " WHERE name_fold IS NOT NULL ORDER BY id",
            "INSERT INTO name_trigrams (rowid, name_fold) SELECT n.seq, t.name_fold"
            f" FROM name_rows AS n JOIN {table} AS t ON t.id = n.id WHERE n.kind = '{kind}'",
        ]
    return statements


def ensure_name_index(conn: sqlite3.Connection) -> bool:
    """Whether the store has the name index, creating it (and filling it from the
    stored folds) when it is missing and this SQLite has FTS5's trigram tokenizer.

    Runs at every open, inside the open's transaction: a store first opened by a
    SQLite without FTS5 scans, and gains the index when a SQLite with it opens it.
    Raises ConfigurationError when the store has the index but this SQLite has no FTS5
    (its triggers could not run, so no room or participant could be written).
    """
    present = (
        conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'name_trigrams'").fetchone()
        is not None
    )
    available = has_fts5(conn)
    if present and not available:
        raise ConfigurationError(
            "this SQLite store has an FTS5 trigram index of directory names, and the "
            f"sqlite3 module's SQLite {sqlite3.sqlite_version} has no FTS5 trigram "
            "tokenizer (SQLite 3.34 or later built with FTS5 is needed to write it)"
        )
    if not present and available:
        for statement in index_statements():
            conn.execute(statement)
    return available


_VERSION_3: Final[Sequence[Step]] = (
    # The directory's name search through an FTS5 trigram index (see ensure_name_index).
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
