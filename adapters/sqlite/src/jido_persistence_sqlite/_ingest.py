"""The SQLite adapter's idempotent ingestion group (contract 9.1).

A repeat is one indexed read (the statement of ``get_message_by_external_id``) and
writes nothing.  Otherwise one ``BEGIN IMMEDIATE`` transaction reads the key again and
saves the message only while the key still resolves to nothing: holding the write lock
from that read on, no writer in any process can store the key in between, so
concurrent ingests of one key store one message and all return it.  Thread
get-or-create is the same on the thread key ``(room_id, external_thread_id)``.
(``save_message`` lets several messages hold one key, so no unique index can settle
the race; the write lock does.)
"""

from __future__ import annotations

from typing import Any

from jido_persistence.models import Ingested, Message, Thread
from jido_persistence.validation import build_record, checked_message_key
from jido_persistence_sqlite import _statements as sql
from jido_persistence_sqlite._base import Connection, SQLiteBase
from jido_persistence_sqlite._rows import message_row, thread_row

__all__ = ["SQLiteIngest"]


class SQLiteIngest(SQLiteBase):
    """``ingest_message`` and thread get-or-create on SQLite."""

    def _ingest_message(self, message: Message) -> Ingested:
        """The key's resolution (nothing written), else ``message`` saved.  O(log n)."""
        key = checked_message_key(message)
        doc = self._doc(sql.MESSAGE_BY_KEY, key)
        if doc is not None:
            return Ingested(message=Message.model_validate_json(doc), created=False)
        row = message_row(message)

        def work(conn: Connection) -> Ingested:
            found = conn.execute(sql.MESSAGE_BY_KEY, key).fetchone()
            if found is not None:
                return Ingested(message=Message.model_validate_json(found[0]), created=False)
            conn.execute(sql.MESSAGE_UPSERT, row)
            return Ingested(message=message, created=True)

        return self._in_transaction("ingest_message", work)

    def _get_or_create_thread_by_external_id(
        self, room_id: str, external_thread_id: str, attrs: dict[str, Any]
    ) -> Thread:
        """The room's thread holding the key, else one built from ``attrs`` and saved."""
        key = (room_id, external_thread_id)
        doc = self._doc(sql.THREAD_BY_EXTERNAL_ID, key)
        if doc is not None:
            return Thread.model_validate_json(doc)
        thread = build_record(Thread, attrs, room_id=room_id, external_thread_id=external_thread_id)

        def work(conn: Connection) -> Thread:
            found = conn.execute(sql.THREAD_BY_EXTERNAL_ID, key).fetchone()
            if found is not None:
                return Thread.model_validate_json(found[0])
            conn.execute(sql.THREAD_UPSERT, thread_row(thread))
            return thread

        return self._in_transaction("get_or_create_thread_by_external_id", work)
