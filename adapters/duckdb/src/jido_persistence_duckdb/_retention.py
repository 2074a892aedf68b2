"""The retention group (contract 9.3) of the DuckDB adapter: one statement per step.

A mixin of :class:`~jido_persistence_duckdb.DuckDBAdapter`.  ``delete_messages`` is
one ``DELETE ... WHERE room_id = ? [AND thread_id = ?] AND sort_us < ?`` (``sort_us``
maps a ``None`` ``inserted_at`` to ``-2**63``, below every datetime, so no NULL logic
is needed); ``erase_participant`` is one transaction of four statements found through
the ``sender_id`` and ``participant_id`` indexes (schema version 2), never a scan of
the rooms.  Redaction is one ``UPDATE`` whose ``SET`` list and "still holds something"
condition are derived from :data:`jido_persistence.redaction.ERASED_DEFAULTS`, so the
row count is the number of messages changed; the ``body`` of those messages (the
record's JSON the callbacks read, schema version 3) is then rebuilt from their typed
columns in the same transaction.  Message keys are a column of the row
(resolved by the highest ``save_seq``), so a removed or redacted holder leaves the key
to the next most recently saved one.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final

import duckdb

from jido_persistence.errors import NotFound
from jido_persistence.models import Erasure
from jido_persistence.redaction import ERASED_DEFAULTS
from jido_persistence_duckdb._rows import ColumnKind, json_text, to_epoch_us
from jido_persistence_duckdb._schema import set_bodies
from jido_persistence_duckdb._tables import MESSAGES, PARTICIPANTS

if TYPE_CHECKING:
    from jido_persistence_duckdb._connection import Database

__all__ = ["DuckDBRetention"]

_KINDS: Final = dict(MESSAGES.columns)


def _empty(name: str) -> str:
    """The SQL literal of a redacted message's value in column ``name``."""
    value = ERASED_DEFAULTS[name]
    if value is None:
        return "NULL"
    if _KINDS[name] is not ColumnKind.JSON:  # pragma: no cover - a new Message field
        raise TypeError(f"no redacted literal for column {name!r}")
    return "'" + json_text(value) + "'"


def _holds(name: str) -> str:
    """SQL: column ``name`` still differs from its redacted value."""
    value = ERASED_DEFAULTS[name]
    if value is None:
        return f"{name} IS NOT NULL"
    return f"CAST({name} AS VARCHAR) <> {_empty(name)}"


DELETE_BEFORE: Final = {
    False: f"DELETE FROM {MESSAGES.table} WHERE room_id = ? AND sort_us < ?",
    True: f"DELETE FROM {MESSAGES.table} WHERE room_id = ? AND thread_id = ? AND sort_us < ?",
}
"""Keyed by whether a ``thread_id`` is given; DuckDB answers the deleted row count."""

DELETE_PARTICIPANT: Final = f"DELETE FROM {PARTICIPANTS.table} WHERE id = ?"
DELETE_PARTICIPANT_KEYS: Final = "DELETE FROM jp_participant_keys WHERE participant_id = ?"
DELETE_SENT: Final = f"DELETE FROM {MESSAGES.table} WHERE sender_id = ?"
REDACT_SENT: Final = (
    f"UPDATE {MESSAGES.table} SET "
    + ", ".join(f"{name} = {_empty(name)}" for name in ERASED_DEFAULTS)
    + ", external_key = NULL WHERE sender_id = ? AND ("
    + " OR ".join(_holds(name) for name in ERASED_DEFAULTS)
    + ") RETURNING id"
)
"""Redacts the sender's messages that still hold something; returns their ids."""

DELETE_ONBOARDING: Final = "DELETE FROM jp_onboarding WHERE onboarding_id = ?"


def _count(cursor: duckdb.DuckDBPyConnection, statement: str, params: list[object]) -> int:
    row = cursor.execute(statement, params).fetchone()
    return 0 if row is None else int(row[0])


class DuckDBRetention:
    """``delete_messages``, ``erase_participant`` and ``delete_onboarding`` on DuckDB."""

    if TYPE_CHECKING:
        _db: Database

    def _delete_messages(
        self, room_id: str, *, before: datetime, thread_id: str | None = None
    ) -> int:
        """One ``DELETE``; returns the number of rows it removed."""
        scope: list[object] = [room_id] if thread_id is None else [room_id, thread_id]
        statement = DELETE_BEFORE[thread_id is not None]
        with self._db.entered():
            return self._db.transaction(
                lambda cursor: _count(cursor, statement, [*scope, to_epoch_us(before)])
            )

    def _erase_participant(self, participant_id: str, *, messages: str = "delete") -> Erasure:
        """One transaction: the record, its keys, then its messages deleted or redacted."""

        def work(cursor: duckdb.DuckDBPyConnection) -> Erasure:
            participants = _count(cursor, DELETE_PARTICIPANT, [participant_id])
            keys = _count(cursor, DELETE_PARTICIPANT_KEYS, [participant_id])
            if messages == "delete":
                changed = _count(cursor, DELETE_SENT, [participant_id])
            else:
                ids = [row[0] for row in cursor.execute(REDACT_SENT, [participant_id]).fetchall()]
                set_bodies(cursor, ids)
                changed = len(ids)
            return Erasure(participants=participants, keys=keys, messages=changed)

        with self._db.entered():
            return self._db.transaction(work)

    def _delete_onboarding(self, onboarding_id: str) -> None:
        """One ``DELETE``.  Raises NotFound("onboarding", onboarding_id)."""
        with self._db.entered():
            deleted = self._db.transaction(
                lambda cursor: _count(cursor, DELETE_ONBOARDING, [onboarding_id])
            )
        if not deleted:
            raise NotFound("onboarding", onboarding_id)
