"""The DuckDB adapter's idempotent ingestion group (contract 9.1).

A mixin of :class:`~jido_persistence_duckdb.adapter.DuckDBAdapter`.  A repeat is one
indexed read (``jp_messages_external_key``), outside any transaction, and writes
nothing.  Otherwise, under the file's write lock, the key is read again and the
message saved (:mod:`._writes`) only while the key still resolves to nothing (one
write, so no ``BEGIN``/``COMMIT`` is needed around it): every writer of the file in this
process holds that lock, and DuckDB lets no other process open the file, so two
calls on one key cannot both insert.  Thread get-or-create is the same on
``jp_threads_external_key``.  Why not a unique index on the key: ``save_message``
lets several messages hold one key (it resolves to the most recently saved), so the
key column cannot be unique.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import duckdb

from jido_persistence.models import Ingested, Message, Thread
from jido_persistence.validation import build_record, checked_message_key
from jido_persistence_duckdb import _statements as sql
from jido_persistence_duckdb._connection import Database
from jido_persistence_duckdb._rows import latest_holder
from jido_persistence_duckdb._statements import lookup_key
from jido_persistence_duckdb._tables import MESSAGES, THREADS
from jido_persistence_duckdb._writes import put_record

__all__ = ["DuckDBIngest"]

Cursor = duckdb.DuckDBPyConnection


class DuckDBIngest:
    """``ingest_message`` and thread get-or-create on DuckDB."""

    _db: Database

    if TYPE_CHECKING:

        @staticmethod
        def _message_params(message: Message) -> list[Any]: ...

        @staticmethod
        def _thread_params(thread: Thread) -> list[Any]: ...

    def _ingest_message(self, message: Message) -> Ingested:
        """The key's resolution (nothing written), else ``message`` saved."""
        key = checked_message_key(message)
        message_key = lookup_key(*key)
        with self._db.entered():
            rows = self._db.cursor().execute(sql.MESSAGE_BY_KEY, [message_key]).fetchall()
            stored = latest_holder(rows)
            if stored is not None:
                return Ingested(message=MESSAGES.to_model(stored), created=False)

            def work(cursor: Cursor) -> Ingested:
                held = latest_holder(cursor.execute(sql.MESSAGE_BY_KEY, [message_key]).fetchall())
                if held is not None:
                    return Ingested(message=MESSAGES.to_model(held), created=False)
                put_record(cursor, MESSAGES, message.id, self._message_params(message))
                return Ingested(message=message, created=True)

            return self._db.locked(work)

    def _get_or_create_thread_by_external_id(
        self, room_id: str, external_thread_id: str, attrs: dict[str, Any]
    ) -> Thread:
        """The room's thread holding the key, else one built from ``attrs`` and saved."""
        thread_key = lookup_key(room_id, external_thread_id)
        with self._db.entered():
            rows = self._db.cursor().execute(sql.THREAD_BY_EXTERNAL_KEY, [thread_key]).fetchall()
            stored = latest_holder(rows)
            if stored is not None:
                return THREADS.to_model(stored)
            thread = build_record(
                Thread, attrs, room_id=room_id, external_thread_id=external_thread_id
            )

            def work(cursor: Cursor) -> Thread:
                held = latest_holder(
                    cursor.execute(sql.THREAD_BY_EXTERNAL_KEY, [thread_key]).fetchall()
                )
                if held is not None:
                    return THREADS.to_model(held)
                put_record(cursor, THREADS, thread.id, self._thread_params(thread))
                return thread

            return self._db.locked(work)
