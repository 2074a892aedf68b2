"""``DuckDBAdapter``: the persistence contract on one DuckDB file (URL scheme ``duckdb``).

``duckdb:///chat.duckdb`` (relative), ``duckdb:////abs/chat.duckdb`` (absolute) or
``duckdb:///:memory:`` (a private in-memory database, gone at ``close()``: the class
declares ``durable=True`` for file stores).  DuckDB lets one read-write process hold a
file, so ``multi_process=False`` and a second process gets StoreLocked naming the file.

Threads share one instance safely (see :mod:`jido_persistence_duckdb._connection`):
one cursor per thread, one write lock per file, explicit transactions around every
callback of more than one statement, bounded retries of DuckDB conflicts.  Single-row
saves are a primary-key read and one parameterised statement under the write lock
(a plain ``INSERT`` for a new row, ``INSERT OR REPLACE`` for a re-save: see
:mod:`._writes`).

This module holds the callbacks on rooms, participants, messages, threads and the
directory; :mod:`._external_keys`, :mod:`._bridge_records`, :mod:`._ingest`,
:mod:`._enumeration`, :mod:`._retention` and :mod:`._interchange` hold the others,
:mod:`._base` the lifecycle, the test hooks and the call helpers.
"""

from __future__ import annotations

from jido_persistence.bulk import BulkMessageSaving
from jido_persistence.errors import NotFound
from jido_persistence.indexes import missing_message_cursor
from jido_persistence.models import DirectoryTarget, Message, Participant, Room, Thread
from jido_persistence.validation import DirectoryQuery
from jido_persistence_duckdb import _statements as sql
from jido_persistence_duckdb._base import Cursor, DuckDBBase
from jido_persistence_duckdb._bridge_records import DuckDBBridgeRecords
from jido_persistence_duckdb._bulk import bulk_save_messages
from jido_persistence_duckdb._enumeration import DuckDBEnumeration
from jido_persistence_duckdb._external_keys import DuckDBExternalKeys
from jido_persistence_duckdb._ingest import DuckDBIngest
from jido_persistence_duckdb._interchange import DuckDBInterchange
from jido_persistence_duckdb._keys import directory_statement
from jido_persistence_duckdb._options import DuckDBOptions
from jido_persistence_duckdb._retention import DuckDBRetention
from jido_persistence_duckdb._rows import latest_holder
from jido_persistence_duckdb._schema import name_fold
from jido_persistence_duckdb._statements import lookup_key
from jido_persistence_duckdb._tables import MESSAGES, PARTICIPANTS, ROOMS, THREADS

__all__ = ["DuckDBAdapter", "DuckDBOptions"]


# The first bases hold the callbacks, the last (DuckDBBase) the lifecycle and helpers.
class DuckDBAdapter(
    DuckDBExternalKeys,
    DuckDBBridgeRecords,
    DuckDBIngest,
    DuckDBEnumeration,
    DuckDBRetention,
    DuckDBInterchange,
    BulkMessageSaving,
    DuckDBBase,
):
    """The persistence contract on DuckDB: exact, analytical, single-process."""

    # --- rooms -----------------------------------------------------------------------

    def _save_room(self, room: Room) -> Room:
        self._put(ROOMS, room.id, [*ROOMS.params(room), name_fold(room.name)])
        return room

    def _get_room(self, room_id: str) -> Room:
        row = self._one(sql.GET_ROOM, [room_id])
        if row is None:
            raise NotFound("room", room_id)
        return ROOMS.to_model(row)

    def _delete_room(self, room_id: str) -> None:
        def work(cursor: Cursor) -> None:
            for statement, count in sql.DELETE_ROOM_STATEMENTS:
                cursor.execute(statement, [room_id] * count)

        with self._db.entered():
            self._db.transaction(work)

    # --- participants ----------------------------------------------------------------

    def _save_participant(self, participant: Participant) -> Participant:
        self._put(PARTICIPANTS, participant.id, self._participant_params(participant))
        return participant

    def _get_participant(self, participant_id: str) -> Participant:
        row = self._one(sql.GET_PARTICIPANT, [participant_id])
        if row is None:
            raise NotFound("participant", participant_id)
        return PARTICIPANTS.to_model(row)

    def _delete_participant(self, participant_id: str) -> None:
        self._write(sql.DELETE_PARTICIPANT, [participant_id])

    # --- messages --------------------------------------------------------------------

    def _save_message(self, message: Message) -> Message:
        self._put(MESSAGES, message.id, self._message_params(message))
        return message

    def _bulk_save_messages(self, messages: list[Message]) -> int:
        """One transaction: the same rows, keys and save sequence values as single saves.

        The bulk path of :class:`~jido_persistence.bulk.BulkMessageSaving` (not a
        contract callback), so the most recently saved holder of an external-id key
        still wins.  All-or-nothing: a backend failure rolls the whole batch back.
        """
        return bulk_save_messages(self._db, messages)

    def _get_message(self, message_id: str) -> Message:
        row = self._one(sql.GET_MESSAGE, [message_id])
        if row is None:
            raise NotFound("message", message_id)
        return MESSAGES.to_model(row)

    def _get_messages(
        self,
        room_id: str,
        *,
        limit: int = 50,
        before: str | None = None,
        after: str | None = None,
        thread_id: str | None = None,
    ) -> list[Message]:
        scope = [room_id] if thread_id is None else [room_id, thread_id]
        in_thread = thread_id is not None
        cursor_id = before if before is not None else after
        with self._db.entered():
            cursor = self._db.cursor()
            if cursor_id is None:
                if limit == 0:
                    return []
                rows = cursor.execute(sql.LATEST_PAGE[in_thread], [*scope, limit]).fetchall()
                rows.reverse()
                return [MESSAGES.to_model(row) for row in rows]
            found = cursor.execute(sql.MESSAGE_CURSOR, [cursor_id]).fetchone()
            if found is None or found[0] != room_id or (in_thread and found[1] != thread_id):
                raise missing_message_cursor(cursor_id, room_id, thread_id)
            if limit == 0:
                return []
            position = [found[2], found[2], cursor_id]
            if before is not None:
                rows = cursor.execute(
                    sql.BEFORE_PAGE[in_thread], [*scope, *position, limit]
                ).fetchall()
                rows.reverse()
            else:
                rows = cursor.execute(
                    sql.AFTER_PAGE[in_thread], [*scope, *position, limit]
                ).fetchall()
            return [MESSAGES.to_model(row) for row in rows]

    def _delete_message(self, message_id: str) -> None:
        self._write(sql.DELETE_MESSAGE, [message_id])

    # --- threads ---------------------------------------------------------------------

    def _save_thread(self, thread: Thread) -> Thread:
        self._put(THREADS, thread.id, self._thread_params(thread))
        return thread

    def _get_thread(self, thread_id: str) -> Thread:
        row = self._one(sql.GET_THREAD, [thread_id])
        if row is None:
            raise NotFound("thread", thread_id)
        return THREADS.to_model(row)

    def _get_thread_by_external_id(self, room_id: str, external_thread_id: str) -> Thread:
        key = (room_id, external_thread_id)
        row = latest_holder(self._all(sql.THREAD_BY_EXTERNAL_KEY, [lookup_key(*key)]))
        if row is None:
            raise NotFound("thread", key)
        return THREADS.to_model(row)

    def _get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        key = (room_id, root_message_id)
        row = latest_holder(self._all(sql.THREAD_BY_ROOT_KEY, [lookup_key(*key)]))
        if row is None:
            raise NotFound("thread", key)
        return THREADS.to_model(row)

    # --- directory -------------------------------------------------------------------

    def _directory_search(
        self,
        target: DirectoryTarget,
        query: DirectoryQuery,
        *,
        limit: int | None,
    ) -> list[Participant] | list[Room]:
        built = directory_statement(target, query, limit)
        if built is None:
            return []
        rows = self._all(*built)
        if target == DirectoryTarget.PARTICIPANT:
            return [PARTICIPANTS.to_model(row) for row in rows]
        return [ROOMS.to_model(row) for row in rows]
