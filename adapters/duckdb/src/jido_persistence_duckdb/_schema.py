"""The schema: versioned, forward-only migrations applied when a store is opened.

``schema_version`` holds one row per applied migration.  Opening a store whose
recorded version is newer than :data:`SCHEMA_VERSION` raises ConfigurationError (this
code cannot know what the newer schema means).  A migration step is a SQL statement or
a Python function of the connection (for data SQL cannot compute: version 3 fills the
new ``body`` column of the messages from their typed columns).  ``jp_meta`` records the Unicode
version of the stored name folds; when Python's ``unicodedata.unidata_version``
differs at open, the folds are recomputed (``str.casefold`` can change between
Unicode versions).

Tables are ``jp_*``; the documented views (``rooms``, ``messages``, ...) are what the
analytics API reads.  ``bridge_configs`` leaves ``credentials`` out on purpose.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Final

import duckdb

from jido_persistence.directory import name_fold
from jido_persistence.errors import ConfigurationError, StorageError
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

__all__ = ["SCHEMA_VERSION", "VIEWS", "migrate", "name_fold", "participant_name_fold"]


def participant_name_fold(identity: Mapping[str, object]) -> str | None:
    """The stored fold of a participant's display name (``identity["name"]``)."""
    return name_fold(identity.get("name"))


_V1: Final[Sequence[str]] = (
    "CREATE SEQUENCE jp_save_seq START 1",
    f"""CREATE TABLE {ROOMS.table} (
    {ROOMS.column_ddl()},
    name_fold VARCHAR,
    PRIMARY KEY (id))""",
    f"""CREATE TABLE {PARTICIPANTS.table} (
    {PARTICIPANTS.column_ddl()},
    name_fold VARCHAR,
    external_id_pairs VARCHAR[],
    PRIMARY KEY (id))""",
    f"""CREATE TABLE {MESSAGES.table} (
    {MESSAGES.column_ddl()},
    sort_us BIGINT NOT NULL,
    external_key VARCHAR,
    save_seq BIGINT NOT NULL,
    PRIMARY KEY (id))""",
    f"CREATE INDEX jp_messages_room ON {MESSAGES.table} (room_id)",
    f"CREATE INDEX jp_messages_external_key ON {MESSAGES.table} (external_key)",
    f"""CREATE TABLE {THREADS.table} (
    {THREADS.column_ddl()},
    external_key VARCHAR,
    root_key VARCHAR,
    save_seq BIGINT NOT NULL,
    PRIMARY KEY (id))""",
    f"CREATE INDEX jp_threads_room ON {THREADS.table} (room_id)",
    f"CREATE INDEX jp_threads_external_key ON {THREADS.table} (external_key)",
    f"CREATE INDEX jp_threads_root_key ON {THREADS.table} (root_key)",
    f"""CREATE TABLE {BINDINGS.table} (
    {BINDINGS.column_ddl()},
    binding_key VARCHAR NOT NULL,
    room_key VARCHAR NOT NULL,
    PRIMARY KEY (id))""",
    f"CREATE INDEX jp_room_bindings_room ON {BINDINGS.table} (room_id)",
    f"CREATE INDEX jp_room_bindings_room_key ON {BINDINGS.table} (room_key)",
    """CREATE TABLE jp_binding_keys (
    binding_key VARCHAR PRIMARY KEY,
    channel VARCHAR NOT NULL,
    bridge_id VARCHAR NOT NULL,
    external_id VARCHAR NOT NULL,
    room_id VARCHAR NOT NULL)""",
    """CREATE TABLE jp_participant_keys (
    participant_key VARCHAR PRIMARY KEY,
    channel VARCHAR NOT NULL,
    external_id VARCHAR NOT NULL,
    participant_id VARCHAR NOT NULL)""",
    """CREATE TABLE jp_onboarding (
    onboarding_id VARCHAR PRIMARY KEY,
    flow JSON NOT NULL)""",
    f"""CREATE TABLE {BRIDGE_CONFIGS.table} (
    {BRIDGE_CONFIGS.column_ddl()},
    PRIMARY KEY (id))""",
    f"""CREATE TABLE {ROUTING_POLICIES.table} (
    {ROUTING_POLICIES.column_ddl()},
    PRIMARY KEY (room_id))""",
    f"""CREATE TABLE {INGRESS.table} (
    {INGRESS.column_ddl()},
    subscription_key VARCHAR PRIMARY KEY)""",
    f"CREATE INDEX jp_ingress_bridge ON {INGRESS.table} (bridge_id)",
    "CREATE TABLE jp_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    "CREATE VIEW rooms AS SELECT id, type, name, external_bindings, metadata, inserted_at "
    f"FROM {ROOMS.table}",
    "CREATE VIEW participants AS SELECT id, type, identity ->> 'name' AS name, identity, "
    f"external_ids, presence, capabilities, metadata FROM {PARTICIPANTS.table}",
    "CREATE VIEW messages AS SELECT "
    + ", ".join(name for name, _ in MESSAGES.columns)
    + f" FROM {MESSAGES.table}",
    "CREATE VIEW threads AS SELECT "
    + ", ".join(name for name, _ in THREADS.columns)
    + f" FROM {THREADS.table}",
    "CREATE VIEW room_bindings AS SELECT "
    + ", ".join(name for name, _ in BINDINGS.columns)
    + f" FROM {BINDINGS.table}",
    "CREATE VIEW room_binding_keys AS SELECT channel, bridge_id, external_id, room_id "
    "FROM jp_binding_keys",
    "CREATE VIEW participant_keys AS SELECT channel, external_id, participant_id "
    "FROM jp_participant_keys",
    "CREATE VIEW bridge_configs AS SELECT "
    + ", ".join(name for name, _ in BRIDGE_CONFIGS.columns if name != "credentials")
    + f" FROM {BRIDGE_CONFIGS.table}",
    "CREATE VIEW routing_policies AS SELECT "
    + ", ".join(name for name, _ in ROUTING_POLICIES.columns)
    + f" FROM {ROUTING_POLICIES.table}",
    "CREATE VIEW ingress_subscriptions AS SELECT "
    + ", ".join(name for name, _ in INGRESS.columns)
    + f" FROM {INGRESS.table}",
    "CREATE VIEW onboarding AS SELECT onboarding_id, flow FROM jp_onboarding",
)

_V2: Final[Sequence[str]] = (
    # Retention (contract 9.3): erase_participant finds a participant's messages and
    # keys by these, not by a scan of every room.
    f"CREATE INDEX jp_messages_sender ON {MESSAGES.table} (sender_id)",
    "CREATE INDEX jp_participant_keys_owner ON jp_participant_keys (participant_id)",
)

BACKFILL_ROWS: Final = 8192
"""Messages per ``UPDATE`` when version 3 fills ``body``."""

_SET_BODIES: Final = (
    f"UPDATE {MESSAGES.table} SET body = b.body FROM (SELECT unnest(?::VARCHAR[]) AS id, "
    f"unnest(?::VARCHAR[]) AS body) AS b WHERE {MESSAGES.table}.id = b.id"
)


def set_bodies(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> None:
    """Rewrite the ``body`` of the messages ``ids`` from their typed columns."""
    for start in range(0, len(ids), BACKFILL_ROWS):
        batch = list(ids[start : start + BACKFILL_ROWS])
        rows = con.execute(
            f"SELECT {MESSAGES.select_list} FROM {MESSAGES.table} "
            "WHERE id IN (SELECT unnest(?::VARCHAR[]))",
            [batch],
        ).fetchall()
        bodies = [MESSAGES.from_columns(row) for row in rows]
        con.execute(
            _SET_BODIES,
            [[body.id for body in bodies], [body.model_dump_json() for body in bodies]],
        )


def _fill_bodies(con: duckdb.DuckDBPyConnection) -> None:
    ids = [str(row[0]) for row in con.execute(f"SELECT id FROM {MESSAGES.table}").fetchall()]
    set_bodies(con, ids)


Step = str | Callable[[duckdb.DuckDBPyConnection], None]
"""A migration step: a SQL statement, or a function run on the connection."""

_V3: Final[Sequence[Step]] = (
    # The callbacks read the record's JSON from one column (see ._rows): the typed
    # columns stay for analytics (the ``messages`` view) and for the searches.
    f"ALTER TABLE {MESSAGES.table} ADD COLUMN body VARCHAR",
    _fill_bodies,
)

MIGRATIONS: Final[Sequence[Sequence[Step]]] = (_V1, _V2, _V3)
"""Migration ``n`` (1-based) brings the schema from version ``n - 1`` to ``n``."""

SCHEMA_VERSION: Final = len(MIGRATIONS)
"""The schema version this code writes and reads."""

VIEWS: Final = (
    "rooms",
    "participants",
    "messages",
    "threads",
    "room_bindings",
    "room_binding_keys",
    "participant_keys",
    "bridge_configs",
    "routing_policies",
    "ingress_subscriptions",
    "onboarding",
)
"""The documented read-only views, one per stored record kind."""


def migrate(con: duckdb.DuckDBPyConnection, location: str) -> None:
    """Bring the store behind ``con`` to :data:`SCHEMA_VERSION`; refresh stale name folds.

    A database without tables becomes a store in one transaction (schema, views and
    its ``schema_version`` row together); each later migration runs in one transaction
    with its row.  Raises ConfigurationError, changing nothing, when the database is
    not a jido-persistence store (tables but no ``schema_version``) or was written by a
    newer schema; StorageError, naming the file, when DuckDB fails to read it (damaged).
    """
    try:
        _migrate(con, location)
    except duckdb.Error as error:
        raise StorageError(
            f"cannot open the DuckDB store {location}: the file is damaged or unreadable "
            f"({type(error).__name__}: {error})"
        ) from error


def _migrate(con: duckdb.DuckDBPyConnection, location: str) -> None:
    tables = {
        str(name)
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
    }
    if tables and "schema_version" not in tables:
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise ConfigurationError(
            f"{location} is a DuckDB database but not a jido-persistence store (it has "
            f"the tables {shown} and no schema_version); it was left unchanged"
        )
    current = 0
    if tables:
        row = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
        current = int(row[0]) if row else 0
    if current > SCHEMA_VERSION:
        raise ConfigurationError(
            f"{location} has schema version {current}, newer than {SCHEMA_VERSION} which "
            "this jido-persistence-duckdb understands; upgrade jido-persistence-duckdb"
        )
    for version in range(current + 1, SCHEMA_VERSION + 1):
        con.execute("BEGIN TRANSACTION")
        try:
            if not tables and version == 1:
                con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
            for step in MIGRATIONS[version - 1]:
                if isinstance(step, str):
                    con.execute(step)
                else:
                    step(con)
            con.execute("INSERT INTO schema_version VALUES (?)", [version])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    _refresh_folds(con)


def _refresh_folds(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute ``name_fold`` columns when the Unicode version of Python changed."""
    wanted = unicodedata.unidata_version
    row = con.execute("SELECT value FROM jp_meta WHERE key = 'unidata_version'").fetchone()
    if row is not None and row[0] == wanted:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        rooms = con.execute(f"SELECT id, name FROM {ROOMS.table}").fetchall()
        if rooms:
            con.executemany(
                f"UPDATE {ROOMS.table} SET name_fold = ? WHERE id = ?",
                [[name_fold(name), room_id] for room_id, name in rooms],
            )
        participants = con.execute(f"SELECT id, identity FROM {PARTICIPANTS.table}").fetchall()
        if participants:
            con.executemany(
                f"UPDATE {PARTICIPANTS.table} SET name_fold = ? WHERE id = ?",
                [
                    [participant_name_fold(json.loads(identity)), participant_id]
                    for participant_id, identity in participants
                ],
            )
        con.execute("INSERT OR REPLACE INTO jp_meta VALUES ('unidata_version', ?)", [wanted])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
