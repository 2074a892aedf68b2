"""Transaction blocks on DuckDB: one backend transaction, savepoints by replay.

A ``transaction()`` block holds the store's write lock and runs ``BEGIN`` on the
thread's cursor; every write unit the thread makes until the block ends (one statement,
or one callback's multi-statement work) runs inside that transaction, and is recorded.
Reads on the thread's cursor see the block's own writes; other threads' reads run on
their own cursors and see none of it (DuckDB's MVCC); other threads' writes wait for
the write lock (at most ``busy_timeout`` seconds, then StorageError).

DuckDB has no ``SAVEPOINT``.  A nested block is a mark in the record of write units:
when an exception leaves it, the whole backend transaction is rolled back and begun
again, and the units before the mark are run again.  That gives the same database: no
other writer can interleave (the write lock is held throughout), and each unit
computes its writes from what it reads, which is the same after the replay.  Cost:
O(units before the mark) for an undone savepoint; nothing extra otherwise.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import duckdb

__all__ = ["Block", "Unit"]

Cursor = duckdb.DuckDBPyConnection
Unit = Callable[[Cursor], Any]
"""One write unit of a block: run on the thread's cursor inside the transaction."""


class Block:
    """The open block of one thread: its cursor and the write units run so far."""

    def __init__(self, cursor: Cursor) -> None:
        """Begin the backend transaction on ``cursor``."""
        self.cursor = cursor
        self.depth = 0
        self._units: list[Unit] = []
        cursor.execute("BEGIN TRANSACTION")

    def run(self, unit: Unit) -> Any:
        """Run ``unit`` inside the transaction and record it for replays."""
        result = unit(self.cursor)
        self._units.append(unit)
        return result

    def mark(self) -> int:
        """A savepoint: the number of units run so far."""
        return len(self._units)

    def undo_to(self, mark: int) -> None:
        """Undo every unit after ``mark``: roll back, begin again, replay the others."""
        kept = self._units[:mark]
        self.rollback()
        self.cursor.execute("BEGIN TRANSACTION")
        self._units = []
        for unit in kept:
            self.run(unit)

    def commit(self) -> None:
        """Commit the backend transaction."""
        self.cursor.execute("COMMIT")

    def rollback(self) -> None:
        """Roll the backend transaction back (it may already be aborted)."""
        with contextlib.suppress(duckdb.Error):
            self.cursor.execute("ROLLBACK")
