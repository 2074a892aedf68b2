"""The native async PostgreSQL store: ``await open_async_store("postgresql://...")``.

Every callback is the synchronous adapter's own code (guard, SQL, row codecs, retries)
run on the event loop by :func:`~._greenlets.run_sync` over psycopg's
``AsyncConnectionPool``: no thread is used, a callback waiting for the server lets the
loop run other tasks, and the pool (``pool_min``/``pool_max``/``pool_timeout``) bounds
how many run at once.  ``async with store.transaction():`` pins one connection to the
task (see :mod:`._blocks` for the retry rules inside blocks).  ``export_records()`` is
an async iterator over the same export (a server-side cursor on a pooled async
connection, a batch at a time), and ``import_records`` writes through async ``COPY``;
it also reads an async iterable (another async store's export) without a thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any, Final, TypeVar

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence_postgres._async_database import AsyncDatabase
from jido_persistence_postgres._greenlets import await_only, run_sync

__all__ = ["STREAM_BATCH", "PostgresRunner"]

T = TypeVar("T")

STREAM_BATCH: Final = 500
"""Items of an export taken per greenlet run of :meth:`PostgresRunner.stream`."""


def _next_batch(iterator: Iterator[T], size: int) -> list[T]:
    batch: list[T] = []
    for item in iterator:
        batch.append(item)
        if len(batch) >= size:
            break
    return batch


class PostgresRunner:
    """The :class:`~jido_persistence.aio_runners.Runner` of the native async store."""

    def __init__(self, store: PersistenceAdapter, database: AsyncDatabase) -> None:
        """Run ``store``'s callbacks over ``database``'s async pool."""
        self._store = store
        self._database = database
        # As many callbacks in flight as the pool has connections: the others wait here,
        # before they take any loop time, instead of in the pool after their checks.
        self._slots = asyncio.Semaphore(database.options.pool_max)

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run the callback on the loop (in a greenlet), awaiting its I/O."""
        if self._database.in_block():
            return await run_sync(function, *args, **kwargs)
        async with self._slots:
            return await run_sync(function, *args, **kwargs)

    async def stream(self, make: Callable[[], Iterator[T]]) -> AsyncIterator[T]:
        """``make()`` (an export: a server-side cursor on a pooled async connection) run
        on the loop, :data:`STREAM_BATCH` items per greenlet run; closed on the loop
        when the consumer stops early."""
        iterator = await run_sync(make)
        finished = False
        try:
            while batch := await run_sync(_next_batch, iterator, STREAM_BATCH):
                for item in batch:
                    yield item
            finished = True
        finally:
            close = getattr(iterator, "close", None)
            if not finished and close is not None:
                await run_sync(close)

    def iterate(self, source: AsyncIterable[T]) -> Iterator[T]:
        """``source`` for a callback running under :func:`run_sync`: each item awaited
        through the greenlet, on the loop (no thread)."""
        iterator = aiter(source)

        def items() -> Iterator[T]:
            finished = False
            try:
                while True:
                    try:
                        item = await_only(anext(iterator))
                    except StopAsyncIteration:
                        finished = True
                        return
                    yield item
            finally:
                close = getattr(iterator, "aclose", None)
                if not finished and close is not None:
                    await_only(close())

        return items()

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """A server transaction on a connection pinned to the task; nested: savepoint."""
        return self._database.block()

    async def aclose(self) -> None:
        """Refuse new calls (StoreClosed), then close the pool; running calls finish."""
        self._store.close()
        await self._database.aclose()
