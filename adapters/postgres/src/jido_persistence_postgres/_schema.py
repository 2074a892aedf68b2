"""The store's tables, and the forward-only migrations applied when a store opens.

Layout (every name qualified with the store's schema, never found through
``search_path``): each record is one row whose ``doc`` column (type ``json``, which
keeps the text exactly as written, unlike ``jsonb``) holds the record as pydantic
writes it, so every record round-trips type-exactly (``1e16`` stays a float, ``-0.0``
keeps its sign).  Beside ``doc``, each row carries the columns the callbacks search,
sort and join on: ids and keys as ``TEXT COLLATE "C"`` (code-point order), timestamps as
``timestamptz``, ``enabled`` as ``boolean``, the casefolded directory name, and a save
sequence for the "most recently saved holder" rule.

Opening a store runs :func:`migrate` in one transaction under a database-wide
advisory lock (``pg_advisory_xact_lock``): many processes opening a fresh schema at
once create it exactly once, and the others then see it complete.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from typing import Final

import psycopg
from psycopg import sql

from jido_persistence.directory import name_fold
from jido_persistence.errors import ConfigurationError
from jido_persistence.models import Participant, Room
from jido_persistence_postgres._identifiers import ParameterSafe

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "NameSearch", "migrate"]

MIGRATION_LOCK: Final = 0x6A69646F_70657273
"""The advisory lock key (``'jidopers'``) under which stores are created and migrated.

One key for the whole database: ``CREATE EXTENSION`` is database-wide, and creating a
schema takes milliseconds, so serialising every store's start-up costs nothing.
"""

_C: Final = 'TEXT COLLATE "C"'

_VERSION_1: Final = (
    "CREATE SEQUENCE {s}.save_seq AS bigint",
    f"""CREATE TABLE {{s}}.rooms (
        id {_C} PRIMARY KEY,
        inserted_at timestamptz NOT NULL,
        name_fold {_C},
        doc json NOT NULL)""",
    "CREATE INDEX rooms_order ON {s}.rooms (inserted_at, id)",
    f"""CREATE TABLE {{s}}.participants (
        id {_C} PRIMARY KEY,
        name_fold {_C},
        doc json NOT NULL)""",
    f"""CREATE TABLE {{s}}.participant_keys (
        channel {_C} NOT NULL,
        external_id {_C} NOT NULL,
        participant_id {_C} NOT NULL,
        PRIMARY KEY (channel, external_id))""",
    # sort_at maps a NULL inserted_at to -infinity, below every datetime, so that the
    # keyset comparisons (sort_at, id) < (x, y) need no NULL logic (contract 3).
    f"""CREATE TABLE {{s}}.messages (
        id {_C} PRIMARY KEY,
        room_id {_C} NOT NULL,
        thread_id {_C},
        inserted_at timestamptz,
        sort_at timestamptz NOT NULL
            GENERATED ALWAYS AS (coalesce(inserted_at, '-infinity'::timestamptz)) STORED,
        key_channel {_C},
        key_bridge_id {_C},
        key_external_id {_C},
        save_seq bigint NOT NULL,
        doc json NOT NULL)""",
    "CREATE INDEX messages_room_order ON {s}.messages (room_id, sort_at, id)",
    "CREATE INDEX messages_thread_order ON {s}.messages (room_id, thread_id, sort_at, id)",
    """CREATE INDEX messages_external_key ON {s}.messages
        (key_channel, key_bridge_id, key_external_id, save_seq DESC)""",
    f"""CREATE TABLE {{s}}.threads (
        id {_C} PRIMARY KEY,
        room_id {_C} NOT NULL,
        inserted_at timestamptz NOT NULL,
        external_thread_id {_C},
        root_message_id {_C},
        save_seq bigint NOT NULL,
        doc json NOT NULL)""",
    "CREATE INDEX threads_room_order ON {s}.threads (room_id, inserted_at, id)",
    """CREATE INDEX threads_external_key ON {s}.threads
        (room_id, external_thread_id, save_seq DESC)""",
    "CREATE INDEX threads_root_key ON {s}.threads (room_id, root_message_id, save_seq DESC)",
    f"""CREATE TABLE {{s}}.room_bindings (
        id {_C} PRIMARY KEY,
        room_id {_C} NOT NULL,
        channel {_C} NOT NULL,
        bridge_id {_C} NOT NULL,
        external_room_id {_C} NOT NULL,
        inserted_at timestamptz NOT NULL,
        doc json NOT NULL,
        UNIQUE (room_id, channel, bridge_id, external_room_id))""",
    "CREATE INDEX room_bindings_order ON {s}.room_bindings (room_id, inserted_at, id)",
    f"""CREATE TABLE {{s}}.binding_keys (
        channel {_C} NOT NULL,
        bridge_id {_C} NOT NULL,
        external_id {_C} NOT NULL,
        room_id {_C} NOT NULL,
        PRIMARY KEY (channel, bridge_id, external_id))""",
    "CREATE INDEX binding_keys_room ON {s}.binding_keys (room_id)",
    f"CREATE TABLE {{s}}.onboarding (id {_C} PRIMARY KEY, doc json NOT NULL)",
    f"""CREATE TABLE {{s}}.bridge_configs (
        id {_C} PRIMARY KEY,
        enabled boolean NOT NULL,
        doc json NOT NULL)""",
    f"CREATE TABLE {{s}}.routing_policies (room_id {_C} PRIMARY KEY, doc json NOT NULL)",
    f"""CREATE TABLE {{s}}.ingress_subscriptions (
        bridge_id {_C} NOT NULL,
        subscription_id {_C} NOT NULL,
        status {_C} NOT NULL,
        doc json NOT NULL,
        PRIMARY KEY (bridge_id, subscription_id))""",
)

_VERSION_2: Final = (
    # Retention (contract 9.3): erase_participant finds a participant's messages and
    # keys through these indexes, not by a scan of every room.  The sender id is
    # generated from the document, so no insert needs to know about it.
    f"""ALTER TABLE {{s}}.messages ADD COLUMN sender_id {_C}
        GENERATED ALWAYS AS ((doc->>'sender_id') COLLATE "C") STORED""",
    "CREATE INDEX messages_sender ON {s}.messages (sender_id)",
    "CREATE INDEX participant_keys_owner ON {s}.participant_keys (participant_id)",
)

MIGRATIONS: Final[Sequence[Sequence[str]]] = (_VERSION_1, _VERSION_2)
"""Migration ``n`` (1-based) brings a store from version ``n - 1`` to ``n``.  Forward only."""

SCHEMA_VERSION: Final = len(MIGRATIONS)
"""The version this adapter writes; a store with a newer one is refused."""

NameSearch = str
"""How the directory matches names: ``"trigram"`` (escaped LIKE, GIN index) or ``"strpos"``."""


def _run(conn: psycopg.Connection[tuple[object, ...]], schema: sql.Identifier, text: str) -> None:
    conn.execute(sql.SQL(text).format(s=schema), prepare=False)


def migrate(conn: psycopg.Connection[tuple[object, ...]], schema_name: str) -> NameSearch:
    """Create or upgrade the store in ``schema_name``; return the name-search method.

    Runs in one transaction under the migration advisory lock.  Raises
    ConfigurationError when the database encoding is not UTF8 or the store was written
    by a newer version of this adapter.
    """
    schema = sql.Identifier(schema_name)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,), prepare=False)
        row = conn.execute(
            "SELECT pg_encoding_to_char(encoding) FROM pg_catalog.pg_database"
            " WHERE datname = current_database()",
            prepare=False,
        ).fetchone()
        encoding = row[0] if row else None
        if encoding != "UTF8":
            raise ConfigurationError(
                f"the database encoding is {encoding}, not UTF8: create the database with "
                "ENCODING 'UTF8' (PostgreSQL cannot store every valid record otherwise)"
            )
        # Look before creating: CREATE ... IF NOT EXISTS still needs the CREATE
        # privilege, which a role using a schema prepared by its DBA may not have.
        if not _exists(conn, schema_name, None):
            _run(conn, schema, "CREATE SCHEMA {s}")
        if not _exists(conn, schema_name, "meta"):
            _run(
                conn, schema, f"CREATE TABLE {{s}}.meta (key {_C} PRIMARY KEY, value text NOT NULL)"
            )
        version = int(_meta(conn, schema, "schema_version") or 0)
        if version > SCHEMA_VERSION:
            raise ConfigurationError(
                f"the store in schema {schema_name!r} has schema version {version}, newer "
                f"than this adapter's {SCHEMA_VERSION}: upgrade jido-persistence-postgres"
            )
        if version < SCHEMA_VERSION:
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    _run(conn, schema, statement)
            _set_meta(conn, schema, "schema_version", str(SCHEMA_VERSION))
        if _meta(conn, schema, "unidata_version") != unicodedata.unidata_version:
            _refold(conn, schema)
            _set_meta(conn, schema, "unidata_version", unicodedata.unidata_version)
        return _name_search(conn, schema_name)


def _exists(
    conn: psycopg.Connection[tuple[object, ...]], schema_name: str, relation: str | None
) -> bool:
    """Whether the schema (``relation`` None) or its relation ``relation`` exists."""
    if relation is None:
        query = "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s"
        return conn.execute(query, (schema_name,), prepare=False).fetchone() is not None
    name = sql.Identifier(schema_name, relation).as_string(conn)
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,), prepare=False).fetchone()
    return bool(row and row[0])


def _meta(
    conn: psycopg.Connection[tuple[object, ...]], schema: sql.Identifier, key: str
) -> str | None:
    query = sql.SQL("SELECT value FROM {s}.meta WHERE key = %s").format(s=ParameterSafe(schema))
    row = conn.execute(query, (key,), prepare=False).fetchone()
    return None if row is None else str(row[0])


def _set_meta(
    conn: psycopg.Connection[tuple[object, ...]], schema: sql.Identifier, key: str, value: str
) -> None:
    query = sql.SQL(
        "INSERT INTO {s}.meta (key, value) VALUES (%s, %s)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    ).format(s=ParameterSafe(schema))
    conn.execute(query, (key, value), prepare=False)


def _refold(conn: psycopg.Connection[tuple[object, ...]], schema: sql.Identifier) -> None:
    """Recompute the stored name folds: ``str.casefold`` changes with the Unicode version."""
    tables: tuple[tuple[str, Callable[[str], str | None]], ...] = (
        ("rooms", lambda doc: name_fold(Room.model_validate_json(doc).name)),
        (
            "participants",
            lambda doc: name_fold(Participant.model_validate_json(doc).identity.get("name")),
        ),
    )
    for table, fold_of in tables:
        select = sql.SQL("SELECT id, doc::text FROM {s}.{t}").format(
            s=schema, t=sql.Identifier(table)
        )
        rows = conn.execute(select, prepare=False).fetchall()
        update = sql.SQL("UPDATE {s}.{t} SET name_fold = %s WHERE id = %s").format(
            s=ParameterSafe(schema), t=ParameterSafe(sql.Identifier(table))
        )
        with conn.cursor() as cursor:
            cursor.executemany(update, [(fold_of(str(doc)), id_) for id_, doc in rows])


def _name_search(conn: psycopg.Connection[tuple[object, ...]], schema_name: str) -> str:
    """Give the name folds trigram indexes when ``pg_trgm`` is (or can be) installed.

    ``CREATE EXTENSION`` needs a privilege the store's user may lack: it is tried in a
    savepoint, and without the extension the directory uses ``strpos`` (a scan).
    """
    extension_schema = _trigram_schema(conn)
    if extension_schema is None:
        try:
            with conn.transaction():
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", prepare=False)
        except psycopg.Error:
            return "strpos"
        extension_schema = _trigram_schema(conn)
        if extension_schema is None:
            return "strpos"
    opclass = sql.SQL("{}.gin_trgm_ops").format(sql.Identifier(extension_schema))
    for table in ("rooms", "participants"):
        name = f"{table}_name_trigram"
        index = sql.Identifier(schema_name, name)
        if _exists(conn, schema_name, name):
            statements = _without_pending_list(conn, index)
            if statements is None:
                continue
        else:
            statements = [
                sql.SQL(
                    "CREATE INDEX IF NOT EXISTS {i} ON {s}.{t} USING gin (name_fold {o})"
                    " WITH (fastupdate = off)"
                    ""
                ).format(
                    i=sql.Identifier(name),
                    s=sql.Identifier(schema_name),
                    t=sql.Identifier(table),
                    o=opclass,
                )
            ]
        try:
            with conn.transaction():
                for statement in statements:
                    conn.execute(statement, prepare=False)
        except psycopg.Error:
            return "strpos"
    return "trigram"


def _without_pending_list(
    conn: psycopg.Connection[tuple[object, ...]], index: sql.Identifier
) -> list[sql.Composed] | None:
    """The statements turning ``fastupdate`` off on an index created before it was
    (flushing its pending list), or ``None`` when it is off already.

    With ``fastupdate`` on, new entries wait in the GIN pending list until a vacuum,
    and while the list is long the planner prices the index above a scan: measured on
    a store just filled with 10,000 participants, a sequential scan (1.3 ms) instead of
    the index (0.5 ms).  Off, each insert updates the index at once (a few trigrams).
    """
    name = index.as_string(conn)
    row = conn.execute(
        "SELECT 'fastupdate=off' = ANY(coalesce(reloptions, '{}')) FROM pg_catalog.pg_class"
        " WHERE oid = to_regclass(%s)",
        (name,),
        prepare=False,
    ).fetchone()
    if row is None or row[0]:
        return None
    return [
        sql.SQL("ALTER INDEX {} SET (fastupdate = off)").format(index),
        sql.SQL("SELECT gin_clean_pending_list({}::regclass)").format(sql.Literal(name)),
    ]


def _trigram_schema(conn: psycopg.Connection[tuple[object, ...]]) -> str | None:
    row = conn.execute(
        "SELECT n.nspname FROM pg_catalog.pg_extension e"
        " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_trgm'",
        prepare=False,
    ).fetchone()
    return None if row is None else str(row[0])
