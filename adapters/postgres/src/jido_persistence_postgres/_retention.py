"""The retention group (contract 9.3) of the PostgreSQL adapter: one statement per call.

A mixin of :class:`~jido_persistence_postgres.PostgresAdapter`.

- ``delete_messages`` is one ``DELETE ... WHERE room_id = %s [AND thread_id = %s] AND
  sort_at < %s`` on the ``(room_id[, thread_id], sort_at, id)`` indexes; ``sort_at``
  maps a NULL ``inserted_at`` to ``-infinity``, so it is older than every cut.
- ``erase_participant`` is one statement whose data-modifying CTEs remove the record,
  the keys pointing at it (index ``participant_keys_owner``) and the messages it sent
  (index ``messages_sender`` on the ``sender_id`` column generated from the document),
  or redact them, in every room at once: atomic in autocommit.
- Redaction rebuilds ``doc`` with ``json_build_object`` from the kept fields' own JSON
  text (so they stay byte for byte) and the empty values of
  :data:`jido_persistence.redaction.ERASED_DEFAULTS`, clears the key columns, and only
  touches rows that still hold something, so the count is of messages changed.

Message keys are columns of the row (resolved by the highest ``save_seq``), so a removed
or redacted holder leaves the key to the next most recently saved one.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Final

from jido_persistence.models import Erasure
from jido_persistence.redaction import ERASED_DEFAULTS, KEPT_FIELDS

if TYPE_CHECKING:
    from jido_persistence_postgres._database import Connection, Database
    from jido_persistence_postgres._statements import Statements

__all__ = ["PostgresRetention"]


def _literal(value: object) -> str:
    """The SQL text literal of a JSON value (the empty values hold no quote)."""
    return "'" + json.dumps(value, separators=(",", ":")) + "'"


_REDACTED_DOC: Final = (
    "json_build_object("
    + ", ".join(f"'{name}', doc->'{name}'" for name in KEPT_FIELDS)
    + ", "
    + ", ".join(f"'{name}', {_literal(value)}::json" for name, value in ERASED_DEFAULTS.items())
    + ")"
)
_HOLDS_SOMETHING: Final = " OR ".join(
    f"(doc->'{name}')::jsonb IS DISTINCT FROM {_literal(value)}::jsonb"
    for name, value in ERASED_DEFAULTS.items()
)

TEMPLATES: Final = {
    "delete_before": "DELETE FROM {s}.messages WHERE room_id = %s AND sort_at < %s",
    "delete_before_thread": (
        "DELETE FROM {s}.messages WHERE room_id = %s AND thread_id = %s AND sort_at < %s"
    ),
    "erase_delete": (
        "WITH p AS (DELETE FROM {s}.participants WHERE id = %(p)s RETURNING 1),"
        " k AS (DELETE FROM {s}.participant_keys WHERE participant_id = %(p)s RETURNING 1),"
        " m AS (DELETE FROM {s}.messages WHERE sender_id = %(p)s RETURNING 1)"
        " SELECT (SELECT count(*) FROM p), (SELECT count(*) FROM m), (SELECT count(*) FROM k)"
    ),
    "erase_redact": (
        "WITH p AS (DELETE FROM {s}.participants WHERE id = %(p)s RETURNING 1),"
        " k AS (DELETE FROM {s}.participant_keys WHERE participant_id = %(p)s RETURNING 1),"
        f" m AS (UPDATE {{s}}.messages SET doc = {_REDACTED_DOC}, key_channel = NULL,"
        " key_bridge_id = NULL, key_external_id = NULL"
        f" WHERE sender_id = %(p)s AND ({_HOLDS_SOMETHING}) RETURNING 1)"
        " SELECT (SELECT count(*) FROM p), (SELECT count(*) FROM m), (SELECT count(*) FROM k)"
    ),
    "delete_onboarding": "DELETE FROM {s}.onboarding WHERE id = %s RETURNING 1",
}
"""The retention SQL with ``{s}`` for the schema, rendered once per store."""


class PostgresRetention:
    """``delete_messages``, ``erase_participant`` and ``delete_onboarding`` on PostgreSQL."""

    if TYPE_CHECKING:
        _db: Database
        _sql: Statements

        def _delete_existing(
            self, name: str, query: str, params: object, entity: str, key: object
        ) -> None: ...

    @cached_property
    def _retention_sql(self) -> dict[str, str]:
        return {name: self._sql.render(template) for name, template in TEMPLATES.items()}

    def _delete_messages(
        self, room_id: str, *, before: datetime, thread_id: str | None = None
    ) -> int:
        """One ``DELETE`` in autocommit; returns its row count."""
        params: tuple[object, ...]
        if thread_id is None:
            query, params = self._retention_sql["delete_before"], (room_id, before)
        else:
            query = self._retention_sql["delete_before_thread"]
            params = (room_id, thread_id, before)

        def work(conn: Connection) -> int:
            return conn.execute(query, params).rowcount

        return self._db.run("delete_messages", work)

    def _erase_participant(self, participant_id: str, *, messages: str = "delete") -> Erasure:
        """One statement (data-modifying CTEs) in autocommit."""
        query = self._retention_sql["erase_delete" if messages == "delete" else "erase_redact"]

        def work(conn: Connection) -> Erasure:
            row = conn.execute(query, {"p": participant_id}).fetchone()
            participants, erased, keys = (0, 0, 0) if row is None else map(int, row)
            return Erasure(participants=participants, messages=erased, keys=keys)

        return self._db.run("erase_participant", work)

    def _delete_onboarding(self, onboarding_id: str) -> None:
        """One ``DELETE ... RETURNING``.  Raises NotFound("onboarding", onboarding_id)."""
        query = self._retention_sql["delete_onboarding"]
        self._delete_existing(
            "delete_onboarding", query, (onboarding_id,), "onboarding", onboarding_id
        )
