"""One SQLite file shared safely by threads and processes: connections, locks, retries.

A connection per thread (forgotten, never used, in a forked child); WAL mode; every
write in ``BEGIN IMMEDIATE`` after this process's write lock; SQLITE_BUSY retried in
short attempts until ``busy_timeout``, then StorageError; ``transaction()`` blocks as one
write transaction with a savepoint per call.  Why each of these makes it safe: "Design
decisions" in the package README.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final, TypeVar
from urllib.parse import quote

from jido_persistence.errors import ConfigurationError, StorageError, StoreClosed
from jido_persistence_sqlite import _statements as sql
from jido_persistence_sqlite._options import SQLiteOptions
from jido_persistence_sqlite._schema import migrate

__all__ = ["Database"]

T = TypeVar("T")

_BUSY_CODES: Final = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
ATTEMPT_MS: Final = 20
"""How long one attempt waits in SQLite's busy handler before the adapter retries."""
CLOSE_CHECKPOINT_WAIT_MS: Final = 250
"""How long ``close()`` lets the WAL checkpoint wait for other processes' connections."""

_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()
_OPEN: weakref.WeakSet[Database] = weakref.WeakSet()
_JITTER = random.Random()
"""The adapter's own random source for back-off: the global ``random`` stays untouched."""


def _write_lock_for(location: str) -> threading.Lock:
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(location, threading.Lock())


def _after_fork_in_child() -> None:
    for database in list(_OPEN):
        database._forget_connections()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _busy(error: BaseException) -> bool:
    code = getattr(error, "sqlite_errorcode", None) or 0
    return isinstance(error, sqlite3.OperationalError) and (code & 0xFF) in _BUSY_CODES


class _Slot:
    """A thread's connection; closed by a finalizer when the thread's locals go away."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.finalizer = weakref.finalize(self, conn.close)


def _create_file(location: str) -> None:
    """Create the database file with mode 0600 (before SQLite would with 0644)."""
    directory = os.path.dirname(location)
    if not os.path.isdir(directory):
        raise ConfigurationError(f"cannot open SQLite store {location}: no directory {directory}")
    try:
        os.close(os.open(location, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError as error:
        raise ConfigurationError(f"cannot open SQLite store {location}: {error}") from error


class Database:
    """The connections of one store, its write lock, and transactions with bounded retries."""

    def __init__(self, options: SQLiteOptions) -> None:
        """Create or open the file, switch it to WAL and migrate it.

        Raises ConfigurationError (no such directory, not a database, WAL unavailable,
        newer schema) or StorageError (the file stayed locked for ``busy_timeout``).
        """
        self.location = os.path.abspath(options.path)
        self.busy_timeout = options.busy_timeout
        self._pragmas = (
            f"PRAGMA synchronous = {options.synchronous.upper()}",
            f"PRAGMA mmap_size = {options.mmap_size}",
        )
        self._write_lock = _write_lock_for(self.location)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._calls: list[None] = []
        self._closed = False
        self._forget_connections()
        _create_file(self.location)
        _OPEN.add(self)
        try:
            mode = self.one("PRAGMA journal_mode = WAL", ())[0]
            if str(mode).lower() != "wal":
                raise ConfigurationError(
                    f"SQLite store {self.location} cannot use WAL mode (journal_mode={mode}); "
                    "put it on a local file system"
                )
            self.name_index = self.write("open", lambda conn: migrate(conn, self.location))
            """Whether the directory's name search has its FTS5 index (``_schema``)."""
        except sqlite3.DatabaseError as error:
            self.close()
            if _busy(error):
                raise StorageError(f"cannot open SQLite store {self.location}: {error}") from error
            raise ConfigurationError(
                f"cannot open SQLite store {self.location}: {error}"
            ) from error
        except BaseException:
            self.close()
            raise

    def _forget_connections(self) -> None:
        """Drop every connection reference without closing it (after a fork: the parent's)."""
        self._local = threading.local()
        self._slots: weakref.WeakSet[_Slot] = weakref.WeakSet()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened (with the store's pragmas) on first use."""
        slot: _Slot | None = getattr(self._local, "slot", None)
        if slot is not None:
            return slot.conn
        conn = sqlite3.connect(
            self.location,
            timeout=ATTEMPT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
            cached_statements=256,
        )
        for pragma in self._pragmas:
            conn.execute(pragma)
        slot = _Slot(conn)
        with self._lock:
            if self._closed:
                slot.finalizer()
                raise StoreClosed(f"the SQLite store {self.location} is closed")
            self._slots.add(slot)
        self._local.slot = slot
        return conn

    def _enter(self) -> sqlite3.Connection:
        self._calls.append(None)  # atomic, no lock: close() sets _closed, then waits
        try:  # for _calls to empty, so a call sees _closed here or is waited for
            if self._closed:
                raise StoreClosed(f"the SQLite store {self.location} is closed")
            return self.connection()
        except BaseException:
            self._leave()
            raise

    def _leave(self) -> None:
        self._calls.pop()
        if self._closed:
            with self._lock:
                self._idle.notify_all()

    @contextmanager
    def entered(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection for one call; :meth:`close` waits for the call to end."""
        conn = self._enter()
        try:
            yield conn
        finally:
            self._leave()

    def one(self, query: str, params: tuple[object, ...]) -> Any:
        """The first row of one read statement (``None`` when there is none)."""
        return self.read(lambda conn: conn.execute(query, params).fetchone())

    def all(self, query: str, params: tuple[object, ...]) -> list[Any]:
        """Every row of one read statement."""
        return self.read(lambda conn: conn.execute(query, params).fetchall())

    def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` outside any explicit transaction; SQLITE_BUSY retried for ``busy_timeout``."""
        conn = self._enter()
        try:
            deadline = 0.0  # from the first failure: no clock read on the common path
            while True:
                try:
                    return work(conn)
                except sqlite3.OperationalError as error:
                    deadline = deadline or time.monotonic() + self.busy_timeout
                    self._pause_or_raise("a read", error, deadline)
        finally:
            self._leave()

    def _pause_or_raise(self, name: str, error: sqlite3.OperationalError, deadline: float) -> None:
        """Pause before the next attempt; re-raise ``error`` unless it is SQLITE_BUSY,
        and raise StorageError once ``deadline`` has passed."""
        if not _busy(error):
            raise error
        if time.monotonic() >= deadline:
            raise StorageError(
                f"{name} found the SQLite store {self.location} locked by another "
                f"connection for {self.busy_timeout}s: {error}"
            ) from error
        time.sleep(_JITTER.uniform(0, 0.002))

    def snapshot(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in one read transaction: every statement sees the same snapshot
        (inside a block: the block's own transaction)."""
        with self.entered() as conn:
            if self._in_block():
                return work(conn)
            conn.execute(sql.BEGIN_READ)
            try:
                return work(conn)
            finally:
                _rollback(conn)

    @contextmanager
    def read_only_snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection of its own in one read transaction (an export's), closed after."""
        uri = f"file:{quote(self.location)}?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=self.busy_timeout)
        except sqlite3.Error as error:
            raise StorageError(f"export_records() cannot read the store: {error}") from error
        try:
            conn.execute(sql.BEGIN_READ)
            yield conn
        finally:
            conn.close()

    def write(self, name: str, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in one ``BEGIN IMMEDIATE`` transaction; commit, or roll back on error.

        SQLITE_BUSY/SQLITE_LOCKED retry the whole transaction until ``busy_timeout``
        seconds have passed, then raise StorageError naming ``name``.  Inside a block of
        this thread, ``work`` runs in the block's transaction, in a savepoint.
        """
        with self.entered() as conn:
            if self._in_block():
                with _savepoint(conn, "jp_call"):
                    return work(conn)
            deadline = self._lock_writes(f"{name}()")
            try:
                while True:
                    self._begin_write(conn, f"{name}()", deadline)
                    try:
                        result = work(conn)
                        conn.execute(sql.COMMIT)
                        return result
                    except sqlite3.OperationalError as error:
                        _rollback(conn)
                        self._pause_or_raise(f"{name}()", error, deadline)
                    except BaseException:
                        _rollback(conn)
                        raise
            finally:
                self._write_lock.release()

    def _lock_writes(self, name: str) -> float:
        """Take this process's write lock for the file; the call's deadline."""
        deadline = time.monotonic() + self.busy_timeout
        if not self._write_lock.acquire(timeout=self.busy_timeout):
            raise StorageError(f"{name} waited {self.busy_timeout}s for other threads' writes")
        return deadline

    def _begin_write(self, conn: sqlite3.Connection, name: str, deadline: float) -> None:
        """``BEGIN IMMEDIATE``, retried while another process holds the write lock."""
        while True:
            try:
                conn.execute(sql.BEGIN_WRITE)
                return
            except sqlite3.OperationalError as error:
                self._pause_or_raise(name, error, deadline)

    def _in_block(self) -> bool:
        return bool(getattr(self._local, "block", False))

    @contextmanager
    def block(self, level: int) -> Iterator[None]:
        """One ``transaction()`` block of the calling thread at nesting ``level``."""
        with self.entered() as conn:
            if level > 0:
                with _savepoint(conn, f"jp_block_{level}"):
                    yield
                return
            deadline = self._lock_writes("transaction()")
            try:
                self._begin_write(conn, "transaction()", deadline)
                self._local.block = True
                try:
                    yield
                except BaseException:
                    _rollback(conn)
                    raise
                finally:
                    self._local.block = False
                try:
                    conn.execute(sql.COMMIT)
                except BaseException:
                    _rollback(conn)
                    raise
            finally:
                self._write_lock.release()

    def close(self) -> None:
        """Wait for running calls, checkpoint the WAL and close every connection.  Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._idle.wait_for(lambda: not self._calls)
            slots = list(self._slots)
        _OPEN.discard(self)
        if slots:
            conn = slots[0].conn
            with contextlib.suppress(sqlite3.Error):
                conn.execute(f"PRAGMA busy_timeout = {CLOSE_CHECKPOINT_WAIT_MS}")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for slot in slots:
            slot.finalizer()


@contextmanager
def _savepoint(conn: sqlite3.Connection, name: str) -> Iterator[None]:
    """``SAVEPOINT name``; rolled back to (and released) on an exception, else released."""
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
        raise
    conn.execute(f"RELEASE {name}")


def _rollback(conn: sqlite3.Connection) -> None:
    # The failure may already have ended the transaction (SQLite rolls back on some errors).
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute(sql.ROLLBACK)
