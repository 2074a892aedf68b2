"""The SQL the adapter runs on messages, for tools that run it without the adapter.

A public, read-only view of the adapter's own schema, statements and row encoding, so
that a benchmark's raw baseline (``jido_persistence_bench.raw.SQLiteBaseline``) or a
reader inspecting a store runs exactly the text the adapter runs, with nothing of the
adapter around it.  Statements use ``?`` placeholders; rows are the tuples
:func:`message_row` builds.  Writing to a live store this way bypasses the contract's
checks: use it on files of your own.  The names here follow the adapter's schema
version (:data:`MIGRATIONS`); their text may change with it.  :data:`STATEMENTS` is the
whole :class:`~jido_persistence.sqlkit.SqlStatements` table the adapter's callbacks run
(``jido_persistence.sqlkit_records``), for an adapter of a SQLite-dialect backend.
"""

from __future__ import annotations

from jido_persistence.sqlkit_rows import epoch_us, message_row
from jido_persistence_sqlite._schema import MIGRATIONS
from jido_persistence_sqlite._statements import (
    BEGIN_WRITE,
    COMMIT,
    MESSAGE_BY_KEY,
    MESSAGE_GET,
    MESSAGE_UPSERT,
    MESSAGES_LATEST,
    STATEMENTS,
)

__all__ = [
    "BEGIN_WRITE",
    "COMMIT",
    "MESSAGES_LATEST",
    "MESSAGE_BY_KEY",
    "MESSAGE_GET",
    "MESSAGE_UPSERT",
    "MIGRATIONS",
    "STATEMENTS",
    "epoch_us",
    "message_row",
]
