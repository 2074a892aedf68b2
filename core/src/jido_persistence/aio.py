"""``AsyncStore``: an opt-in asyncio front for any store; adapters never see it.

Callbacks are plain synchronous methods (contract section 1); calling one from a
coroutine (discord.py, aiogram, slack-bolt async, python-telegram-bot) would stall the
event loop while the backend reads a file or waits on the network.  :class:`AsyncStore`
wraps any :class:`~jido_persistence.adapter.PersistenceAdapter` and offers every
callback of the table :data:`jido_persistence.callbacks.CALLBACKS` as a coroutine
method with the same signature and return type (built from the table, so a new
callback appears here by itself), running the synchronous call in a worker thread::

    async with await open_async_store("tinydb:///chat.json") as store:
        room = await store.get_or_create_room_by_external_binding(
            "discord", guild_id, channel_id, {"type": "group"}
        )

Threading model: the wrapper owns a bounded :class:`~concurrent.futures.ThreadPoolExecutor`
(see :data:`DEFAULT_MAX_WORKERS`); each call is submitted to it with a copy of the
caller's :mod:`contextvars` context (as :func:`asyncio.to_thread` does) and awaited.
Correctness under concurrency comes from the adapter, which every adapter already
guarantees for threads (contract section 1: thread-safe instances, atomic and race-free
callbacks); the wrapper adds no locking of its own.  Exceptions are the adapter's own
objects, re-raised unchanged.

Cancelling a coroutine that awaits a call drops the call if it is still queued for a
worker; a call already running cannot be interrupted, so it completes (its writes become
visible, each callback being atomic) and its result is dropped.
:meth:`AsyncStore.aclose` waits for running calls before closing the store.

An adapter declaring ``capabilities.native_async`` is wrapped the same way for now; a
native asyncio protocol that adapters may implement directly is future work.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, ParamSpec, Self, TypeVar

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.callbacks import CALLBACKS
from jido_persistence.errors import ConfigurationError, StoreClosed
from jido_persistence.models import Capabilities
from jido_persistence.registry import open_store

__all__ = ["DEFAULT_MAX_WORKERS", "AsyncStore", "open_async_store"]

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_MAX_WORKERS: Final = 8
"""Worker threads of an :class:`AsyncStore` unless ``max_workers`` says otherwise.

Eight matches the bundled PostgreSQL adapter's default pool (``max_size=8``, one
connection per running callback): more threads would only queue for a connection.
The embedded adapters serialise their callbacks (memory, TinyDB) or their writes
(DuckDB) behind a lock, so extra threads buy them nothing either; a few still let
DuckDB reads overlap a slow write.  Threads start only when calls need them.
"""


class AsyncStore:
    """An asyncio front for one store: every callback as a coroutine, run in a thread.

    ``AsyncStore(store, max_workers=DEFAULT_MAX_WORKERS)`` takes ownership of
    ``store``: :meth:`aclose` (or leaving ``async with``) closes it.  The wrapper owns
    a private thread pool of ``max_workers`` threads rather than the event loop's
    default executor, so a slow backend cannot starve the loop's other users of that
    executor (DNS lookups, ``asyncio.to_thread``), the number of concurrent backend
    calls is bounded per store, and closing can wait for exactly this store's calls.
    One instance may be shared by many coroutines (and event loops): the adapter is
    thread-safe and each callback atomic.  See :mod:`jido_persistence.aio`.
    """

    def __init__(self, store: PersistenceAdapter, *, max_workers: int = DEFAULT_MAX_WORKERS):
        """Wrap ``store``; raise ConfigurationError unless ``max_workers`` is an int >= 1."""
        if not isinstance(store, PersistenceAdapter):
            raise ConfigurationError(f"{store!r} is not a PersistenceAdapter")
        if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
            raise ConfigurationError(f"max_workers must be an int >= 1, not {max_workers!r}")
        self._store = store
        self._executor = ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix=f"jido-aio-{type(store).__name__}"
        )
        self._closing = False
        self._close_lock = threading.Lock()

    @property
    def store(self) -> PersistenceAdapter:
        """The wrapped adapter instance (for synchronous code, or adapter-specific calls)."""
        return self._store

    @property
    def capabilities(self) -> Capabilities:
        """The wrapped store's capabilities, unchanged."""
        return self._store.capabilities

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called (or the wrapped store was closed directly)."""
        return self._closing or self._store.closed

    def __repr__(self) -> str:
        return f"AsyncStore({self._store!r})"

    async def aclose(self) -> None:
        """Refuse new calls, wait for those already made, then close the store; idempotent.

        Calls made after this started raise StoreClosed; calls made before it (running,
        or queued for a worker) complete.  The waiting and ``store.close()`` run in a
        thread, so the loop stays free.  Every caller of ``aclose`` returns only once
        the store is closed.
        """
        self._closing = True
        await asyncio.to_thread(self._close_in_thread)

    def _close_in_thread(self) -> None:
        with self._close_lock:
            self._executor.shutdown(wait=True)
            self._store.close()

    async def __aenter__(self) -> Self:
        """Enter ``async with``: the store itself; leaving it awaits :meth:`aclose`."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Leave ``async with``: :meth:`aclose`."""
        await self.aclose()

    async def _call(
        self, name: str, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``function(*args, **kwargs)`` in the pool; its exception is re-raised as is."""
        if self._closing:
            raise self._closed_error(name)
        context = contextvars.copy_context()
        call = functools.partial(context.run, function, *args, **kwargs)
        try:
            future = self._executor.submit(call)
        except RuntimeError:  # the pool was shut down by another thread's aclose
            raise self._closed_error(name) from None
        return await asyncio.wrap_future(future)

    def _closed_error(self, name: str) -> StoreClosed:
        return StoreClosed(f"{type(self._store).__name__} is closed: {name}() needs an open store")

    if TYPE_CHECKING:
        # The callbacks are set below from the callback table; type checkers see them
        # as coroutine functions.
        def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]: ...


def _async_callback(name: str) -> Callable[..., Awaitable[Any]]:
    """The coroutine method ``name`` of :class:`AsyncStore`: the sync callback in a thread."""
    sync = getattr(PersistenceAdapter, name)

    async def callback(self: AsyncStore, *args: Any, **kwargs: Any) -> Any:
        return await self._call(name, getattr(self._store, name), *args, **kwargs)

    callback.__name__ = name
    callback.__qualname__ = f"AsyncStore.{name}"
    callback.__module__ = __name__
    callback.__doc__ = f"Async :meth:`~jido_persistence.adapter.PersistenceAdapter.{name}`."
    callback.__signature__ = inspect.signature(sync, eval_str=True)  # type: ignore[attr-defined]
    callback.__wrapped__ = sync  # type: ignore[attr-defined]
    return callback


for _name in CALLBACKS:
    setattr(AsyncStore, _name, _async_callback(_name))
del _name


async def open_async_store(target: str | None = None, **options: object) -> AsyncStore:
    """``AsyncStore(open_store(target, **options))``, opened in a thread.

    Opening may read files, take a lock or connect to a server, so it runs in the
    loop's default executor.  Arguments and errors are :func:`~jido_persistence.open_store`'s.
    The pool has :data:`DEFAULT_MAX_WORKERS` threads; for another size, open the store
    yourself: ``AsyncStore(await asyncio.to_thread(open_store, url), max_workers=n)``.
    If the awaiting coroutine is cancelled while the store opens, the store is closed
    (in a thread) once it has opened, so no file lock or connection is left behind.
    """
    loop = asyncio.get_running_loop()
    opening = loop.run_in_executor(None, functools.partial(open_store, target, **options))
    try:
        store = await asyncio.shield(opening)
    except asyncio.CancelledError:
        opening.add_done_callback(_close_unclaimed)
        raise
    return AsyncStore(store)


def _close_unclaimed(opening: asyncio.Future[PersistenceAdapter]) -> None:
    """Close a store whose opener was cancelled; consume an opening error silently."""
    if opening.cancelled() or opening.exception() is not None:
        return
    threading.Thread(
        target=opening.result().close, name="jido-aio-close-unclaimed", daemon=False
    ).start()
