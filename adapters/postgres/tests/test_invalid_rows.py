"""A stored row its model rejects is a StorageError, never a raw pydantic error.

Issue 13, finding 1 and contract 9.0: ``list_rooms`` raised a raw
``pydantic_core.ValidationError`` on PostgreSQL for a row written behind the store's
back (or by an older, buggy writer).
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from jido_persistence.errors import StorageError
from jido_persistence.models import Room, RoomType
from jido_persistence_postgres.adapter import PostgresAdapter


def test_a_stored_row_its_model_rejects_is_a_storage_error(
    store: PostgresAdapter, server_url: str
) -> None:
    store.save_room(Room(id="r", type=RoomType.GROUP))
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("UPDATE {}.rooms SET doc = %s").format(sql.Identifier(store.options.schema)),
            ('{"id": "r", "type": "bogus"}',),
        )
    for call in (store.list_rooms, lambda: store.get_room("r")):
        with pytest.raises(StorageError, match="failed"):
            call()
