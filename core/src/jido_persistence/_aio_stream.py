"""Iterators across the event loop: ``AsyncStore.export_records()`` and ``import_records``.

:func:`stream_in_thread` runs the iterator on a thread of its own (a store's export
holds locks or a cursor that belong to the thread that opened them, so every ``next``
must run on that same thread) and hands its items to the event loop in batches through
a bounded queue: memory stays O(``batch`` * ``depth``) items, and the loop never waits
on the backend.  Leaving the ``async for`` early (``break``, an exception,
cancellation) stops the thread and closes the iterator on it.

:func:`pull_from_loop` goes the other way: a synchronous iterator, for a worker
thread, over an async iterable that lives on the loop (an import fed by an async
export).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from typing import Any, Final, TypeVar

__all__ = ["pull_from_loop", "stream_in_thread"]

T = TypeVar("T")

_DONE: Final = object()


async def stream_in_thread(
    make: Callable[[], Iterator[T]], *, batch: int = 256, depth: int = 4
) -> AsyncIterator[T]:
    """The items of ``make()``, which runs (with every ``next``) on a thread of its own.

    Exceptions of ``make`` or of the iterator are re-raised here, unchanged.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        """Hand ``item`` to the loop; False once the consumer has gone."""
        while not stop.is_set():
            future = asyncio.run_coroutine_threadsafe(queue.put(item), loop)
            try:
                future.result(timeout=0.1)
                return True
            except TimeoutError:
                future.cancel()
        return False

    def produce() -> None:
        try:
            iterator = make()
            try:
                chunk: list[T] = []
                for item in iterator:
                    chunk.append(item)
                    if len(chunk) >= batch:
                        if not put(chunk):
                            return
                        chunk = []
                if chunk and not put(chunk):
                    return
            finally:
                close = getattr(iterator, "close", None)
                if close is not None:
                    close()
            put(_DONE)
        except BaseException as error:  # handed to the consumer, re-raised there
            put(error)

    thread = threading.Thread(target=produce, name="jido-aio-export", daemon=True)
    thread.start()
    try:
        while True:
            item = await queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            for value in item:
                yield value
    finally:
        stop.set()
        await asyncio.to_thread(thread.join)


def pull_from_loop(source: AsyncIterable[T], loop: asyncio.AbstractEventLoop) -> Iterator[T]:
    """The items of ``source``, each awaited on ``loop`` from the thread iterating this.

    For a worker thread while ``loop`` runs (it deadlocks on the loop's own thread:
    RuntimeError there).  Closing the iterator early closes ``source`` when it can be.
    """
    iterator = aiter(source)

    async def step() -> Any:
        try:
            return await anext(iterator)
        except StopAsyncIteration:
            return _DONE

    def await_on_loop(coroutine: Any) -> Any:
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            coroutine.close()
            raise RuntimeError("pull_from_loop() iterated on its own event loop's thread")
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    def items() -> Iterator[T]:
        finished = False
        try:
            while (item := await_on_loop(step())) is not _DONE:
                yield item
            finished = True
        finally:
            close = getattr(iterator, "aclose", None)
            if not finished and close is not None and not loop.is_closed():
                await_on_loop(close())

    return items()
