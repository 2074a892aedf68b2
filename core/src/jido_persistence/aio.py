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
import functools
import inspect
import threading
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, Self, TypeVar

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.aio_runners import (
    DEFAULT_MAX_WORKERS,
    NATIVE_OPENER,
    Runner,
    ThreadRunner,
)
from jido_persistence.callbacks import CALLBACKS
from jido_persistence.errors import ConfigurationError, PersistenceError, StoreClosed
from jido_persistence.models import Capabilities, ImportReport
from jido_persistence.records import Record
from jido_persistence.registry import open_store, resolve_store

__all__ = ["DEFAULT_MAX_WORKERS", "AsyncStore", "open_async_store"]

P = ParamSpec("P")
T = TypeVar("T")


class AsyncStore:
    """An asyncio front for one store: every callback as a coroutine.

    ``AsyncStore(store, max_workers=DEFAULT_MAX_WORKERS)`` takes ownership of
    ``store`` and runs its callbacks in a private pool of ``max_workers`` threads
    (:class:`~jido_persistence.aio_runners.ThreadRunner`) rather than the event
    loop's default executor, so a slow backend cannot starve the loop's other users of
    that executor, the number of concurrent backend calls is bounded per store, and
    closing can wait for exactly this store's calls.  :func:`open_async_store` gives
    native adapters (PostgreSQL) their own runner instead, without threads.
    :meth:`aclose` (or leaving ``async with``) closes the store.  One instance may be
    shared by many coroutines.  See :mod:`jido_persistence.aio`.
    """

    def __init__(
        self,
        store: PersistenceAdapter,
        *,
        max_workers: int = DEFAULT_MAX_WORKERS,
        runner: Runner | None = None,
    ):
        """Wrap ``store``; raise ConfigurationError unless ``max_workers`` is an int >= 1.

        ``runner`` (from a native adapter's opener) replaces the thread pool.
        """
        if not isinstance(store, PersistenceAdapter):
            raise ConfigurationError(f"{store!r} is not a PersistenceAdapter")
        if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
            raise ConfigurationError(f"max_workers must be an int >= 1, not {max_workers!r}")
        self._store = store
        self._native = runner is not None
        self._runner: Runner = runner or ThreadRunner(store, max_workers=max_workers)
        self._closing = False
        self._closed_event: asyncio.Event | None = None

    @property
    def store(self) -> PersistenceAdapter:
        """The wrapped adapter instance (for synchronous code, or adapter-specific calls)."""
        return self._store

    @property
    def runner(self) -> Runner:
        """What runs this store's calls (thread pool or native); for tools and the kit."""
        return self._runner

    @property
    def capabilities(self) -> Capabilities:
        """The wrapped store's capabilities; ``native_async`` is true only when this
        async store runs its calls without threads."""
        return self._store.capabilities.model_copy(update={"native_async": self._native})

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called (or the wrapped store was closed directly)."""
        return self._closing or self._store.closed

    def __repr__(self) -> str:
        return f"AsyncStore({self._store!r})"

    async def aclose(self) -> None:
        """Refuse new calls, wait for those already made, then close the store; idempotent.

        Calls made after this started raise StoreClosed; calls made before it (running,
        or queued for a worker) complete.  The loop stays free while it waits.
        """
        if self._closing:
            return
        self._closing = True
        await self._runner.aclose()

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """``async with store.transaction():`` the store's transaction() for this task.

        The callbacks this task awaits inside the block are atomic together (contract
        section 9.4); an exception leaving the block undoes them and propagates; a
        nested block is a savepoint.  Await the block's callbacks one at a time (tasks
        started inside the block would join it too).  Raises what the store's
        ``transaction()`` raises (NotSupported, StoreClosed, StorageError).
        """
        if self._closing:
            raise self._closed_error("transaction")
        return self._runner.transaction()

    def export_records(self) -> AsyncIterator[Record]:
        """``async for record in store.export_records():`` the store's export (contract 9.2).

        The runner streams the store's ``export_records()``: the thread runner on a
        thread of its own, handing records over in batches through a bounded queue; the
        native PostgreSQL runner on the loop, a batch of the server-side cursor at a
        time.  Memory stays bounded and the loop never waits on the backend.  Raises
        what the store's export raises (NotSupported, StoreClosed, StorageError).
        """
        if self._closing:
            raise self._closed_error("export_records")
        return self._runner.stream(self._store.export_records)

    async def import_records(
        self, records: Iterable[Record] | AsyncIterable[Record]
    ) -> ImportReport:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.import_records`.

        ``records`` may also be an async iterable (another async store's
        ``export_records()``): it is read as the import goes, never gathered in memory.
        """
        if isinstance(records, AsyncIterable):
            records = self._runner.iterate(records)
        return await self._call("import_records", self._store.import_records, records)

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
        """Run ``function(*args, **kwargs)`` with the runner; its exception is re-raised as is."""
        if self._closing:
            raise self._closed_error(name)
        return await self._runner.call(function, *args, **kwargs)

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


for _name, _entry in CALLBACKS.items():
    # transaction(), export_records() and import_records(): AsyncStore's own async
    # context manager, async iterator, and coroutine that also takes an async iterable.
    if not (_entry.block or _entry.stream or _name == "import_records"):
        setattr(AsyncStore, _name, _async_callback(_name))
del _name, _entry


async def open_async_store(
    target: str | None = None, *, max_workers: int = DEFAULT_MAX_WORKERS, **options: object
) -> AsyncStore:
    """Open the store ``target`` for asyncio: natively when its adapter can, else over a
    pool of ``max_workers`` threads.

    Arguments and errors are :func:`~jido_persistence.open_store`'s.  An adapter that
    declares ``native_async`` (the bundled PostgreSQL one) opens its own asyncio
    driver (``capabilities.native_async`` is then true); any other store is opened in
    the loop's default executor (opening may read files or take a lock) and wrapped
    with a bounded thread pool.  If the awaiting coroutine is cancelled while a store
    opens in a thread, the store is closed once it has opened, so no file lock or
    connection is left behind.
    """
    adapter_class, merged = await asyncio.to_thread(resolve_store, target, **options)
    opener = getattr(adapter_class, NATIVE_OPENER, None)
    if adapter_class.native_async and opener is not None:
        try:
            store, runner = await opener(**merged)
        except PersistenceError as exc:
            exc.add_note(f"while opening {target!r} natively for asyncio")
            raise
        return AsyncStore(store, runner=runner)
    loop = asyncio.get_running_loop()
    opening = loop.run_in_executor(None, functools.partial(open_store, target, **options))
    try:
        store = await asyncio.shield(opening)
    except asyncio.CancelledError:
        opening.add_done_callback(_close_unclaimed)
        raise
    return AsyncStore(store, max_workers=max_workers)


def _close_unclaimed(opening: asyncio.Future[PersistenceAdapter]) -> None:
    """Close a store whose opener was cancelled; consume an opening error silently."""
    if opening.cancelled() or opening.exception() is not None:
        return
    threading.Thread(
        target=opening.result().close, name="jido-aio-close-unclaimed", daemon=False
    ).start()
