"""The native async store's database: psycopg's ``AsyncConnectionPool`` behind the
synchronous adapter's code.

:class:`AsyncDatabase` is a :class:`~._database.Database` whose connections are
``psycopg.AsyncConnection`` objects from a bounded ``AsyncConnectionPool``
(``pool_min``/``pool_max``/``pool_timeout``).  The adapter's callbacks run unchanged
under :func:`~._greenlets.run_sync`: they see :class:`SyncConnection` wrappers whose
``execute``/``fetchone``/``transaction`` await the async connection through
:func:`~._greenlets.await_only`, so the SQL text, row codecs, retry and error rules are
the synchronous adapter's own, and no thread is involved.

``transaction()`` blocks pin one async connection to the awaiting task (a context
variable) instead of a thread; the block's callbacks run one at a time on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar, cast

import psycopg
from psycopg.types.string import TextLoader
from psycopg_pool import AsyncConnectionPool, PoolClosed, PoolTimeout

from jido_persistence.errors import StorageError, StoreClosed
from jido_persistence_postgres._database import (
    _JITTER,
    HEALTH_TIMEOUT,
    Connection,
    Database,
    _connection_kwargs,
)
from jido_persistence_postgres._greenlets import await_only, run_sync
from jido_persistence_postgres._options import PostgresOptions
from jido_persistence_postgres._schema import migrate

__all__ = ["AsyncDatabase", "SyncConnection"]

T = TypeVar("T")
AsyncConnection = psycopg.AsyncConnection[tuple[Any, ...]]

_NAMES = itertools.count()
_Transaction = contextlib.AbstractAsyncContextManager[Any]


class _AsyncPool(AsyncConnectionPool[AsyncConnection]):
    """psycopg's async pool with its jitter drawn from the adapter's own RNG."""

    @classmethod
    def _jitter(cls, value: float, min_pc: float, max_pc: float) -> float:
        return value * (1.0 + ((max_pc - min_pc) * _JITTER.random()) + min_pc)


class SyncCursor:
    """A psycopg async cursor seen as a sync one (inside :func:`run_sync` only)."""

    def __init__(
        self,
        cursor: psycopg.AsyncCursor[tuple[Any, ...]] | psycopg.AsyncServerCursor[tuple[Any, ...]],
    ) -> None:
        """Wrap ``cursor``."""
        self._cursor = cursor

    def fetchone(self) -> tuple[Any, ...] | None:
        """``await cursor.fetchone()``."""
        return await_only(self._cursor.fetchone())

    def fetchall(self) -> list[tuple[Any, ...]]:
        """``await cursor.fetchall()``."""
        return await_only(self._cursor.fetchall())

    def fetchmany(self, size: int = 0) -> list[tuple[Any, ...]]:
        """``await cursor.fetchmany(size)``."""
        return await_only(self._cursor.fetchmany(size))

    def execute(self, query: Any, params: Any = None) -> SyncCursor:
        """``await cursor.execute(query, params)`` (a named cursor declares itself)."""
        await_only(self._cursor.execute(query, params))
        return self

    def executemany(self, query: Any, params_seq: Any) -> None:
        """``await cursor.executemany(...)``."""
        await_only(self._cursor.executemany(query, params_seq))

    @contextlib.contextmanager
    def copy(self, statement: Any, params: Any = None) -> Iterator[SyncCopy]:
        """``async with cursor.copy(statement, params)``: a ``COPY`` seen as a sync one."""
        manager = self._cursor.copy(statement, params)
        copy = await_only(manager.__aenter__())
        try:
            yield SyncCopy(copy)
        except BaseException as error:
            if not await_only(manager.__aexit__(type(error), error, error.__traceback__)):
                raise
        else:
            await_only(manager.__aexit__(None, None, None))

    @property
    def itersize(self) -> int:
        """A named cursor's ``itersize`` (rows fetched per round trip when iterated)."""
        return int(getattr(self._cursor, "itersize", 0))

    @itersize.setter
    def itersize(self, size: int) -> None:
        self._cursor.itersize = size  # type: ignore[union-attr]

    @property
    def rowcount(self) -> int:
        """The cursor's ``rowcount``."""
        return self._cursor.rowcount

    def __enter__(self) -> SyncCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        await_only(self._cursor.close())


class SyncCopy:
    """A psycopg ``AsyncCopy`` seen as a sync ``Copy`` (``COPY ... FROM STDIN``)."""

    def __init__(self, copy: psycopg.AsyncCopy) -> None:
        """Wrap ``copy``."""
        self._copy = copy

    def write_row(self, row: Any) -> None:
        """``await copy.write_row(row)``: psycopg buffers rows and sends them in blocks."""
        await_only(self._copy.write_row(row))


class SyncConnection:
    """A psycopg ``AsyncConnection`` seen as a sync ``Connection`` by the adapter's code.

    Offers what the adapter uses: ``execute`` (returning a cursor to fetch from),
    ``cursor()``, ``transaction()`` (nested: savepoints), ``adapters``, ``broken``
    and ``closed``.
    """

    def __init__(self, conn: AsyncConnection) -> None:
        """Wrap ``conn``."""
        self.async_connection = conn

    @property
    def adapters(self) -> Any:
        """The connection's adapters map."""
        return self.async_connection.adapters

    @property
    def connection(self) -> AsyncConnection:
        """The wrapped connection (psycopg's adaptation context reads it)."""
        return self.async_connection

    @property
    def broken(self) -> bool:
        """Whether the connection was lost."""
        return self.async_connection.broken

    @property
    def closed(self) -> bool:
        """Whether the connection is closed."""
        return self.async_connection.closed

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None) -> SyncCursor:
        """``await conn.execute(query, params, prepare=prepare)``."""
        return SyncCursor(await_only(self.async_connection.execute(query, params, prepare=prepare)))

    def cursor(self, name: str = "") -> SyncCursor:
        """A new cursor (a context manager closing it); server-side when ``name`` is given."""
        if name:
            return SyncCursor(self.async_connection.cursor(name=name))
        return SyncCursor(self.async_connection.cursor())

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """``async with conn.transaction()``: BEGIN, or a savepoint when nested."""
        transaction = self.async_connection.transaction()
        await_only(transaction.__aenter__())
        try:
            yield
        except BaseException as error:
            if not await_only(transaction.__aexit__(type(error), error, error.__traceback__)):
                raise
        else:
            await_only(transaction.__aexit__(None, None, None))


def _sync(conn: SyncConnection) -> Connection:
    """The wrapper typed as the adapter's ``Connection`` (it offers what is used)."""
    return cast(Connection, conn)


class _Block:
    """An open block of one task: its connection and the lock that serialises it."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.connection = conn
        self.sync = SyncConnection(conn)
        self.lock = asyncio.Lock()


class AsyncDatabase(Database):
    """One async store's pool: open with :meth:`open`, close with :meth:`aclose`."""

    apool: AsyncConnectionPool[AsyncConnection]

    def __init__(self, options: PostgresOptions) -> None:
        # Only the attributes Database.run and describe read; no sync pool.
        self.options = options
        self._retries = options.retries
        self._statement_timeout_ms = max(1, round(options.statement_timeout * 1000))
        self._block: contextvars.ContextVar[_Block | None] = contextvars.ContextVar(
            f"jido_persistence_postgres_block_{next(_NAMES)}", default=None
        )

    @classmethod
    async def open(cls, options: PostgresOptions) -> AsyncDatabase:
        """Create or migrate the schema on one async connection, then open the pool.

        Raises ConfigurationError (bad database or store version) or StorageError (the
        server cannot be reached within ``connect_timeout``).
        """
        db = cls(options)
        kwargs = _connection_kwargs(options)
        try:
            conn = await psycopg.AsyncConnection.connect(options.conninfo, **kwargs)
            async with conn:
                await db._configure_async(conn)
                db.name_search = await run_sync(
                    migrate, _sync(SyncConnection(conn)), options.schema
                )
        except psycopg.Error as error:
            raise StorageError(db.describe("cannot open the store", error)) from error
        wait = options.connect_timeout + options.statement_timeout
        db.apool = _AsyncPool(
            options.conninfo,
            kwargs=kwargs,
            min_size=options.pool_min,
            max_size=options.pool_max,
            configure=db._configure_async,
            timeout=wait if options.pool_timeout is None else options.pool_timeout,
            reconnect_timeout=wait,  # see Database.__init__
            name=f"jido_persistence_async:{options.schema}",
            open=False,
        )
        await db.apool.open(wait=False)
        return db

    async def _configure_async(self, conn: AsyncConnection) -> None:
        await conn.execute("SET TimeZone TO 'UTC'", prepare=False)
        await conn.execute(f"SET statement_timeout TO {self._statement_timeout_ms}", prepare=False)
        conn.adapters.register_loader("json", TextLoader)

    # --- Database's I/O points, awaited from inside run_sync -------------------------

    def getconn(self) -> Connection:
        """A connection of the async pool, awaited (inside :func:`run_sync` only)."""
        return _sync(SyncConnection(await_only(self.apool.getconn())))

    def putconn(self, conn: Connection) -> None:
        """Give ``conn`` back to the async pool."""
        await_only(self.apool.putconn(cast(SyncConnection, conn).async_connection))

    def _back_off(self, conflicts: int) -> None:
        if conflicts > 1:
            await_only(asyncio.sleep(_JITTER.uniform(0, min(0.05, 0.001 * 2**conflicts))))

    def _drop_dead_connections(self) -> None:
        with contextlib.suppress(psycopg.Error):
            await_only(self.apool.drain())

    def in_block(self) -> bool:
        """Whether the awaiting task is inside a ``transaction()`` block."""
        return self._block.get() is not None

    def probe(self) -> None:
        """``Database.probe`` on the async pool: ``SELECT 1`` within the health timeout."""
        deadline = time.monotonic() + min(HEALTH_TIMEOUT, self.options.connect_timeout)
        for attempt in range(self.options.pool_max + 1):
            try:
                wait = max(deadline - time.monotonic(), 0.01)
                conn = await_only(self.apool.getconn(timeout=wait))
                try:
                    await_only(conn.execute("SELECT 1", prepare=False))
                finally:
                    await_only(self.apool.putconn(conn))
                return
            except PoolTimeout:
                raise
            except psycopg.OperationalError:
                if attempt == self.options.pool_max or time.monotonic() >= deadline:
                    raise

    def _pinned(self) -> Connection | None:
        block = self._block.get()
        return None if block is None else _sync(block.sync)

    def _run_pinned(self, name: str, work: Callable[[Connection], T], conn: Connection) -> T:
        block = self._block.get()
        assert block is not None
        await_only(block.lock.acquire())
        try:
            return super()._run_pinned(name, work, conn)
        finally:
            block.lock.release()

    # --- transaction() blocks ---------------------------------------------------------

    @contextlib.asynccontextmanager
    async def block(self) -> AsyncIterator[None]:  # type: ignore[override]
        """One ``transaction()`` block of the awaiting task: the outermost one pins a
        pooled connection to the task; a nested one is a savepoint on it."""
        block = self._block.get()
        if block is not None:
            async with block.lock:
                savepoint = block.connection.transaction()
                await self._begin(savepoint, "a savepoint")
            try:
                yield
            except BaseException as error:
                async with block.lock:
                    await self._end(savepoint, error, "a savepoint")
                raise
            async with block.lock:
                await self._end(savepoint, None, "a savepoint")
            return
        try:
            conn = await self.apool.getconn()
        except PoolClosed:
            raise StoreClosed("the store is closed: transaction() needs an open store") from None
        except psycopg.Error as error:
            raise StorageError(self.describe("transaction() could not begin", error)) from error
        block = _Block(conn)
        token = self._block.set(block)
        try:
            transaction = conn.transaction()
            await self._begin(transaction, "the transaction")
            try:
                yield
            except BaseException as error:
                async with block.lock:
                    await self._end(transaction, error, "the transaction")
                raise
            async with block.lock:
                await self._end(transaction, None, "the transaction")
        finally:
            self._block.reset(token)
            await self.apool.putconn(conn)

    async def _begin(self, transaction: _Transaction, what: str) -> None:
        try:
            await transaction.__aenter__()
        except psycopg.Error as error:
            raise StorageError(self.describe(f"{what} of transaction() failed", error)) from error

    async def _end(
        self,
        transaction: _Transaction,
        error: BaseException | None,
        what: str,
    ) -> None:
        try:
            if error is None:
                await transaction.__aexit__(None, None, None)
            else:
                await transaction.__aexit__(type(error), error, error.__traceback__)
        except psycopg.Error as failure:
            if failure is error:
                return
            raise StorageError(
                self.describe(f"{what} of transaction() failed", failure)
            ) from failure

    async def aclose(self) -> None:
        """Close the pool; connections in use close when their call returns."""
        await self.apool.close(timeout=self.options.connect_timeout)

    def close(self) -> None:
        """The sync close of the adapter: closing happens in :meth:`aclose`."""
