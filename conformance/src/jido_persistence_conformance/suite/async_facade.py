"""asyncio (contract 1.3, section 9.5): ``open_async_store`` on the adapter under test.

Each test runs its own event loop (``asyncio.run``), so the area needs no asyncio
plugin for pytest and cannot be skipped silently for want of one.  The async store is
opened from the factory's URL (``open_async_store``, the native path when the adapter
has one) or, for factories without URLs, wraps a store of the factory.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import pytest

from jido_persistence.aio import AsyncStore, open_async_store
from jido_persistence.errors import InvalidArgument, InvalidLimit, NotFound, StoreClosed
from jido_persistence.models import Message, MessageRole, Room, RoomType
from jido_persistence_conformance._support import HUGE, capability
from jido_persistence_conformance.factories import StoreFactory

__all__ = ["AsyncFacadeTests", "async_store_for"]

TASKS = 500
"""Concurrent tasks racing on one key."""

T = TypeVar("T")


@asynccontextmanager
async def async_store_for(factory: StoreFactory) -> AsyncIterator[AsyncStore]:
    """An async store of a fresh store of ``factory``, closed (with its pool) after."""
    store = factory.create()
    url = factory.url_for(store)
    if url is None:
        async_store = AsyncStore(store)
    else:
        store.close()
        async_store = await open_async_store(url)
    try:
        yield async_store
    finally:
        await async_store.aclose()


def _run(factory: StoreFactory, test: Callable[[AsyncStore], Awaitable[T]]) -> T:
    async def main() -> T:
        async with async_store_for(factory) as store:
            return await test(store)

    return asyncio.run(main())


def _room(room_id: str) -> Room:
    return Room(id=room_id, type=RoomType.GROUP)


class AsyncFacadeTests:
    """The async store of the adapter under test: same results, errors and races."""

    def test_async_calls_return_what_sync_calls_return(self, factory: StoreFactory) -> None:
        """Coroutines take the callbacks' arguments and return their results.

        Troubleshooting: a native async adapter must accept exactly the sync
        callbacks' arguments (ints as external ids, ``attrs=None``) and return equal
        models.
        """

        async def test(store: AsyncStore) -> None:
            room = _room("room:a")
            assert await store.save_room(room) == room
            assert await store.get_room("room:a") == room
            bound = await store.get_or_create_room_by_external_binding(
                "discord", 1234, 5678, {"type": "channel", "id": "room:d"}
            )
            assert await store.get_room_by_external_binding("discord", "1234", "5678") == bound
            saved = await store.save_message(
                Message(
                    id="m:1",
                    room_id="room:a",
                    sender_id="p",
                    role=MessageRole.USER,
                    external_id="42",
                    metadata={"channel": "discord", "bridge_id": 1234},
                )
            )
            assert await store.get_message_by_external_id("discord", 1234, 42) == saved
            assert [m.id for m in await store.get_messages("room:a")] == ["m:1"]
            assert [r.id for r in await store.list_rooms(limit=HUGE)] == ["room:a", "room:d"]

        _run(factory, test)

    def test_async_errors_are_the_sync_errors(self, factory: StoreFactory) -> None:
        """Failures raise the contract's typed errors with the same attributes."""

        async def test(store: AsyncStore) -> None:
            with pytest.raises(NotFound) as missing:
                await store.get_room("room:missing")
            assert (missing.value.entity, missing.value.key) == ("room", "room:missing")
            with pytest.raises(InvalidLimit):
                await store.list_rooms(limit=-1)
            with pytest.raises(InvalidArgument):
                await store.get_room("")
            with pytest.raises(InvalidArgument):
                await store.save_room("not a room")

        _run(factory, test)

    def test_tasks_racing_get_or_create_get_one_room(self, factory: StoreFactory) -> None:
        """500 concurrent tasks get-or-creating one key get one room and one binding.

        Troubleshooting: the async path must be as race-free as the sync one.  Usual
        mistake (native adapters): a check-then-insert split across awaits without
        the transaction or ``ON CONFLICT`` the sync path has.
        """

        async def test(store: AsyncStore) -> None:
            rooms = await asyncio.gather(
                *(
                    store.get_or_create_room_by_external_binding(
                        "slack", "b", "hot", {"type": "group", "id": f"room:t{index}"}
                    )
                    for index in range(TASKS)
                )
            )
            winners = {room.id for room in rooms}
            assert len(winners) == 1, f"{len(winners)} different rooms returned"
            (winner,) = winners
            assert [room.id for room in await store.list_rooms(limit=HUGE)] == [winner]
            bindings = await store.list_room_bindings(winner)
            assert [(b.channel, b.bridge_id, b.external_room_id) for b in bindings] == [
                ("slack", "b", "hot")
            ]

        _run(factory, test)

    @capability("ingest")
    def test_tasks_racing_ingest_store_one_message(self, factory: StoreFactory) -> None:
        """500 concurrent tasks ingesting one message key store one message, and exactly
        one of them answers ``created=True``."""

        async def test(store: AsyncStore) -> None:
            results = await asyncio.gather(
                *(
                    store.ingest_message(
                        Message(
                            id=f"m:t{index}",
                            room_id="room:1",
                            sender_id="p",
                            role=MessageRole.USER,
                            external_id="E1",
                            metadata={"channel": "slack", "bridge_id": "b"},
                        )
                    )
                    for index in range(TASKS)
                )
            )
            ids = {result.message.id for result in results}
            assert len(ids) == 1, f"{len(ids)} different messages returned"
            assert sum(result.created for result in results) == 1
            assert [m.id for m in await store.get_messages("room:1", limit=HUGE)] == list(ids)

        _run(factory, test)

    @capability("transactions")
    def test_async_transaction_blocks_and_savepoints(self, factory: StoreFactory) -> None:
        """``async with store.transaction()``: all or nothing; nested blocks are savepoints.

        Troubleshooting: every call awaited inside the block must run in it (the same
        worker thread, or the same pinned connection for a native adapter).
        """

        async def test(store: AsyncStore) -> None:
            async with store.transaction():
                await store.save_room(_room("room:outer"))
                with pytest.raises(KeyError):  # noqa: PT012 - the block is under test
                    async with store.transaction():
                        await store.save_room(_room("room:inner"))
                        raise KeyError
                assert await store.get_room("room:outer") is not None
            with pytest.raises(ValueError, match="undo"):  # noqa: PT012 - as above
                async with store.transaction():
                    await store.delete_room("room:outer")
                    await store.save_room(_room("room:gone"))
                    raise ValueError("undo")
            assert [room.id for room in await store.list_rooms(limit=HUGE)] == ["room:outer"]

        _run(factory, test)

    @capability("transactions")
    def test_async_block_is_isolated_from_other_tasks(self, factory: StoreFactory) -> None:
        """Another task's read while a block is open waits for it or sees none of it."""

        async def test(store: AsyncStore) -> None:
            async with store.transaction():
                await store.save_room(_room("room:x"))
                # A task of its own context: tasks started inside a block join it.
                reader = asyncio.get_running_loop().create_task(
                    _other_task_reads(store), context=contextvars.Context()
                )
                done, _ = await asyncio.wait({reader}, timeout=1.0)
                await store.save_room(_room("room:y"))
            seen = await reader
            if done:
                assert seen == (False, False), "a task reading during the block saw part of it"
            else:  # it waited for the block, or read before the commit; never a part
                assert seen in {(True, True), (False, False)}, f"a task saw {seen}"

        _run(factory, test)

    def test_native_async_runs_without_threads(self, factory: StoreFactory) -> None:
        """A store whose async facade declares ``native_async`` starts no thread for its
        calls; any other runs them off the event loop's thread.
        """

        async def test(store: AsyncStore) -> None:
            await store.save_room(_room("room:warm"))
            before = {thread.ident for thread in threading.enumerate()}
            await asyncio.gather(*(store.get_room("room:warm") for _ in range(50)))
            after = {thread.ident for thread in threading.enumerate()}
            if store.capabilities.native_async:
                assert after <= before, "a native async store started threads for its calls"

        _run(factory, test)

    def test_closing_the_async_store_closes_the_store(self, factory: StoreFactory) -> None:
        """After ``aclose()`` every coroutine raises StoreClosed."""

        async def main() -> None:
            async with async_store_for(factory) as store:
                await store.save_room(_room("room:a"))
            with pytest.raises(StoreClosed):
                await store.get_room("room:a")
            assert store.closed

        asyncio.run(main())


async def _other_task_reads(store: AsyncStore) -> tuple[bool, bool]:
    """Whether rooms x and y exist, as seen from a task outside the block."""
    found: list[bool] = []
    for room_id in ("room:x", "room:y"):
        try:
            await store.get_room(room_id)
        except NotFound:
            found.append(False)
        else:
            found.append(True)
    return found[0], found[1]
