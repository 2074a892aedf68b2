"""The SQLite adapter's retention group (contract 9.3), each call one transaction.

- ``delete_messages`` is one ``DELETE ... WHERE room_id = ? [AND thread_id = ?] AND
  sort_us < ?`` on the ``(room_id[, thread_id], sort_us, id)`` indexes; a ``None``
  ``inserted_at`` sorts as ``-2**63``, older than every cut.
- ``erase_participant`` removes the record and the keys pointing at it (index
  ``participant_keys_owner``) and deletes or redacts the messages it sent, found
  through the expression index ``messages_sender`` on the document's ``sender_id``,
  in one ``BEGIN IMMEDIATE`` transaction.  Redaction is core's
  :func:`jido_persistence.redaction.redacted`, written back with its key columns
  cleared; messages that hold nothing erasable are not rewritten nor counted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from jido_persistence.models import Erasure, Message
from jido_persistence.redaction import needs_redaction, redacted
from jido_persistence_sqlite import _statements as sql
from jido_persistence_sqlite._base import Connection, SQLiteBase
from jido_persistence_sqlite._rows import epoch_us

__all__ = ["SQLiteRetention"]


class SQLiteRetention(SQLiteBase):
    """``delete_messages``, ``erase_participant`` and ``delete_onboarding`` on SQLite."""

    def _delete_messages(self, room_id: str, *, before: datetime, thread_id: str | None) -> int:
        """One ``DELETE``; returns how many messages it removed.  O(log n + removed)."""
        if thread_id is None:
            return self._write("delete_messages", sql.DELETE_BEFORE, (room_id, epoch_us(before)))
        params = (room_id, thread_id, epoch_us(before))
        return self._write("delete_messages", sql.DELETE_BEFORE_IN_THREAD, params)

    def _erase_participant(
        self, participant_id: str, *, messages: Literal["delete", "redact"]
    ) -> Erasure:
        """One transaction; the counts are of records removed or changed."""
        key = (participant_id,)

        def work(conn: Connection) -> Erasure:
            participants = conn.execute(sql.PARTICIPANT_DELETE, key).rowcount
            keys = conn.execute(sql.PARTICIPANT_KEYS_DELETE_OWNED, key).rowcount
            if messages == "delete":
                erased = conn.execute(sql.MESSAGES_DELETE_SENT, key).rowcount
            else:
                rows = conn.execute(sql.MESSAGES_SENT, key).fetchall()
                stored = [Message.model_validate_json(doc) for (doc,) in rows]
                changes = [
                    (redacted(m).model_dump_json(), m.id) for m in stored if needs_redaction(m)
                ]
                conn.executemany(sql.MESSAGE_REDACT, changes)
                erased = len(changes)
            return Erasure(participants=participants, messages=erased, keys=keys)

        return self._db.write("erase_participant", work)

    def _delete_onboarding(self, onboarding_id: str) -> None:
        """One ``DELETE``.  Raises NotFound("onboarding", onboarding_id)."""
        self._delete_existing(
            "delete_onboarding",
            sql.ONBOARDING_DELETE,
            (onboarding_id,),
            "onboarding",
            onboarding_id,
        )
