"""Any legal schema name works: ``%``, ``{seq}``, quotes (issue 13, finding 3).

Schema names were spliced into SQL text: a name holding ``%`` failed with "the query
has 2 placeholders" and one holding ``{seq}`` put schema text outside its quotes.
Every statement now quotes the schema with ``psycopg.sql.Identifier``; these stores
run every callback, the raw index and a reopen in such schemas.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import sql

from jido_persistence import open_store
from jido_persistence.models import Room, RoomType
from jido_persistence_conformance._support import populate_everything, snapshot
from jido_persistence_postgres._options import with_schema
from jido_persistence_postgres.adapter import PostgresAdapter

NAMES = [
    "pct_%s_{u}",
    "100%_{u}",
    "seq_{seq}_{u}",
    "s_{s}_{u}",
    'quote_"x"_{u}',
    "apos_'x'_{u}",
    "brace_{{}}_%(room)s_{u}",
    "Ünï cödé {u}",
]


@pytest.mark.parametrize("template", NAMES)
def test_every_callback_works_in_an_unusual_schema(server_url: str, template: str) -> None:
    schema = template.replace("{u}", uuid.uuid4().hex[:8])
    url = with_schema(server_url, schema)
    try:
        with open_store(url) as store:
            extra = populate_everything(store)
            before = snapshot(store, **extra)
            assert store.directory_search("participant", {"name": "ann"})
            store.delete_room("room:min")
            store.save_room(Room(id="room:min2", type=RoomType.DIRECT))
            before = snapshot(store, **extra)
        with open_store(url) as again:
            assert snapshot(again, **extra) == before
        with psycopg.connect(server_url) as conn:
            found = conn.execute(
                "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = %s", (schema,)
            ).fetchone()
            assert found == (1,)
            tables = conn.execute(
                "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = %s", (schema,)
            ).fetchone()
            assert tables is not None
            assert tables[0] >= 9
    finally:
        PostgresAdapter.destroy_store(url)
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
