"""The schema: created once however many processes open it, versioned, refused when unreadable."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql

from jido_persistence import open_store
from jido_persistence.errors import ConfigurationError
from jido_persistence.models import Message, Participant, Room, Thread
from jido_persistence.urls import StoreUrl
from jido_persistence_postgres._options import PostgresOptions
from jido_persistence_postgres._schema import SCHEMA_VERSION
from jido_persistence_postgres.adapter import PostgresAdapter


def open_and_report(url: str, index: int, wait_for_start: Callable[[], None]) -> str:
    """Open the store as soon as every process is ready, save a room, count the rooms."""
    wait_for_start()
    with open_store(url) as store:
        store.save_room(Room(id=f"room:{index}", type="group"))
        return str(len(store.list_rooms()))


def schema_of(url: str) -> str:
    return PostgresOptions.parse(PostgresAdapter.url_options(StoreUrl.parse(url))).schema


def meta(server_url: str, schema: str) -> dict[str, str]:
    with psycopg.connect(server_url) as conn:
        rows = conn.execute(
            sql.SQL("SELECT key, value FROM {}.meta").format(sql.Identifier(schema))
        ).fetchall()
    return dict(rows)


def test_many_processes_opening_a_fresh_schema_create_it_exactly_once(
    server_url: str, store_url: str, race: Callable[..., list[str]]
) -> None:
    # The version-1 statements are plain CREATE TABLE: running them twice would fail
    # a process, so every process succeeding means the schema was created once.
    results = race(open_and_report, 6, store_url)
    assert all(int(count) >= 1 for count in results)
    assert meta(server_url, schema_of(store_url))["schema_version"] == str(SCHEMA_VERSION)
    with open_store(store_url) as store:
        assert sorted(room.id for room in store.list_rooms()) == [f"room:{i}" for i in range(6)]


def test_a_store_survives_reopening_without_migrating_again(store_url: str) -> None:
    with open_store(store_url) as store:
        store.save_room(Room(id="r", type="group"))
    with open_store(store_url) as store:
        assert store.get_room("r").id == "r"


def test_a_store_of_a_newer_version_is_refused(server_url: str, store_url: str) -> None:
    open_store(store_url).close()
    schema = sql.Identifier(schema_of(store_url))
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("UPDATE {}.meta SET value = %s WHERE key = 'schema_version'").format(schema),
            (str(SCHEMA_VERSION + 1),),
        )
    with pytest.raises(ConfigurationError, match="newer"):
        open_store(store_url)


def test_name_folds_are_recomputed_when_the_unicode_version_changes(
    server_url: str, store_url: str
) -> None:
    with open_store(store_url) as store:
        store.save_participant(Participant(id="p", type="human", identity={"name": "Straße"}))
        store.save_room(Room(id="r", type="group", name="GROẞ"))
    schema = sql.Identifier(schema_of(store_url))
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("UPDATE {}.meta SET value = '1.0' WHERE key = 'unidata_version'").format(schema)
        )
        for table in ("participants", "rooms"):
            conn.execute(
                sql.SQL("UPDATE {}.{} SET name_fold = 'stale'").format(
                    schema, sql.Identifier(table)
                )
            )
    with open_store(store_url) as store:
        assert [p.id for p in store.directory_search("participant", {"name": "STRASSE"})] == ["p"]
        assert [r.id for r in store.directory_search("room", {"name": "gross"})] == ["r"]
        assert store.directory_search("room", {"name": "stale"}) == []
    assert meta(server_url, schema_of(store_url))["unidata_version"] == unicodedata.unidata_version


@pytest.fixture
def sql_ascii_database(
    server_url: str, missing_requirement: Callable[[str], NoReturn]
) -> Iterator[str]:
    """A database whose encoding is SQL_ASCII (needs CREATEDB; skipped without it,
    except under CI=true)."""
    name = "jp_ascii_" + uuid.uuid4().hex[:8]
    try:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL(
                    "CREATE DATABASE {} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'"
                    " TEMPLATE template0"
                ).format(sql.Identifier(name))
            )
    except psycopg.errors.InsufficientPrivilege:
        missing_requirement("the test user may not create databases (CREATEDB)")
    url = psycopg.conninfo.make_conninfo(server_url, dbname=name)
    yield url
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_database_that_is_not_utf8_is_refused(sql_ascii_database: str) -> None:
    with pytest.raises(ConfigurationError, match="UTF8"):
        PostgresAdapter(conninfo=sql_ascii_database, schema="s")


def test_any_schema_name_is_quoted_everywhere(server_url: str) -> None:
    schema = 'Odd "Name"; DROP TABLE x; -- é' + uuid.uuid4().hex[:6]
    store = PostgresAdapter(conninfo=server_url, schema=schema)
    try:
        store.save_room(Room(id="r", type="group", name="Room"))
        store.save_message(Message(id="m", room_id="r", sender_id="u", role="user"))
        store.save_thread(Thread(id="t", room_id="r", external_thread_id="x"))
        assert [m.id for m in store.get_messages("r")] == ["m"]
        assert store.get_thread_by_external_id("r", "x").id == "t"
        assert [r.id for r in store.directory_search("room", {"name": "roo"})] == ["r"]
        assert store.raw_index()["row_counts"]["messages"] == 1
    finally:
        store.close()
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def limited_role(server_url: str, missing_requirement: Callable[[str], NoReturn]) -> Iterator[str]:
    """A login role without any CREATE privilege (needs CREATEROLE; skipped without it,
    except under CI=true)."""
    role = "jp_limited_" + uuid.uuid4().hex[:8]
    try:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    except psycopg.errors.InsufficientPrivilege:
        missing_requirement("the test user may not create roles (CREATEROLE)")
    yield role
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_a_role_without_create_privileges_opens_a_schema_its_dba_prepared(
    server_url: str, store_url: str, limited_role: str
) -> None:
    open_store(store_url).close()
    schema = sql.Identifier(schema_of(store_url))
    role = sql.Identifier(limited_role)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, role))
        conn.execute(
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
                schema, role
            )
        )
        conn.execute(
            sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, role)
        )
    conninfo = psycopg.conninfo.make_conninfo(server_url, user=limited_role)
    with PostgresAdapter(conninfo=conninfo, schema=schema_of(store_url)) as store:
        store.save_room(Room(id="r", type="group", name="Limited"))
        store.save_message(Message(id="m", room_id="r", sender_id="u", role="user"))
        assert [r.id for r in store.directory_search("room", {"name": "limit"})] == ["r"]
        assert [m.id for m in store.get_messages("r")] == ["m"]


def test_a_version_1_store_gains_the_retention_column_and_indexes(
    server_url: str, store_url: str
) -> None:
    """A store written before retention (schema 1) is migrated at open: its messages
    get the generated ``sender_id`` column, and erasure finds them through it."""
    with open_store(store_url) as store:
        store.save_message(Message(id="m", room_id="r", sender_id="p", role="user"))
    schema = sql.Identifier(schema_of(store_url))
    with psycopg.connect(server_url, autocommit=True) as conn:
        for index in ("messages_sender", "participant_keys_owner"):
            conn.execute(
                sql.SQL("DROP INDEX {}").format(sql.Identifier(schema_of(store_url), index))
            )
        conn.execute(sql.SQL("ALTER TABLE {}.messages DROP COLUMN sender_id").format(schema))
        conn.execute(
            sql.SQL("UPDATE {}.meta SET value = '1' WHERE key = 'schema_version'").format(schema)
        )
    with open_store(store_url) as store:
        assert store.erase_participant("p").messages == 1
    assert meta(server_url, schema_of(store_url))["schema_version"] == str(SCHEMA_VERSION)
    with psycopg.connect(server_url) as conn:
        indexes = {
            row[0]
            for row in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = %s", (schema_of(store_url),)
            )
        }
    assert {"messages_sender", "participant_keys_owner"} <= indexes


def test_retention_statements_are_served_by_indexes(server_url: str, store_url: str) -> None:
    """Erasure finds a participant's messages and keys through the ``sender_id`` and
    ``participant_id`` indexes, and delete_messages through the room order index, not by
    scanning every room (sequential scans off, so the plan shows what is usable)."""
    from jido_persistence_postgres._retention import TEMPLATES
    from jido_persistence_postgres._statements import Statements

    open_store(store_url).close()
    statements = Statements(schema_of(store_url))
    with psycopg.connect(server_url) as conn:
        conn.execute("SET enable_seqscan = off")
        order = ("messages_room_order", "messages_thread_order")
        for name, params, indexes in (
            ("erase_delete", {"p": "p:1"}, ("messages_sender",)),
            ("erase_redact", {"p": "p:1"}, ("messages_sender",)),
            ("erase_delete", {"p": "p:1"}, ("participant_keys_owner",)),
            ("delete_before", ("r", datetime.now(UTC)), order),
            ("delete_before_thread", ("r", "t", datetime.now(UTC)), order[1:]),
        ):
            query = statements.render(TEMPLATES[name])
            plan = "\n".join(row[0] for row in conn.execute("EXPLAIN " + query, params))
            assert "Seq Scan on messages" not in plan, f"{name}: {plan}"
            assert any(index in plan for index in indexes), f"{name}: {plan}"
