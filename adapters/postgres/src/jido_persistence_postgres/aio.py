"""The native async PostgreSQL store: ``await open_async_store("postgresql://...")``.

Every callback is the synchronous adapter's own code (guard, SQL, row codecs, retries)
run on the event loop by :func:`~._greenlets.run_sync` over psycopg's
``AsyncConnectionPool``: no thread is used, a callback waiting for the server lets the
loop run other tasks, and the pool (``pool_min``/``pool_max``/``pool_timeout``) bounds
how many run at once.  ``async with store.transaction():`` pins one connection to the
task (see :mod:`._blocks` for the retry rules inside blocks).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence_postgres._async_database import AsyncDatabase
from jido_persistence_postgres._greenlets import run_sync

__all__ = ["PostgresRunner"]

T = TypeVar("T")


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

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """A server transaction on a connection pinned to the task; nested: savepoint."""
        return self._database.block()

    async def aclose(self) -> None:
        """Refuse new calls (StoreClosed), then close the pool; running calls finish."""
        self._store.close()
        await self._database.aclose()
