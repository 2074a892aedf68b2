"""``SqlHooks`` and ``SqlGroups``: what a SQL adapter provides, and the paged groups.

:class:`SqlHooks` declares the hooks of :mod:`jido_persistence.sqlkit` (for type
checkers; at run time it is a plain mixin) with the call helpers every callback runs
through.  :class:`SqlGroups` adds the enumeration pages (keyset: a primary-key read of
the cursor, then a range scan, O(log n + limit)), the retention group (each call one
write transaction) and the ``raw_index`` test hook.
:class:`~jido_persistence.sqlkit_records.SqlRecords`, which adapters inherit, builds
on both.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel

from jido_persistence.adapter import PersistenceAdapter, RawIndex
from jido_persistence.errors import NotFound, StoreClosed
from jido_persistence.indexes import missing_cursor
from jido_persistence.models import Erasure, Message, Participant, Room, Thread
from jido_persistence.redaction import needs_redaction, redacted
from jido_persistence.sqlkit import Keyset, SqlConnection, SqlStatements, Work
from jido_persistence.sqlkit_rows import epoch_us

__all__ = ["SqlGroups", "SqlHooks"]

T = TypeVar("T")
ModelT = TypeVar("ModelT", bound=BaseModel)
Params = tuple[object, ...]

if TYPE_CHECKING:
    _Mixin = PersistenceAdapter
else:
    # A plain mixin at run time: it implements the optional groups but for export and
    # import, which the adapter adds (a group is checked whole on the adapter class).
    _Mixin = object


class SqlHooks(_Mixin):
    """The hooks a SQL adapter defines (see :mod:`jido_persistence.sqlkit`), and helpers."""

    sql_no_limit: ClassVar[object] = None
    """The ``LIMIT`` parameter that means no limit (``None``: SQL ``NULL``)."""

    if TYPE_CHECKING:
        _sql: SqlStatements

        def _sql_one(self, statement: str, params: Params) -> Any: ...
        def _sql_all(self, statement: str, params: Params) -> list[Any]: ...
        def _sql_read(self, work: Work[T]) -> T: ...
        def _sql_write(self, name: str, work: Work[T]) -> T: ...

    def _sql_snapshot(self, work: Work[T]) -> T:
        return self._sql_read(work)

    def _sql_name_filter(self, target: str, fold: str) -> tuple[list[str], list[object]] | None:
        """The conditions and parameters matching ``target`` rows whose fold holds ``fold``
        (``None``: none can); by default the statements' ``directory_name`` test."""
        return [self._sql.directory_name], [fold]

    def _sql_get(self, statement: str, key: str, model: type[ModelT], entity: str) -> ModelT:
        row = self._sql_one(statement, (key,))
        if row is None:
            raise NotFound(entity, key)
        return model.model_validate_json(row[0])

    def _sql_docs(self, statement: str, params: Params) -> list[Any]:
        return [row[0] for row in self._sql_all(statement, params)]

    def _sql_run(self, name: str, statement: str, params: Params) -> int:
        """One write statement in its own transaction; the rows it changed."""
        return int(self._sql_write(name, lambda conn: conn.execute(statement, params).rowcount))

    def _sql_delete(self, name: str, statement: str, params: Params, entity: str) -> None:
        if not self._sql_run(name, statement, params):
            raise NotFound(entity, params[0] if len(params) == 1 else params)


class SqlGroups(SqlHooks):
    """The enumeration pages, the retention group and ``raw_index`` over ``_sql``."""

    def _sql_page(
        self, queries: Keyset, scope: Params, limit: int, after: str | None, record: str, where: str
    ) -> list[Any]:
        first, cursor, page = queries

        def work(conn: SqlConnection) -> list[Any]:
            if after is None:
                return list(conn.execute(first, (*scope, limit)).fetchall()) if limit else []
            found = conn.execute(cursor, (after, *scope)).fetchone()
            if found is None:
                raise missing_cursor(record, after, where)
            return list(conn.execute(page, (*scope, *found, limit)).fetchall())

        return [row[0] for row in self._sql_read(work)]

    def _list_rooms(self, *, limit: int, after: str | None) -> list[Room]:
        docs = self._sql_page(self._sql.room_pages, (), limit, after, "room", "this store")
        return [Room.model_validate_json(doc) for doc in docs]

    def _list_threads(self, room_id: str, *, limit: int, after: str | None) -> list[Thread]:
        where = f"room {room_id!r}"
        docs = self._sql_page(self._sql.thread_pages, (room_id,), limit, after, "thread", where)
        return [Thread.model_validate_json(doc) for doc in docs]

    def _list_participants(self, *, limit: int, after: str | None) -> list[Participant]:
        pages = self._sql.participant_pages
        docs = self._sql_page(pages, (), limit, after, "participant", "this store")
        return [Participant.model_validate_json(doc) for doc in docs]

    def _list_onboardings(self, *, limit: int, after: str | None) -> list[dict[str, Any]]:
        pages = self._sql.onboarding_pages
        docs = self._sql_page(pages, (), limit, after, "onboarding flow", "this store")
        return [json.loads(doc) for doc in docs]

    def _delete_messages(self, room_id: str, *, before: datetime, thread_id: str | None) -> int:
        """One ``DELETE`` of the messages sorting before ``before``; how many it removed."""
        if thread_id is None:
            params: Params = (room_id, epoch_us(before))
            return self._sql_run("delete_messages", self._sql.delete_before, params)
        params = (room_id, thread_id, epoch_us(before))
        return self._sql_run("delete_messages", self._sql.delete_before_in_thread, params)

    def _erase_participant(
        self, participant_id: str, *, messages: Literal["delete", "redact"]
    ) -> Erasure:
        """One transaction: the record, its keys, and its messages deleted or redacted
        (:func:`jido_persistence.redaction.redacted`; a message holding nothing erasable
        is neither rewritten nor counted)."""
        sql, key = self._sql, (participant_id,)

        def work(conn: SqlConnection) -> Erasure:
            participants = conn.execute(sql.participant_delete, key).rowcount
            keys = conn.execute(sql.participant_keys_delete_owned, key).rowcount
            if messages == "delete":
                erased = conn.execute(sql.messages_delete_sent, key).rowcount
            else:
                rows = conn.execute(sql.messages_sent, key).fetchall()
                stored = [Message.model_validate_json(row[0]) for row in rows]
                changes = [
                    (redacted(m).model_dump_json(), m.id) for m in stored if needs_redaction(m)
                ]
                if changes:
                    conn.executemany(sql.message_redact, changes)
                erased = len(changes)
            return Erasure(participants=participants, messages=erased, keys=keys)

        return self._sql_write("erase_participant", work)

    def raw_index(self) -> RawIndex:
        """Test hook: the keys and row counts read straight from the tables, in one snapshot.

        Raises StoreClosed after ``close()``.
        """
        if self._closed:
            name = type(self).__name__
            raise StoreClosed(f"{name} is closed: raw_index() needs an open store")
        sql = self._sql

        def work(conn: SqlConnection) -> RawIndex:
            def rows(statement: str) -> list[Any]:
                return list(conn.execute(statement, ()).fetchall())

            counts = rows(sql.raw_row_counts)[0]
            return RawIndex(
                room_binding_keys={(r[0], r[1], r[2]): r[3] for r in rows(sql.raw_binding_keys)},
                participant_keys={(r[0], r[1]): r[2] for r in rows(sql.raw_participant_keys)},
                message_keys={(r[0], r[1], r[2]): r[3] for r in rows(sql.raw_message_keys)},
                thread_external_keys={
                    (r[0], r[1]): r[2] for r in rows(sql.raw_thread_external_keys)
                },
                thread_root_keys={(r[0], r[1]): r[2] for r in rows(sql.raw_thread_root_keys)},
                row_counts=dict(zip(sql.raw_count_tables, map(int, counts), strict=True)),
            )

        return self._sql_snapshot(work)
