"""The kit's areas through the async facade: :class:`AsyncFacadeFactory`.

``AsyncFacadeFactory(factory)`` makes stores whose every callback goes through an
async store of the adapter under test (``open_async_store`` on the factory's URL, so
the adapter's native asyncio path when it has one, else the thread pool) and the
adapter's runner, on an event loop of its own::

    class TestMyAdapterThroughAsyncio(AdapterConformance):
        @pytest.fixture
        def store_factory(self, tmp_path) -> StoreFactory:
            return AsyncFacadeFactory(UrlStoreFactory("my:////{tmp}/store.db", tmp_path))

Every kit test then runs against that path: the results, errors, races, blocks and
durability of the async store are checked by the same tests as the synchronous one.

How: each store is an instance of a subclass of the adapter's own class built for it
(:func:`facade_class`) whose hooks hand the already checked arguments to the async
store's runner, which runs the adapter's hook (natively, or in a worker thread), and
wait for the result.  The calls of one thread run in one :mod:`contextvars` context of
their own, so a ``transaction()`` block opened by a thread keeps the async block's
pinned connection or worker for that thread's later calls, as the contract requires.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import itertools
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from typing import Any, ClassVar, TypeVar

from jido_persistence.adapter import PersistenceAdapter, RawIndex, SupportsRawIndex, implements
from jido_persistence.aio import AsyncStore, open_async_store
from jido_persistence.callbacks import CALLBACKS
from jido_persistence_conformance.factories import StoreFactory

__all__ = ["AsyncFacadeFactory", "facade_class"]

T = TypeVar("T")


class _Portal:
    """An event loop in a thread of its own; ``run`` waits for a coroutine from any thread.

    Each calling thread has one :class:`contextvars.Context`; its coroutines run in it.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="jido-kit-async-facade", daemon=True
        )
        self._thread.start()
        self._local = threading.local()

    def context(self) -> contextvars.Context:
        context: contextvars.Context | None = getattr(self._local, "context", None)
        if context is None:
            context = self._local.context = contextvars.Context()
        return context

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        context = self.context()
        done: asyncio.Future[T] | None = None
        result: list[Any] = []
        finished = threading.Event()

        def start() -> None:
            nonlocal done
            done = self.loop.create_task(coroutine, context=context)

            def finish(task: asyncio.Future[T]) -> None:
                result.append(task)
                finished.set()

            done.add_done_callback(finish)

        self.loop.call_soon_threadsafe(start)
        finished.wait()
        outcome: asyncio.Future[T] = result[0]
        return outcome.result()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=60)
        self.loop.close()


class _Facade(PersistenceAdapter):
    """Base of the classes :func:`facade_class` builds (not an adapter on its own)."""

    inner_class: ClassVar[type[PersistenceAdapter]]
    _async: AsyncStore
    _portal: _Portal
    _url: str | None

    def _forward(self, name: str, *args: Any, **kwargs: Any) -> Any:
        hook = getattr(self._async.store, name)
        return self._portal.run(self._async.runner.call(hook, *args, **kwargs))

    @contextmanager
    def _transaction(self, level: int) -> Iterator[None]:
        block: AbstractAsyncContextManager[None] = self._async.runner.transaction()
        self._portal.run(block.__aenter__())
        try:
            yield
        except BaseException as error:
            self._portal.run(block.__aexit__(type(error), error, error.__traceback__))
            raise
        self._portal.run(block.__aexit__(None, None, None))

    def close(self) -> None:
        """Close the async store (its pool) and stop the event loop; idempotent."""
        if self._closed:
            return
        super().close()
        try:
            self._portal.run(self._async.aclose())
        finally:
            self._portal.stop()


class _RawFacade(_Facade):
    """A facade of an adapter that offers the raw index reader (contract section 8)."""

    def raw_index(self) -> RawIndex:
        """The wrapped store's raw index (the kit's back door), through the runner."""
        inner = self._async.store
        assert isinstance(inner, SupportsRawIndex)
        index: RawIndex = self._portal.run(self._async.runner.call(inner.raw_index))
        return index


def _streaming_hook(hook: str) -> Callable[..., Any]:
    """A stream hook (``_export_records``) read through the runner's ``stream``, the
    path of ``AsyncStore.export_records()``: one ``__anext__`` on the loop per item."""

    def forward(self: _Facade) -> Iterator[Any]:
        source = getattr(self._async.store, hook)
        stream = self._async.runner.stream(source)
        finished = False
        try:
            while True:
                try:
                    item = self._portal.run(_next_or_done(stream))
                except StopAsyncIteration:
                    finished = True
                    return
                yield item
        finally:
            if not finished:
                self._portal.run(stream.aclose())  # type: ignore[attr-defined]

    forward.__name__ = hook
    forward.__doc__ = f"``{hook}`` of the wrapped store, streamed through its async runner."
    return forward


async def _next_or_done(stream: AsyncIterator[T]) -> T:
    return await anext(stream)


def _records_hook(hook: str) -> Callable[..., Any]:
    """A hook taking an iterable of records (``_import_records``): the records are read
    by the runner as an async iterable (``AsyncStore.import_records`` given an async
    export), each batch pulled in a thread, so a native runner never blocks its loop on
    the caller's iterator (another facade's export waits on its own loop)."""

    def forward(self: _Facade, records: Iterable[Any]) -> Any:
        runner = self._async.runner
        target = getattr(self._async.store, hook)

        async def run() -> Any:
            return await runner.call(target, runner.iterate(_pulled_in_thread(records)))

        return self._portal.run(run())

    forward.__name__ = hook
    forward.__doc__ = f"``{hook}`` of the wrapped store; its records read as an async iterable."
    return forward


async def _pulled_in_thread(records: Iterable[T], batch: int = 256) -> AsyncIterator[T]:
    iterator = iter(records)
    while chunk := await asyncio.to_thread(lambda: list(itertools.islice(iterator, batch))):
        for item in chunk:
            yield item


def _forwarding_hook(hook: str) -> Callable[..., Any]:
    def forward(self: _Facade, *args: Any, **kwargs: Any) -> Any:
        return self._forward(hook, *args, **kwargs)

    forward.__name__ = hook
    forward.__doc__ = f"``{hook}`` of the wrapped store, through its async runner."
    return forward


@functools.cache
def facade_class(inner: type[PersistenceAdapter]) -> type[_Facade]:
    """A class with exactly the hooks ``inner`` implements, each forwarding to an async
    store of ``inner``; its capabilities are ``inner``'s."""
    namespace: dict[str, Any] = {
        "inner_class": inner,
        "Options": inner.Options,
        "durable": inner.durable,
        "multi_process": inner.multi_process,
        "native_async": inner.native_async,
        "backend_errors": inner.backend_errors,
        "keeps_python_objects": inner.keeps_python_objects,
        "__doc__": f"{inner.__qualname__} through its async store (the kit's facade run).",
    }
    for entry in CALLBACKS.values():
        if not entry.block and implements(inner, entry.hook):
            if entry.stream:
                namespace[entry.hook] = _streaming_hook(entry.hook)
            elif entry.name == "import_records":
                namespace[entry.hook] = _records_hook(entry.hook)
            else:
                namespace[entry.hook] = _forwarding_hook(entry.hook)
    if not implements(inner, "_transaction"):
        namespace["_transaction"] = vars(PersistenceAdapter)["_transaction"]
    base = _RawFacade if callable(getattr(inner, "raw_index", None)) else _Facade
    return type(f"AsyncFacade{inner.__name__}", (base,), namespace)


class AsyncFacadeFactory:
    """A :class:`~jido_persistence_conformance.factories.StoreFactory` whose stores go
    through the async facade of ``factory``'s stores (see the module docstring)."""

    def __init__(self, factory: StoreFactory) -> None:
        """Wrap ``factory``: it makes (and cleans up) the underlying stores."""
        self._factory = factory

    def _open(self, url: str | None, store: PersistenceAdapter | None) -> PersistenceAdapter:
        portal = _Portal()
        try:
            if url is not None:
                async_store = portal.run(open_async_store(url))
            else:
                assert store is not None
                async_store = AsyncStore(store)
        except BaseException:
            portal.stop()
            raise
        cls = facade_class(type(async_store.store))
        facade = cls.__new__(cls)
        facade._async = async_store
        facade._portal = portal
        facade._url = url
        return facade

    def create(self) -> PersistenceAdapter:
        """A fresh store of the wrapped factory, opened through ``open_async_store``."""
        store = self._factory.create()
        url = self._factory.url_for(store)
        if url is None:
            return self._open(None, store)
        store.close()
        return self._open(url, None)

    def reopen(self, store: PersistenceAdapter) -> PersistenceAdapter:
        """The same store again (its URL opened anew); ``store`` must be closed."""
        url = self.url_for(store)
        if url is None:
            raise NotImplementedError("a store without a URL cannot be reopened")
        return self._open(url, None)

    def url_for(self, store: PersistenceAdapter) -> str | None:
        """The URL the facade store was opened from (None for a wrapped store)."""
        url: str | None = getattr(store, "_url", None)
        return url

    def cleanup(self) -> None:
        """Remove what the wrapped factory created."""
        self._factory.cleanup()

    def __repr__(self) -> str:
        return f"AsyncFacadeFactory({self._factory!r})"
