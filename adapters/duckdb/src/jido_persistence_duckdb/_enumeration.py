"""The DuckDB adapter's enumeration group (contract 9.2, keyset pages).

A mixin of :class:`~jido_persistence_duckdb.adapter.DuckDBAdapter`: the cursor is
looked up by its primary key (CursorNotFound when it is not a record of the scope),
then one keyset query gives the page (see :mod:`._statements` for its cost).
"""

from __future__ import annotations

import json
from typing import Any

from jido_persistence.indexes import missing_cursor
from jido_persistence.models import Participant, Room, Thread
from jido_persistence_duckdb import _statements as sql
from jido_persistence_duckdb._connection import Database
from jido_persistence_duckdb._tables import PARTICIPANTS, ROOMS, THREADS

__all__ = ["DuckDBEnumeration"]


class DuckDBEnumeration:
    """Keyset pages over DuckDB tables."""

    _db: Database

    def _rows(self, statement: str, params: list[Any]) -> list[Any]:
        with self._db.entered():
            return self._db.cursor().execute(statement, params).fetchall()

    def _cursor_found(self, statement: str, cursor_id: str) -> Any:
        with self._db.entered():
            return self._db.cursor().execute(statement, [cursor_id]).fetchone()

    def _list_rooms(self, *, limit: int, after: str | None = None) -> list[Room]:
        """The first ``limit`` rooms after the room ``after`` in ``(inserted_at, id)`` order."""
        if after is None:
            rows = [] if limit == 0 else self._rows(sql.LIST_ROOMS, [limit])
        else:
            if self._cursor_found(sql.ROOM_EXISTS, after) is None:
                raise missing_cursor("room", after)
            rows = [] if limit == 0 else self._rows(sql.LIST_ROOMS_AFTER, [after, limit])
        return [ROOMS.to_model(row) for row in rows]

    def _list_threads(self, room_id: str, *, limit: int, after: str | None = None) -> list[Thread]:
        """The room's first ``limit`` threads after the thread ``after``."""
        if after is None:
            rows = [] if limit == 0 else self._rows(sql.LIST_THREADS, [room_id, limit])
        else:
            found = self._cursor_found(sql.THREAD_ROOM, after)
            if found is None or found[0] != room_id:
                raise missing_cursor("thread", after, f"room {room_id!r}")
            params = [after, room_id, limit]
            rows = [] if limit == 0 else self._rows(sql.LIST_THREADS_AFTER, params)
        return [THREADS.to_model(row) for row in rows]

    def _list_participants(self, *, limit: int, after: str | None = None) -> list[Participant]:
        """The first ``limit`` participants with an id above ``after``, by id."""
        if after is not None and self._cursor_found(sql.PARTICIPANT_EXISTS, after) is None:
            raise missing_cursor("participant", after)
        if limit == 0:
            return []
        if after is None:
            rows = self._rows(sql.LIST_PARTICIPANTS, [limit])
        else:
            rows = self._rows(sql.LIST_PARTICIPANTS_AFTER, [after, limit])
        return [PARTICIPANTS.to_model(row) for row in rows]

    def _list_onboardings(self, *, limit: int, after: str | None = None) -> list[dict[str, Any]]:
        """The first ``limit`` onboarding flows with an id above ``after``, by id."""
        if after is not None and self._cursor_found(sql.ONBOARDING_EXISTS, after) is None:
            raise missing_cursor("onboarding flow", after)
        if limit == 0:
            return []
        if after is None:
            rows = self._rows(sql.LIST_ONBOARDINGS, [limit])
        else:
            rows = self._rows(sql.LIST_ONBOARDINGS_AFTER, [after, limit])
        return [json.loads(row[0]) for row in rows]
