"""Running the synchronous adapter's code on the event loop, without threads.

The native async store executes the very callbacks of
:class:`~jido_persistence_postgres.PostgresAdapter` (the guard, the SQL, the row
codecs, the retry rules) with one difference: its database object talks to psycopg's
``AsyncConnection``.  :func:`run_sync` runs a callback in a greenlet on the loop's
thread; wherever the callback's code reaches I/O, :func:`await_only` switches back to
:func:`run_sync`'s coroutine, which awaits the awaitable on the loop and switches the
result (or the exception) back in.  While one callback waits for the server, the loop
runs other tasks and their callbacks.  A greenlet is not a thread: nothing here starts
one, and the callbacks' code never runs concurrently with the loop.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

import greenlet

__all__ = ["await_only", "run_sync"]

P = ParamSpec("P")
T = TypeVar("T")


class _Bridge(greenlet.greenlet):  # type: ignore[misc]
    """A greenlet running one synchronous call for :func:`run_sync`."""

    driver: greenlet.greenlet


def await_only(awaitable: Awaitable[T]) -> T:
    """Await ``awaitable`` from synchronous code running under :func:`run_sync`.

    Raises RuntimeError when called anywhere else (the sync code was called directly,
    outside the async store).
    """
    current = greenlet.getcurrent()
    if not isinstance(current, _Bridge):
        if hasattr(awaitable, "close"):
            awaitable.close()
        raise RuntimeError(
            "this store belongs to an async store: await its callbacks instead of calling "
            "the synchronous adapter directly"
        )
    result: T = current.driver.switch(awaitable)
    return result


async def run_sync(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``function(*args, **kwargs)`` in a greenlet, awaiting what it awaits.

    The greenlet runs in a copy of the caller's :mod:`contextvars` context, so context
    variables set by the awaiting task (an open transaction block) are seen inside.
    The function's exception propagates unchanged.  Cancelling the awaiting task
    throws CancelledError into the function at its current await point.
    """
    context = contextvars.copy_context()
    bridge = _Bridge(lambda: context.run(function, *args, **kwargs))
    bridge.driver = greenlet.getcurrent()
    value: Any = bridge.switch()
    while not bridge.dead:
        try:
            outcome = await value
        except BaseException as error:  # handed to the function, which may handle it
            value = bridge.throw(error)
        else:
            value = bridge.switch(outcome)
    result: T = value
    return result
