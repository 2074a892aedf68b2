"""The PostgreSQL adapter's idempotent ingestion group (contract 9.1).

A repeat is one indexed read in autocommit (the same statement as
``get_message_by_external_id``) and writes nothing.  Otherwise one transaction takes
a transaction-level advisory lock on the key (``pg_advisory_xact_lock``, held until
commit), reads the key again and inserts only while it still resolves to nothing.
Every ingest of that key, in any process on any host, waits for the lock, and at READ
COMMITTED its re-read (a statement started after the winner committed) sees the
winner's row: one message is stored and every call returns it.  Thread get-or-create
is the same on the thread key.

Why a lock rather than a unique index and ``INSERT ... ON CONFLICT DO NOTHING``:
``save_message`` lets several messages hold one key (it resolves to the most recently
saved), so the key columns cannot be unique.  Lock ids are 64-bit hashes of the
schema and the key: another key that collides only waits, it is never confused.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from jido_persistence.models import Ingested, Message, Thread
from jido_persistence.validation import build_record, checked_message_key
from jido_persistence_postgres._base import PostgresBase
from jido_persistence_postgres._database import Connection
from jido_persistence_postgres._rows import message_row, thread_row

__all__ = ["PostgresIngest", "key_lock_id"]


def key_lock_id(schema: str, kind: str, *parts: str) -> int:
    """The advisory lock id of a key: a signed 64-bit hash of ``(schema, kind, parts)``.

    Stable across processes and hosts (unlike ``hash()``).
    """
    text = json.dumps([schema, kind, *parts], ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class PostgresIngest(PostgresBase):
    """``ingest_message`` and thread get-or-create on PostgreSQL."""

    def _ingest_message(self, message: Message) -> Ingested:
        """The key's resolution (nothing written), else ``message`` saved."""
        key = checked_message_key(message)
        statements = self._sql
        doc = self._one("ingest_message", statements.message_by_key, key)
        if doc is not None:
            return Ingested(message=Message.model_validate_json(doc), created=False)
        row = message_row(message)
        lock = key_lock_id(self.options.schema, "message", *key)

        def work(conn: Connection) -> Ingested:
            conn.execute(statements.key_lock, (lock,))
            found = conn.execute(statements.message_by_key, key).fetchone()
            if found is not None:
                return Ingested(message=Message.model_validate_json(found[0]), created=False)
            conn.execute(statements.message_upsert, row)
            return Ingested(message=message, created=True)

        return self._in_transaction("ingest_message", work)

    def _get_or_create_thread_by_external_id(
        self, room_id: str, external_thread_id: str, attrs: dict[str, Any]
    ) -> Thread:
        """The room's thread holding the key, else one built from ``attrs`` and saved."""
        statements = self._sql
        key = (room_id, external_thread_id)
        name = "get_or_create_thread_by_external_id"
        doc = self._one(name, statements.thread_by_external_id, key)
        if doc is not None:
            return Thread.model_validate_json(doc)
        thread = build_record(Thread, attrs, room_id=room_id, external_thread_id=external_thread_id)
        lock = key_lock_id(self.options.schema, "thread", *key)

        def work(conn: Connection) -> Thread:
            conn.execute(statements.key_lock, (lock,))
            found = conn.execute(statements.thread_by_external_id, key).fetchone()
            if found is not None:
                return Thread.model_validate_json(found[0])
            conn.execute(statements.thread_upsert, thread_row(thread))
            return thread

        return self._in_transaction(name, work)
