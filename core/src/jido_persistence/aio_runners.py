"""How an :class:`~jido_persistence.aio.AsyncStore` runs its callbacks: the runners.

A runner turns one synchronous callback of the adapter into an awaitable, opens
``transaction()`` blocks for the awaiting task, and is closed with the async store.

- :class:`ThreadRunner` (every adapter): a bounded pool of worker threads, never the
  event loop.  An async block takes one worker for its whole duration and runs every
  callback of the block's task on it, because a block belongs to the thread that
  opened it (the store lock, the pinned connection).
- A native runner (the PostgreSQL adapter's, see its ``aio`` module) runs callbacks
  without threads, on the adapter's asyncio driver.

Adapters offer a native runner through the classmethod named by
:data:`NATIVE_OPENER`; :func:`~jido_persistence.aio.open_async_store` uses it when the
class declares ``native_async``.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import queue
import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Final, Protocol, TypeVar

from jido_persistence._aio_stream import pull_from_loop, stream_in_thread
from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import StoreClosed

__all__ = ["DEFAULT_MAX_WORKERS", "NATIVE_OPENER", "Runner", "ThreadRunner"]

T = TypeVar("T")

DEFAULT_MAX_WORKERS: Final = 8
"""Worker threads of a :class:`ThreadRunner` unless ``max_workers`` says otherwise.

Eight matches the bundled PostgreSQL adapter's default pool (``max_size=8``, one
connection per running callback): more threads would only queue for a connection.
The embedded adapters serialise their callbacks (memory, TinyDB) or their writes
(DuckDB) behind a lock, so extra threads buy them nothing either; a few still let
DuckDB reads overlap a slow write.  Threads start only when calls need them.
"""

NATIVE_OPENER: Final = "open_native_async"
"""The classmethod of a native async adapter: ``await cls.open_native_async(**options)``
returns ``(adapter, runner)``."""


class Runner(Protocol):
    """What an :class:`~jido_persistence.aio.AsyncStore` needs to run a store's calls."""

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run the synchronous ``function(*args, **kwargs)``; its exception propagates."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """An async ``transaction()`` block for the awaiting task (nested: savepoint)."""
        ...

    def stream(self, make: Callable[[], Iterator[T]]) -> AsyncIterator[T]:
        """The items of the synchronous iterator ``make()`` (an export), as an async
        iterator; memory bounded, the iterator closed when the consumer stops early."""
        ...

    def iterate(self, source: AsyncIterable[T]) -> Iterator[T]:
        """A synchronous iterator over ``source`` for a callback this runner runs (an
        import reading an async export); call it on the event loop."""
        ...

    async def aclose(self) -> None:
        """Wait for running calls, release what the runner holds (threads, a pool) and
        close the store."""
        ...


_STOP: Final = object()


class _BlockThread:
    """One worker of the pool, held by an open async block: runs the block's calls."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def serve(self) -> None:
        """Run submitted calls in order until :meth:`stop` (this is the worker's job)."""
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            function, future = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(function())
                except BaseException as error:
                    future.set_exception(error)

    async def run(self, function: Callable[[], T]) -> T:
        """Run ``function`` on the block's worker and await its result."""
        future: Future[T] = Future()
        self._queue.put((function, future))
        return await asyncio.wrap_future(future)

    def stop(self) -> None:
        """Give the worker back to the pool once the calls queued so far are done."""
        self._queue.put(_STOP)


class ThreadRunner:
    """Calls of ``store`` in a bounded :class:`~concurrent.futures.ThreadPoolExecutor`.

    Each call runs with a copy of the caller's :mod:`contextvars` context (as
    ``asyncio.to_thread`` does).  See the module docstring for blocks.
    """

    def __init__(self, store: PersistenceAdapter, *, max_workers: int = DEFAULT_MAX_WORKERS):
        """Start no thread yet; the pool grows to ``max_workers`` as calls need it."""
        name = f"jido-aio-{type(store).__name__}"
        self._store = store
        self._transaction_of = store.transaction
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=name)
        self._block: contextvars.ContextVar[_BlockThread | None] = contextvars.ContextVar(
            f"{name}-block-{id(self)}", default=None
        )
        self._close_lock = threading.Lock()

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``function`` on a worker (the block's, inside an async block)."""
        context = contextvars.copy_context()
        call = functools.partial(context.run, function, *args, **kwargs)
        block = self._block.get()
        if block is not None:
            return await block.run(call)
        try:
            future = self._executor.submit(call)
        except RuntimeError:  # shut down by aclose in another thread
            raise StoreClosed("the async store is closed") from None
        return await asyncio.wrap_future(future)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """The store's ``transaction()`` entered and left on the block's own worker."""
        block = self._block.get()
        token = None
        if block is None:
            block = _BlockThread()
            try:
                self._executor.submit(block.serve)
            except RuntimeError:
                raise StoreClosed("the async store is closed") from None
            token = self._block.set(block)
        try:
            manager = await block.run(self._transaction_of)
            await block.run(manager.__enter__)
            try:
                yield
            except BaseException as error:
                await block.run(
                    functools.partial(manager.__exit__, type(error), error, error.__traceback__)
                )
                raise
            await block.run(functools.partial(manager.__exit__, None, None, None))
        finally:
            if token is not None:
                self._block.reset(token)
                block.stop()

    def stream(self, make: Callable[[], Iterator[T]]) -> AsyncIterator[T]:
        """``make()`` and every ``next`` on a thread of its own (see
        :func:`~jido_persistence._aio_stream.stream_in_thread`)."""
        return stream_in_thread(make)

    def iterate(self, source: AsyncIterable[T]) -> Iterator[T]:
        """``source`` read from a worker thread: each item awaited on the calling loop."""
        return pull_from_loop(source, asyncio.get_running_loop())

    async def aclose(self) -> None:
        """Wait (in a thread, the loop stays free) for running calls, stop the pool and
        close the store."""
        await asyncio.to_thread(self._shutdown)

    def _shutdown(self) -> None:
        with self._close_lock:
            self._executor.shutdown(wait=True)
            self._store.close()
