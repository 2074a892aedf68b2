"""A bulk loader for benchmarks and imports: many messages, one transaction.

Not a contract callback: :func:`bulk_save_messages` stores what ``save_message``
called on each message in turn would store (the same rows, sort keys, external-id
keys and JSON text, and the same ``save_seq`` values from ``jp_save_seq``, so the
most recently saved holder of a key still wins), but column-wise: every message is
validated and converted first, then the rows go in as a few ``INSERT OR REPLACE
... SELECT unnest(...)`` statements of one list parameter per column, in one
transaction under the store's write lock.  Any error rolls the whole load back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import duckdb

from jido_persistence.models import Message
from jido_persistence_duckdb._connection import Database
from jido_persistence_duckdb._message_row import message_params
from jido_persistence_duckdb._tables import MESSAGES

__all__ = ["BATCH_ROWS", "bulk_save_messages"]

BATCH_ROWS: Final = 8192
"""Rows per ``INSERT`` statement (one list parameter per column)."""

_TYPES: Final = [kind for _, kind in MESSAGES.stored_columns] + ["BIGINT", "VARCHAR", "BIGINT"]
"""The DuckDB type of each parameter of :data:`_INSERT`, in table order."""

_NAMES: Final = [name for name, _ in MESSAGES.stored_columns] + [
    "sort_us",
    "external_key",
    "save_seq",
]

_INSERT: Final = (
    f"INSERT OR REPLACE INTO {MESSAGES.table} ({', '.join(_NAMES)}) SELECT "
    + ", ".join(f"unnest(?::{kind}[])" for kind in _TYPES)
)
"""Insert or replace many rows, each column given as one list parameter."""

_NEXT_SEQ: Final = "SELECT nextval('jp_save_seq') FROM range(?)"
"""Draw as many save sequence values as ``save_message`` calls would."""


def _rows(messages: Iterable[Message]) -> tuple[int, dict[str, tuple[int, list[Any]]]]:
    """Convert checked ``messages``: their count, and by id the position of the last
    save of that id with its row parameters (without ``save_seq``).
    """
    latest: dict[str, tuple[int, list[Any]]] = {}
    count = 0
    for message in messages:
        latest[message.id] = (count, message_params(message))
        count += 1
    return count, latest


def _insert(cursor: duckdb.DuckDBPyConnection, rows: Sequence[list[Any]]) -> None:
    for start in range(0, len(rows), BATCH_ROWS):
        batch = rows[start : start + BATCH_ROWS]
        cursor.execute(_INSERT, [list(column) for column in zip(*batch, strict=True)])


def bulk_save_messages(db: Database, messages: Sequence[Message]) -> int:
    """Save checked ``messages`` into the store's ``db`` as ``save_message`` on each,
    in order, would.

    One transaction; a later message with the id of an earlier one replaces it, as a
    re-save does.  The caller (the guarded ``bulk_save_messages``) has checked every
    message and the closed store, and turns a DuckDB error into StorageError; the
    transaction rolls the whole load back first.  Returns the number of messages
    saved (re-saves included).
    """
    count, latest = _rows(messages)
    if not count:
        return 0

    def work(cursor: duckdb.DuckDBPyConnection) -> None:
        drawn = cursor.execute(_NEXT_SEQ, [count]).fetchall()
        # One contiguous block under the write lock: sorted, value i is save i's.
        sequence = sorted(value for (value,) in drawn)
        _insert(cursor, [[*params, sequence[position]] for position, params in latest.values()])

    with db.entered():
        db.transaction(work)
    return count
