"""Connections: the pool, per-connection settings, retries and error translation.

Every connection is in autocommit mode, so a callback that is one statement costs one
round trip; callbacks that need several statements open an explicit transaction.
Statements are prepared on first use (``prepare_threshold=0``; none with the option
``prepared_statements=false``).  Each new connection
gets ``TimeZone=UTC`` and the ``statement_timeout``, so no result depends on server or
session settings and no call waits forever.

Failures:
- serialization failures and deadlocks are retried (``retries`` times), then
  StorageError;
- a lost connection (``pg_terminate_backend``, a server restart) makes the pool replace
  its connections and, for calls that are safe to repeat, the call is retried once on a
  fresh connection; otherwise StorageError, and the next call works;
- while the server is down, calls raise StorageError after ``connect_timeout +
  statement_timeout``; the pool's background reconnection gives up after as long, so a
  call made once the server is back connects at once instead of waiting out a backoff;
- every message that leaves this module has the conninfo's password masked.
"""

from __future__ import annotations

import contextlib
import math
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Final, TypeVar

import psycopg
import psycopg.errors
from psycopg.types.string import TextLoader
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from jido_persistence.errors import StorageError, StoreClosed
from jido_persistence_postgres._blocks import block_errors, run_pinned
from jido_persistence_postgres._conflicts import TRANSIENT, Connection, Retry
from jido_persistence_postgres._options import PostgresOptions, mask_password
from jido_persistence_postgres._schema import NameSearch, migrate

__all__ = ["TRANSIENT", "Connection", "Database", "Retry"]

T = TypeVar("T")

_LOST_CONNECTION_STATES: Final = ("08", "57P")


def _lost_connection(error: BaseException, conn: Connection | None) -> bool:
    if not isinstance(error, psycopg.OperationalError):
        return False
    if conn is not None and (conn.broken or conn.closed):
        return True
    state = getattr(error, "sqlstate", None) or ""
    return state.startswith(_LOST_CONNECTION_STATES)


_JITTER = random.Random()
"""The adapter's own random source: retries and the pool's jitter never draw from (and
so never disturb) the global ``random`` state that applications and tests seed."""


class _Pool(ConnectionPool[Connection]):
    """psycopg's pool, with its connection-expiry jitter drawn from :data:`_JITTER`.

    The stock pool calls the global ``random.random()`` from its worker threads, which
    shifts a user's seeded sequence at unpredictable moments (hypothesis warns about it).
    """

    @classmethod
    def _jitter(cls, value: float, min_pc: float, max_pc: float) -> float:
        return value * (1.0 + ((max_pc - min_pc) * _JITTER.random()) + min_pc)


def _back_off(conflicts: int) -> None:
    """Wait a random moment before a retry, longer after each conflict (at most ~50 ms),
    so that transactions that collided do not collide again in lockstep."""
    if conflicts > 1:
        time.sleep(_JITTER.uniform(0, min(0.05, 0.001 * 2**conflicts)))


def _connection_kwargs(options: PostgresOptions) -> dict[str, Any]:
    return {
        "autocommit": True,
        "prepare_threshold": 0 if options.prepared_statements else None,
        # libpq takes whole seconds and treats values below 2 as 2.
        "connect_timeout": str(max(2, math.ceil(options.connect_timeout))),
        "client_encoding": "UTF8",
    }


HEALTH_TIMEOUT: Final = 5.0
"""The longest a health check waits for a pooled connection, in seconds."""


class Database:
    """One store's connection pool, with retries and password-free errors."""

    def __init__(self, options: PostgresOptions) -> None:
        """Create (or migrate) the schema on one connection, then start the pool.

        Raises ConfigurationError (bad database or store version) or StorageError (the
        server cannot be reached within ``connect_timeout``).
        """
        self.options = options
        self._retries = options.retries
        self._statement_timeout_ms = max(1, round(options.statement_timeout * 1000))
        kwargs = _connection_kwargs(options)
        try:
            with psycopg.connect(options.conninfo, **kwargs) as conn:
                self._configure(conn)
                self.name_search: NameSearch = migrate(conn, options.schema)
        except psycopg.Error as error:
            raise StorageError(self.describe("cannot open the store", error)) from error
        wait = options.connect_timeout + options.statement_timeout
        self.pool: ConnectionPool[Connection] = _Pool(
            options.conninfo,
            kwargs=kwargs,
            min_size=options.min_size,
            max_size=options.max_size,
            configure=self._configure,
            timeout=wait,
            # The pool retries a failed connection in the background with exponential
            # backoff (1, 2, 4, ... s) for ``reconnect_timeout`` (5 min by default):
            # after an outage its next attempt could come long after the server is
            # back, and calls would time out meanwhile.  Giving up within one call's
            # wait means a call made once the server is back finds an attempt due
            # before its own deadline, or starts a fresh one at once.
            reconnect_timeout=wait,
            name=f"jido_persistence:{options.schema}",
            open=False,
        )
        self.pool.open(wait=False)
        self._local = threading.local()

    def probe(self) -> None:
        """``SELECT 1`` on a pooled connection, waiting at most :data:`HEALTH_TIMEOUT`
        seconds (or ``connect_timeout`` when shorter) for one; raises psycopg.Error
        (``PoolTimeout`` when none came in time).  Pooled connections found dead (after
        a server restart) are replaced within that time; nothing else is retried.
        """
        deadline = time.monotonic() + min(HEALTH_TIMEOUT, self.options.connect_timeout)
        for attempt in range(self.options.max_size + 1):
            try:
                with self.pool.connection(timeout=max(deadline - time.monotonic(), 0.01)) as conn:
                    conn.execute("SELECT 1", prepare=False)
                return
            except PoolTimeout:
                raise
            except psycopg.OperationalError:
                # A pooled connection the server dropped (a restart) says nothing about
                # the server now: the pool discards it and the next one decides, until
                # the pool is drained of dead ones or the deadline passes.
                if attempt == self.options.max_size or time.monotonic() >= deadline:
                    raise

    def _configure(self, conn: Connection) -> None:
        conn.execute("SET TimeZone TO 'UTC'", prepare=False)
        conn.execute(f"SET statement_timeout TO {self._statement_timeout_ms}", prepare=False)
        # ``doc`` columns are json: hand their text to pydantic unparsed.
        conn.adapters.register_loader("json", TextLoader)

    def describe(self, what: str, error: BaseException) -> str:
        """``what: error`` with the conninfo's password masked."""
        return mask_password(f"{what}: {type(error).__name__}: {error}", self.options.conninfo)

    def run(
        self,
        name: str,
        work: Callable[[Connection], T],
        *,
        transaction: bool = False,
        repeatable: bool = True,
    ) -> T:
        """Run ``work`` on a pooled connection (inside a transaction when asked).

        ``work`` may raise :class:`Retry` to run again.  ``repeatable`` says whether
        the call may be repeated after a lost connection (its outcome is then
        unknown: repeating must give the same answer).
        """
        pinned = self._pinned()
        if pinned is not None:
            return self._run_pinned(name, work, pinned)
        conflicts = 0
        reconnected = False
        while True:
            conn: Connection | None = None
            try:
                # getconn/putconn rather than pool.connection(): its exit runs
                # commit(), a no-op in autocommit that still costs a wait cycle.
                conn = self.getconn()
                try:
                    if not transaction:
                        return work(conn)
                    with conn.transaction():
                        return work(conn)
                finally:
                    self.putconn(conn)
            except Retry:
                conflicts += 1
                if conflicts > self._retries:
                    raise StorageError(
                        f"{name}() kept conflicting with concurrent calls after "
                        f"{self._retries} retries"
                    ) from None
                self._back_off(conflicts)
            except PoolClosed:
                raise StoreClosed(f"the store is closed: {name}() needs an open store") from None
            except TRANSIENT as error:
                conflicts += 1
                if conflicts > self._retries:
                    raise StorageError(
                        self.describe(f"{name}() failed after {self._retries} retries", error)
                    ) from error
                self._back_off(conflicts)
            except psycopg.Error as error:
                if not _lost_connection(error, conn):
                    raise StorageError(self.describe(f"{name}() failed", error)) from error
                self._drop_dead_connections()
                if reconnected or not repeatable:
                    raise StorageError(
                        self.describe(f"{name}() lost its connection", error)
                    ) from error
                reconnected = True

    # --- what the async store's database (``_async_database``) does differently -----

    def getconn(self) -> Connection:
        """A pooled connection (raises PoolClosed, PoolTimeout); give it back with
        :meth:`putconn`."""
        return self.pool.getconn()

    def putconn(self, conn: Connection) -> None:
        """Give ``conn`` back to the pool."""
        self.pool.putconn(conn)

    def _back_off(self, conflicts: int) -> None:
        _back_off(conflicts)

    # --- transaction() blocks: a connection pinned to the thread -------------------

    def _pinned(self) -> Connection | None:
        """The connection of the calling thread's open block, else None."""
        conn: Connection | None = getattr(self._local, "conn", None)
        return conn

    @contextlib.contextmanager
    def block(self, level: int) -> Iterator[None]:
        """One ``transaction()`` block of the calling thread (see :mod:`._blocks`)."""
        if level > 0:
            conn = self._pinned()
            assert conn is not None, "a nested block needs its outer block"
            with self._block_errors("a savepoint"), conn.transaction():
                yield
            return
        try:
            conn = self.pool.getconn()
        except PoolClosed:
            raise StoreClosed("the store is closed: transaction() needs an open store") from None
        except psycopg.Error as error:
            raise StorageError(self.describe("transaction() could not begin", error)) from error
        self._local.conn = conn
        try:
            with self._block_errors("the transaction"), conn.transaction():
                yield
        finally:
            self._local.conn = None
            self.pool.putconn(conn)

    def _block_errors(self, what: str) -> contextlib.AbstractContextManager[None]:
        return block_errors(self, what)

    def _run_pinned(self, name: str, work: Callable[[Connection], T], conn: Connection) -> T:
        return run_pinned(self, name, work, conn)

    def _drop_dead_connections(self) -> None:
        """Replace every pooled connection: one was lost, so the others may be too.

        A connection killed by ``pg_terminate_backend`` or a restart can still pass
        ``pool.check()`` for a moment (its backend has not exited yet), so the pool is
        drained instead: idle connections close now, busy ones when returned, and new
        ones are opened in the background.  psycopg-pool before 3.3 has no ``drain()``;
        there the idle connections are checked.
        """
        drain = getattr(self.pool, "drain", None)
        with contextlib.suppress(psycopg.Error):
            if drain is not None:
                drain()
            else:
                self.pool.check()

    def close(self) -> None:
        """Close the pool; connections in use close when their call returns."""
        self.pool.close(timeout=self.options.connect_timeout)
