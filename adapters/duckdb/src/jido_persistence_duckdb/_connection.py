"""One DuckDB database, shared safely by threads: cursors, the write lock, transactions.

Design (why it is safe):

- One ``duckdb.connect`` per store; each thread works on its own ``con.cursor()`` (a
  DuckDB connection to the same database instance, with its own transaction state),
  created on the thread's first call.  DuckDB connections must not be shared by
  threads that run statements at the same time.
- Writes take one lock per database file, shared by every instance of this process
  that opens the file (DuckDB hands them the same database instance).  DuckDB's
  optimistic concurrency control would otherwise let two writers of the same row
  conflict; with the lock they never do, and another process cannot open the file
  (DuckDB's file lock, so ``multi_process=False``).  Reads take no lock: each
  statement runs in its own auto-committed snapshot and sees every committed write.
- Every callback that writes more than one statement runs in ``BEGIN``/``COMMIT``
  (:meth:`Database.transaction`); one that reads and then writes one statement runs
  under the write lock without them (:meth:`Database.locked`); a
  ``TransactionException`` (a conflict) rolls back and retries the whole unit, at
  most :data:`MAX_ATTEMPTS` times, then surfaces (as StorageError, by the adapter
  base class).
- ``close()`` marks the store closed, waits for the calls already running (they
  complete) and then closes the connection; later calls raise StoreClosed.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final, TypeVar

import duckdb

from jido_persistence.errors import ConfigurationError, StorageError, StoreClosed, StoreLocked
from jido_persistence.transactions import DEFAULT_BUSY_TIMEOUT, StoreLock
from jido_persistence_duckdb._blocks import Block
from jido_persistence_duckdb._private_files import ensure_private_wal, private_umask, wal_path

__all__ = ["MAX_ATTEMPTS", "Database"]

T = TypeVar("T")

MAX_ATTEMPTS: Final = 8
"""How often a conflicting transaction is tried before the error surfaces."""

_WRITE_LOCKS: dict[str, StoreLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock_for(location: str) -> StoreLock:
    what = f"the DuckDB file {location}"
    if location == ":memory:":
        return StoreLock(what=what)
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(location, StoreLock(what=what))


_MAGIC: Final = b"DUCK"
_MAGIC_OFFSET: Final = 8


def open_failure(location: str, error: duckdb.Error) -> ConfigurationError | StorageError:
    """The contract's error for a file DuckDB cannot open (not a lock).

    A file that starts like a DuckDB database (its magic bytes) but cannot be read is
    damaged: StorageError.  Anything else (a text file, an empty file, a directory,
    a file of a newer DuckDB) is a wrong setting: ConfigurationError.  Both name it.
    """
    try:
        with open(location, "rb") as file:
            file.seek(_MAGIC_OFFSET)
            looks_like_duckdb = file.read(len(_MAGIC)) == _MAGIC
    except OSError:
        looks_like_duckdb = False
    if looks_like_duckdb:
        return StorageError(f"cannot open the DuckDB store {location}: it is damaged ({error})")
    return ConfigurationError(f"cannot open DuckDB file {location}: {error}")


def resolve_location(path: str) -> str:
    """The absolute file path of ``path`` (``:memory:`` stays as it is)."""
    if path == ":memory:" or path.startswith(":memory:"):
        return path
    return str(Path(os.path.abspath(path)))


class Database:
    """A DuckDB database opened for one store: per-thread cursors and the write lock."""

    def __init__(
        self,
        path: str,
        config: dict[str, str | bool | int | float | list[str]],
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        """Open ``path``; raise StoreLocked when another process (or an incompatible
        in-process connection) holds the file, ConfigurationError when it cannot open.
        ``busy_timeout``: seconds a write waits for the write lock (held by another
        thread's transaction block) before StorageError.
        """
        self.busy_timeout = busy_timeout
        self.location = resolve_location(path)
        self._wal = wal_path(self.location)
        try:
            with private_umask():
                self._con = duckdb.connect(self.location, config=config)
        except duckdb.IOException as error:
            if "lock" in str(error).lower():
                raise StoreLocked(
                    f"the DuckDB file {self.location} is locked by another process "
                    f"(DuckDB allows one read-write process per file): {error}"
                ) from error
            raise open_failure(self.location, error) from error
        except duckdb.ConnectionException as error:
            raise StoreLocked(
                f"the DuckDB file {self.location} is already open in this process with "
                f"incompatible options: {error}"
            ) from error
        except duckdb.Error as error:
            raise open_failure(self.location, error) from error
        self.write_lock = _write_lock_for(self.location)
        self._created_wal = ensure_private_wal(self._wal)  # before the migration's writes
        self._local = threading.local()
        self._state = threading.Condition()
        self._active = 0
        self._closed = False

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The main connection (used at open for migrations)."""
        return self._con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor, created on first use."""
        cursor: duckdb.DuckDBPyConnection | None = getattr(self._local, "cursor", None)
        if cursor is None:
            with self._state:
                if self._closed:
                    raise StoreClosed("the DuckDB store is closed")
                cursor = self._con.cursor()
            # Analytics results then never depend on the process's time zone.
            cursor.execute("SET TimeZone = 'UTC'")
            self._local.cursor = cursor
        return cursor

    @contextmanager
    def entered(self) -> Iterator[None]:
        """Count a running call, so that :meth:`close` waits for it; StoreClosed after close."""
        with self._state:
            if self._closed:
                raise StoreClosed("the DuckDB store is closed")
            self._active += 1
        try:
            yield
        finally:
            with self._state:
                self._active -= 1
                if not self._active:
                    self._state.notify_all()

    @contextmanager
    def _write_locked(self) -> Iterator[None]:
        """Hold the write lock; StorageError after ``busy_timeout`` seconds behind
        another thread's block."""
        self.write_lock.wait(self.busy_timeout)
        try:
            yield
        finally:
            self.write_lock.release()

    def _open_block(self) -> Block | None:
        block: Block | None = getattr(self._local, "block", None)
        return block

    @contextmanager
    def block(self, level: int) -> Iterator[None]:
        """One ``transaction()`` block of the calling thread at nesting ``level`` (see
        :mod:`._blocks`): level 0 holds the write lock and the backend transaction."""
        if level > 0:
            block = self._open_block()
            assert block is not None, "a nested block needs its outer block"
            mark = block.mark()
            try:
                yield
            except BaseException:
                block.undo_to(mark)
                raise
            return
        with self.entered(), self.write_lock.block(self.busy_timeout):
            ensure_private_wal(self._wal)
            block = Block(self.cursor())
            self._local.block = block
            try:
                yield
            except BaseException:
                block.rollback()
                raise
            else:
                try:
                    block.commit()
                except BaseException:
                    block.rollback()
                    raise
            finally:
                self._local.block = None

    def transaction(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run ``work(cursor)`` in one transaction under the write lock; retry conflicts.

        Inside a ``transaction()`` block of this thread, ``work`` runs in the block's
        transaction (a conflict there is not retried: it raises, and undoing the block
        is the caller's choice).
        """
        block = self._open_block()
        if block is not None:
            result: T = block.run(work)
            return result
        cursor = self.cursor()
        with self._write_locked():
            ensure_private_wal(self._wal)
            for attempt in range(1, MAX_ATTEMPTS + 1):
                cursor.execute("BEGIN TRANSACTION")
                try:
                    result = work(cursor)
                    cursor.execute("COMMIT")
                except duckdb.TransactionException:
                    _rollback(cursor)
                    if attempt == MAX_ATTEMPTS:
                        raise
                    continue
                except BaseException:
                    _rollback(cursor)
                    raise
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    def locked(self, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run ``work(cursor)`` under the write lock, each statement auto-committed;
        retry conflicts.

        For work that writes at most one statement (reads first, then one write): the
        lock keeps every other writer out between its reads and its write, so it is as
        atomic as a transaction without ``BEGIN``/``COMMIT`` round trips.  Inside a
        ``transaction()`` block of this thread it runs in the block's transaction.
        """
        block = self._open_block()
        if block is not None:
            result: T = block.run(work)
            return result
        cursor = self.cursor()
        with self._write_locked():
            ensure_private_wal(self._wal)
            for attempt in range(1, MAX_ATTEMPTS + 1):
                try:
                    return work(cursor)
                except duckdb.TransactionException:
                    if attempt == MAX_ATTEMPTS:
                        raise
        raise AssertionError("unreachable")  # pragma: no cover

    def write(self, sql: str, params: list[object]) -> None:
        """Run one auto-committed write statement under the write lock; retry conflicts.

        Inside a ``transaction()`` block of this thread it runs in the block's
        transaction instead.
        """
        self.locked(lambda cursor: cursor.execute(sql, params))

    def abandon(self) -> None:
        """Close after a failed open, removing the empty log this open created."""
        self.close()
        if self._created_wal and self._wal is not None:
            with contextlib.suppress(OSError):
                if os.path.getsize(self._wal) == 0:
                    os.unlink(self._wal)

    def close(self) -> None:
        """Wait for running calls, then close every cursor and the connection.  Idempotent."""
        with self._state:
            if self._closed:
                return
            self._closed = True
            self._state.wait_for(lambda: self._active == 0)
        self._con.close()


def _rollback(cursor: duckdb.DuckDBPyConnection) -> None:
    # The failure may already have aborted the transaction.
    with contextlib.suppress(duckdb.Error):
        cursor.execute("ROLLBACK")
