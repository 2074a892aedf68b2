"""The SQLite adapter's enumeration group (contract 9.2, keyset pages).

A page without a cursor is the first ``limit`` records in order; with one, a
primary-key read of the cursor (CursorNotFound when it is no record of the scope)
gives its sort key, and the page is a row-value range scan of the order index,
``(inserted_us, id) > (?, ?)`` or ``id > ?``: O(log n + limit).
"""

from __future__ import annotations

import json
from typing import Any

from jido_persistence.indexes import missing_cursor
from jido_persistence.models import Participant, Room, Thread
from jido_persistence_sqlite import _statements as sql
from jido_persistence_sqlite._base import Connection, SQLiteBase
from jido_persistence_sqlite._interchange import SQLiteInterchange

__all__ = ["SQLiteEnumeration"]


class SQLiteEnumeration(SQLiteInterchange, SQLiteBase):
    """Keyset pages over the SQLite tables."""

    def _keyset(
        self,
        queries: sql.Keyset,
        scope: tuple[object, ...],
        *,
        limit: int,
        after: str | None,
        record: str,
        where: str = "this store",
    ) -> list[str]:
        """The documents of one page: ``queries`` is (first page, cursor, page after)."""
        first, cursor, page = queries

        def work(conn: Connection) -> list[Any]:
            if after is None:
                return conn.execute(first, (*scope, limit)).fetchall() if limit else []
            found = conn.execute(cursor, (after, *scope)).fetchone()
            if found is None:
                raise missing_cursor(record, after, where)
            return conn.execute(page, (*scope, *found, limit)).fetchall()

        return [row[0] for row in self._db.read(work)]

    def _list_rooms(self, *, limit: int, after: str | None) -> list[Room]:
        docs = self._keyset(sql.ROOM_PAGES, (), limit=limit, after=after, record="room")
        return [Room.model_validate_json(doc) for doc in docs]

    def _list_threads(self, room_id: str, *, limit: int, after: str | None) -> list[Thread]:
        docs = self._keyset(
            sql.THREAD_PAGES,
            (room_id,),
            limit=limit,
            after=after,
            record="thread",
            where=f"room {room_id!r}",
        )
        return [Thread.model_validate_json(doc) for doc in docs]

    def _list_participants(self, *, limit: int, after: str | None) -> list[Participant]:
        docs = self._keyset(
            sql.PARTICIPANT_PAGES, (), limit=limit, after=after, record="participant"
        )
        return [Participant.model_validate_json(doc) for doc in docs]

    def _list_onboardings(self, *, limit: int, after: str | None) -> list[dict[str, Any]]:
        docs = self._keyset(
            sql.ONBOARDING_PAGES, (), limit=limit, after=after, record="onboarding flow"
        )
        return [json.loads(doc) for doc in docs]
