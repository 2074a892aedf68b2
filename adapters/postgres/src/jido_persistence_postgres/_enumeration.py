"""The PostgreSQL adapter's enumeration group (contract 9.2, keyset pages).

Each page is one statement: without a cursor the first ``limit`` records in order;
with one, the same statement tells whether the cursor is a record of the scope (else
CursorNotFound) and gives the records after it, through a row comparison the order
index serves (``rooms_order``, ``threads_room_order``, the primary keys of
``participants`` and ``onboarding``): O(log n + limit).  Pages come back as one JSON
array parsed in one call.
"""

from __future__ import annotations

import json
from typing import Any, Final

from pydantic import TypeAdapter

from jido_persistence.indexes import missing_cursor
from jido_persistence.models import Participant, Room, Thread
from jido_persistence_postgres._base import PostgresBase
from jido_persistence_postgres._database import Connection
from jido_persistence_postgres._interchange import PostgresInterchange

__all__ = ["PostgresEnumeration"]

ROOM_LIST: Final = TypeAdapter(list[Room])
THREAD_LIST: Final = TypeAdapter(list[Thread])
PARTICIPANT_LIST: Final = TypeAdapter(list[Participant])


class PostgresEnumeration(PostgresInterchange, PostgresBase):
    """Keyset pages over PostgreSQL tables."""

    def _page(
        self,
        name: str,
        queries: tuple[str, str],
        params: dict[str, Any],
        after: str | None,
        record: str,
        scope: str = "this store",
    ) -> str | None:
        """The page's JSON array text, ``None`` when empty.

        ``queries`` is (first page, page after a cursor).  Raises CursorNotFound naming
        ``record`` and ``scope`` when ``after`` is not a record of the scope.
        """
        first, after_query = queries
        if after is None:
            if params["limit"] == 0:
                return None
            doc: str | None = self._one(name, first, params)
            return doc
        cursor_params = {**params, "cursor": after}

        def work(conn: Connection) -> tuple[int, str | None]:
            row = conn.execute(after_query, cursor_params).fetchone()
            return (0, None) if row is None else (int(row[0]), row[1])

        in_scope, page = self._db.run(name, work)
        if not in_scope:
            raise missing_cursor(record, after, scope)
        return page

    def _list_rooms(self, *, limit: int, after: str | None = None) -> list[Room]:
        """The first ``limit`` rooms after the room ``after`` in ``(inserted_at, id)`` order."""
        queries = (self._sql.rooms_first, self._sql.rooms_after)
        page = self._page("list_rooms", queries, {"limit": limit}, after, "room")
        return [] if page is None else ROOM_LIST.validate_json(page)

    def _list_threads(self, room_id: str, *, limit: int, after: str | None = None) -> list[Thread]:
        """The room's first ``limit`` threads after the thread ``after``."""
        queries = (self._sql.threads_first, self._sql.threads_after)
        params = {"limit": limit, "room": room_id}
        page = self._page("list_threads", queries, params, after, "thread", f"room {room_id!r}")
        return [] if page is None else THREAD_LIST.validate_json(page)

    def _list_participants(self, *, limit: int, after: str | None = None) -> list[Participant]:
        """The first ``limit`` participants with an id above ``after``, by id."""
        queries = (self._sql.participants_first, self._sql.participants_after)
        page = self._page("list_participants", queries, {"limit": limit}, after, "participant")
        return [] if page is None else PARTICIPANT_LIST.validate_json(page)

    def _list_onboardings(self, *, limit: int, after: str | None = None) -> list[dict[str, Any]]:
        """The first ``limit`` onboarding flows with an id above ``after``, by id."""
        queries = (self._sql.onboardings_first, self._sql.onboardings_after)
        page = self._page("list_onboardings", queries, {"limit": limit}, after, "onboarding flow")
        flows: list[dict[str, Any]] = [] if page is None else json.loads(page)
        return flows
