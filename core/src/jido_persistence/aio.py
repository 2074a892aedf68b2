"""``AsyncStore``: an opt-in asyncio front for any store; adapters never see it.

Callbacks are plain synchronous methods (contract section 1); calling one from a
coroutine (discord.py, aiogram, slack-bolt async, python-telegram-bot) would stall the
event loop while the backend reads a file or waits on the network.  :class:`AsyncStore`
wraps any :class:`~jido_persistence.adapter.PersistenceAdapter` and offers every
callback as an ``async def`` with the same signature and return type, running the
synchronous call in a worker thread::

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
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, Final, ParamSpec, Self, TypeVar

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import ConfigurationError, StoreClosed
from jido_persistence.models import (
    BridgeConfig,
    Capabilities,
    DirectoryTarget,
    IngressStatus,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
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

    # --- rooms -----------------------------------------------------------------------

    async def save_room(self, room: Room) -> Room:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.save_room`."""
        return await self._call("save_room", self._store.save_room, room)

    async def get_room(self, room_id: str) -> Room:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.get_room`."""
        return await self._call("get_room", self._store.get_room, room_id)

    async def delete_room(self, room_id: str) -> None:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.delete_room`."""
        await self._call("delete_room", self._store.delete_room, room_id)

    async def list_rooms(self, *, limit: int = 100) -> list[Room]:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.list_rooms`."""
        return await self._call("list_rooms", self._store.list_rooms, limit=limit)

    # --- participants ----------------------------------------------------------------

    async def save_participant(self, participant: Participant) -> Participant:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.save_participant`."""
        return await self._call("save_participant", self._store.save_participant, participant)

    async def get_participant(self, participant_id: str) -> Participant:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.get_participant`."""
        return await self._call("get_participant", self._store.get_participant, participant_id)

    async def delete_participant(self, participant_id: str) -> None:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.delete_participant`."""
        await self._call("delete_participant", self._store.delete_participant, participant_id)

    # --- messages --------------------------------------------------------------------

    async def save_message(self, message: Message) -> Message:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.save_message`."""
        return await self._call("save_message", self._store.save_message, message)

    async def get_message(self, message_id: str) -> Message:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.get_message`."""
        return await self._call("get_message", self._store.get_message, message_id)

    async def get_messages(
        self,
        room_id: str,
        *,
        limit: int = 50,
        before: str | None = None,
        after: str | None = None,
        thread_id: str | None = None,
    ) -> list[Message]:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.get_messages`."""
        return await self._call(
            "get_messages",
            self._store.get_messages,
            room_id,
            limit=limit,
            before=before,
            after=after,
            thread_id=thread_id,
        )

    async def delete_message(self, message_id: str) -> None:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.delete_message`."""
        await self._call("delete_message", self._store.delete_message, message_id)

    # --- threads ---------------------------------------------------------------------

    async def save_thread(self, thread: Thread) -> Thread:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.save_thread`."""
        return await self._call("save_thread", self._store.save_thread, thread)

    async def get_thread(self, thread_id: str) -> Thread:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.get_thread`."""
        return await self._call("get_thread", self._store.get_thread, thread_id)

    async def get_thread_by_external_id(
        self, room_id: str, external_thread_id: str | int
    ) -> Thread:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.get_thread_by_external_id`."""
        return await self._call(
            "get_thread_by_external_id",
            self._store.get_thread_by_external_id,
            room_id,
            external_thread_id,
        )

    async def get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.get_thread_by_root_message`."""
        return await self._call(
            "get_thread_by_root_message",
            self._store.get_thread_by_root_message,
            room_id,
            root_message_id,
        )

    async def list_threads(self, room_id: str, *, limit: int = 100) -> list[Thread]:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.list_threads`."""
        return await self._call("list_threads", self._store.list_threads, room_id, limit=limit)

    # --- external-id resolution ------------------------------------------------------

    async def get_or_create_room_by_external_binding(
        self,
        channel: str,
        bridge_id: str | int,
        external_id: str | int,
        attrs: Mapping[str, Any] | None = None,
    ) -> Room:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.get_or_create_room_by_external_binding`."""  # noqa: E501
        return await self._call(
            "get_or_create_room_by_external_binding",
            self._store.get_or_create_room_by_external_binding,
            channel,
            bridge_id,
            external_id,
            attrs,
        )

    async def get_or_create_participant_by_external_id(
        self, channel: str, external_id: str | int, attrs: Mapping[str, Any] | None = None
    ) -> Participant:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.get_or_create_participant_by_external_id`."""  # noqa: E501
        return await self._call(
            "get_or_create_participant_by_external_id",
            self._store.get_or_create_participant_by_external_id,
            channel,
            external_id,
            attrs,
        )

    async def get_message_by_external_id(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Message:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.get_message_by_external_id`."""
        return await self._call(
            "get_message_by_external_id",
            self._store.get_message_by_external_id,
            channel,
            bridge_id,
            external_id,
        )

    async def update_message_external_id(self, message_id: str, external_id: str | int) -> Message:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.update_message_external_id`."""
        return await self._call(
            "update_message_external_id",
            self._store.update_message_external_id,
            message_id,
            external_id,
        )

    # --- room bindings ---------------------------------------------------------------

    async def get_room_by_external_binding(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Room:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.get_room_by_external_binding`."""  # noqa: E501
        return await self._call(
            "get_room_by_external_binding",
            self._store.get_room_by_external_binding,
            channel,
            bridge_id,
            external_id,
        )

    async def create_room_binding(
        self,
        room_id: str,
        channel: str,
        bridge_id: str | int,
        external_id: str | int,
        attrs: Mapping[str, Any] | None = None,
    ) -> RoomBinding:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.create_room_binding`."""
        return await self._call(
            "create_room_binding",
            self._store.create_room_binding,
            room_id,
            channel,
            bridge_id,
            external_id,
            attrs,
        )

    async def list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.list_room_bindings`."""
        return await self._call("list_room_bindings", self._store.list_room_bindings, room_id)

    async def delete_room_binding(self, binding_id: str) -> None:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.delete_room_binding`."""
        await self._call("delete_room_binding", self._store.delete_room_binding, binding_id)

    # --- directory -------------------------------------------------------------------

    async def directory_search(
        self,
        target: DirectoryTarget | str,
        query: Mapping[str, Any],
        *,
        limit: int | None = None,
    ) -> list[Participant] | list[Room]:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.directory_search`."""
        return await self._call(
            "directory_search", self._store.directory_search, target, query, limit=limit
        )

    async def directory_lookup(
        self, target: DirectoryTarget | str, query: Mapping[str, Any]
    ) -> Participant | Room:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.directory_lookup`."""
        return await self._call("directory_lookup", self._store.directory_lookup, target, query)

    # --- onboarding ------------------------------------------------------------------

    async def save_onboarding(self, flow: Mapping[str, Any]) -> dict[str, Any]:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.save_onboarding`."""
        return await self._call("save_onboarding", self._store.save_onboarding, flow)

    async def get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.get_onboarding`."""
        return await self._call("get_onboarding", self._store.get_onboarding, onboarding_id)

    # --- bridge configs --------------------------------------------------------------

    async def save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.save_bridge_config`."""
        return await self._call("save_bridge_config", self._store.save_bridge_config, config)

    async def get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.get_bridge_config`."""
        return await self._call(
            "get_bridge_config", self._store.get_bridge_config, bridge_config_id
        )

    async def list_bridge_configs(self, *, enabled: bool | None = None) -> list[BridgeConfig]:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.list_bridge_configs`."""
        return await self._call(
            "list_bridge_configs", self._store.list_bridge_configs, enabled=enabled
        )

    async def delete_bridge_config(self, bridge_config_id: str) -> None:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.delete_bridge_config`."""
        await self._call("delete_bridge_config", self._store.delete_bridge_config, bridge_config_id)

    # --- routing policies ------------------------------------------------------------

    async def save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.save_routing_policy`."""
        return await self._call("save_routing_policy", self._store.save_routing_policy, policy)

    async def get_routing_policy(self, room_id: str) -> RoutingPolicy:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.get_routing_policy`."""
        return await self._call("get_routing_policy", self._store.get_routing_policy, room_id)

    async def delete_routing_policy(self, room_id: str) -> None:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.delete_routing_policy`."""
        await self._call("delete_routing_policy", self._store.delete_routing_policy, room_id)

    # --- ingress subscriptions (optional: NotSupported unless the adapter has them) --

    async def save_ingress_subscription(
        self, subscription: IngressSubscription
    ) -> IngressSubscription:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.save_ingress_subscription`."""
        return await self._call(
            "save_ingress_subscription", self._store.save_ingress_subscription, subscription
        )

    async def list_ingress_subscriptions(
        self, bridge_id: str | int, *, status: IngressStatus | str | None = None
    ) -> list[IngressSubscription]:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.list_ingress_subscriptions`."""
        return await self._call(
            "list_ingress_subscriptions",
            self._store.list_ingress_subscriptions,
            bridge_id,
            status=status,
        )

    async def delete_ingress_subscription(self, bridge_id: str | int, subscription_id: str) -> None:
        """Async :meth:`~jido_persistence.adapter.PersistenceAdapter.delete_ingress_subscription`."""  # noqa: E501
        await self._call(
            "delete_ingress_subscription",
            self._store.delete_ingress_subscription,
            bridge_id,
            subscription_id,
        )


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
