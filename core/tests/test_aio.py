"""``AsyncStore``: the sync callbacks as coroutines, run in worker threads.

Plain ``asyncio.run`` inside sync tests (no pytest-asyncio).  No sleeps: the slow call
blocks on a ``threading.Event`` that only the event loop sets, so a wrapper that blocked
the loop would leave the call waiting until its generous timeout and fail.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jido_persistence
from jido_persistence import aio
from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.aio import AsyncStore, open_async_store
from jido_persistence.callbacks import CALLBACKS
from jido_persistence.errors import ConfigurationError, NotFound, StoreClosed
from jido_persistence.interchange import encode_record
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Room, RoomType
from jido_persistence.records import Record
from jido_persistence_conformance.strategies import messages, rooms

T = TypeVar("T")
WAIT = 30.0
"""Seconds a blocked worker waits for the loop before giving up (a failure, never hit)."""

ROOM_IDS = ("r1", "r2")
MESSAGE_IDS = ("m1", "m2", "m3")
EXTERNAL_IDS = ("e1", "e2")
WHEN = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def run(coroutine: Awaitable[T]) -> T:
    """Run one coroutine on a fresh event loop."""

    async def main() -> T:
        return await coroutine

    return asyncio.run(main())


# --- the API mirrors the behaviour ------------------------------------------------------


def async_callback_names() -> set[str]:
    """The public coroutine methods of AsyncStore that are not its own lifecycle."""
    return {
        name
        for name, value in vars(AsyncStore).items()
        if inspect.iscoroutinefunction(value) and not name.startswith("_") and name != "aclose"
    }


COROUTINE_CALLBACKS = sorted(
    name for name, entry in CALLBACKS.items() if not (entry.block or entry.stream)
)
BLOCK_CALLBACKS = sorted(name for name, entry in CALLBACKS.items() if entry.block)


def test_every_callback_and_nothing_else_is_a_coroutine_method() -> None:
    assert async_callback_names() == set(COROUTINE_CALLBACKS)


def test_block_callbacks_are_async_context_managers() -> None:
    assert BLOCK_CALLBACKS == ["transaction"]

    async def main() -> None:
        async with AsyncStore(MemoryAdapter()) as store:
            block = store.transaction()
            assert hasattr(block, "__aenter__")
            assert hasattr(block, "__aexit__")
            async with block:
                await store.save_room(Room(id="r", type=RoomType.GROUP))
            assert [room.id for room in await store.list_rooms()] == ["r"]

    run(main())


@pytest.mark.parametrize("name", COROUTINE_CALLBACKS)
def test_signature_and_docstring_match_the_sync_callback(name: str) -> None:
    sync = inspect.signature(getattr(PersistenceAdapter, name), eval_str=True)
    wrapped = inspect.signature(getattr(AsyncStore, name), eval_str=True)
    if name == "import_records":
        # The async one also takes an async iterable (another async store's export).
        records = wrapped.parameters["records"].annotation
        assert records == Iterable[Record] | AsyncIterable[Record]
        sync_records = sync.parameters["records"].replace(annotation=records)
        sync = sync.replace(parameters=[sync.parameters["self"], sync_records])
    assert wrapped == sync
    assert f"PersistenceAdapter.{name}`" in (getattr(AsyncStore, name).__doc__ or "")


def test_exported_lazily_from_the_package() -> None:
    assert {"AsyncStore", "open_async_store"} <= set(jido_persistence.__all__)
    assert jido_persistence.AsyncStore is AsyncStore
    assert jido_persistence.open_async_store is open_async_store
    with pytest.raises(AttributeError):
        _ = jido_persistence.no_such_name


@pytest.mark.parametrize("bad", [0, -1, True, 2.0, "4"])
def test_max_workers_must_be_a_positive_int(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="max_workers"), MemoryAdapter() as store:
        AsyncStore(store, max_workers=bad)


def test_only_adapters_are_wrapped() -> None:
    with pytest.raises(ConfigurationError, match="PersistenceAdapter"):
        AsyncStore(object())  # type: ignore[arg-type]


def test_store_and_capabilities_pass_through() -> None:
    class NativeAsync(MemoryAdapter):
        native_async = True

    async def main() -> None:
        inner = NativeAsync()
        async with AsyncStore(inner) as store:
            assert store.store is inner
            # Wrapped in threads: this async store is not native, whatever the class says.
            assert store.capabilities == inner.capabilities.model_copy(
                update={"native_async": False}
            )
            room = Room(id="r", type=RoomType.GROUP)
            assert await store.save_room(room) == room
            assert await store.get_room("r") == room

    run(main())


# --- same results and errors as the sync calls ------------------------------------------

Call = tuple[str, tuple[Any, ...], dict[str, Any]]


def _call(name: str, *args: Any, **kwargs: Any) -> Call:
    return (name, args, kwargs)


room_ids = st.sampled_from((*ROOM_IDS, ""))
message_ids = st.sampled_from((*MESSAGE_IDS, ""))
external_ids = st.sampled_from(EXTERNAL_IDS)
calls: st.SearchStrategy[Call] = st.one_of(
    st.builds(lambda r: _call("save_room", r), rooms(room_ids=ROOM_IDS)),
    st.builds(lambda r: _call("get_room", r), room_ids),
    st.builds(lambda r: _call("delete_room", r), room_ids),
    st.builds(lambda n: _call("list_rooms", limit=n), st.integers(-1, 3)),
    st.builds(
        lambda m: _call("save_message", m),
        messages(
            room_ids=ROOM_IDS,
            message_ids=MESSAGE_IDS,
            channels=["slack"],
            bridge_ids=["b", 7],
            external_ids=EXTERNAL_IDS,
        ),
    ),
    st.builds(lambda m: _call("get_message", m), message_ids),
    st.builds(lambda m: _call("delete_message", m), message_ids),
    st.builds(
        lambda r, n, before: _call("get_messages", r, limit=n, before=before),
        room_ids,
        st.integers(-1, 3),
        st.one_of(st.none(), message_ids),
    ),
    st.builds(
        lambda e, room_type: _call(
            "get_or_create_room_by_external_binding",
            "slack",
            "b",
            e,
            {"id": f"bound-{e}", "type": room_type, "inserted_at": WHEN},
        ),
        external_ids,
        st.sampled_from(["group", "direct", "no-such-type"]),
    ),
    st.builds(lambda e: _call("get_room_by_external_binding", "slack", "b", e), external_ids),
    st.builds(
        lambda b, e: _call("get_message_by_external_id", "slack", b, e),
        st.sampled_from(["b", 7, "7"]),
        external_ids,
    ),
    st.builds(lambda m, e: _call("update_message_external_id", m, e), message_ids, external_ids),
    st.builds(
        lambda name: _call("directory_lookup", "room", {"name": name}), st.sampled_from(["", "a"])
    ),
)


def outcome(action: Callable[[], T]) -> tuple[Any, ...]:
    """What a call gave: its value, or its error's type, args, attributes and cause type."""
    try:
        return ("value", action())
    except Exception as error:
        cause = type(error.__cause__) if error.__cause__ is not None else None
        return ("error", type(error), error.args, vars(error), cause)


async def async_outcome(action: Callable[[], Awaitable[T]]) -> tuple[Any, ...]:
    """:func:`outcome` for a coroutine."""
    try:
        return ("value", await action())
    except Exception as error:
        cause = type(error.__cause__) if error.__cause__ is not None else None
        return ("error", type(error), error.args, vars(error), cause)


@settings(max_examples=25)
@given(st.lists(calls, min_size=1, max_size=8))
def test_async_calls_answer_like_sync_calls(sequence: list[Call]) -> None:
    with MemoryAdapter() as sync_store:
        expected = [
            outcome(lambda n=name, a=args, k=kwargs: getattr(sync_store, n)(*a, **k))  # type: ignore[misc]
            for name, args, kwargs in sequence
        ]

    async def main() -> list[tuple[Any, ...]]:
        async with AsyncStore(MemoryAdapter(), max_workers=2) as store:
            return [
                await async_outcome(lambda n=name, a=args, k=kwargs: getattr(store, n)(*a, **k))  # type: ignore[misc]
                for name, args, kwargs in sequence
            ]

    assert run(main()) == expected


def test_the_adapters_exception_object_itself_is_raised() -> None:
    class Recording(MemoryAdapter):
        raised: BaseException | None = None

        def _get_room(self, room_id: str) -> Room:
            try:
                return super()._get_room(room_id)
            except NotFound as error:
                self.raised = error
                raise

    async def main() -> None:
        async with AsyncStore(Recording()) as store:
            with pytest.raises(NotFound) as caught:
                await store.get_room("missing")
            assert caught.value is store.store.raised  # type: ignore[attr-defined]
            assert (caught.value.entity, caught.value.key) == ("room", "missing")

    run(main())


# --- concurrency -----------------------------------------------------------------------


def test_fifty_concurrent_get_or_create_calls_give_one_room() -> None:
    async def main() -> None:
        async with AsyncStore(MemoryAdapter()) as store:
            found = await asyncio.gather(
                *(
                    store.get_or_create_room_by_external_binding(
                        "discord", 42, "C1", {"id": f"candidate-{index}", "type": "group"}
                    )
                    for index in range(50)
                )
            )
            assert len({room.id for room in found}) == 1
            winner = found[0]
            assert await store.get_room_by_external_binding("discord", "42", "C1") == winner
            assert len(await store.list_room_bindings(winner.id)) == 1
            assert [room.id for room in await store.list_rooms(limit=100)] == [winner.id]

    run(main())


class Blocking(MemoryAdapter):
    """A memory store whose ``get_room`` waits for ``release`` once it has started."""

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self.entered = threading.Event()
        self.release = threading.Event()
        self.released_in_time = False

    def _get_room(self, room_id: str) -> Room:
        self.entered.set()
        self.released_in_time = self.release.wait(WAIT)
        return super()._get_room(room_id)


def test_the_loop_runs_callbacks_while_a_slow_call_blocks() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        async with AsyncStore(Blocking()) as store:
            inner: Blocking = store.store  # type: ignore[assignment]
            room = await store.save_room(Room(id="r", type=RoomType.GROUP))
            slow = asyncio.create_task(store.get_room("r"))
            assert await asyncio.to_thread(inner.entered.wait, WAIT)
            seen: list[bool] = []

            def on_loop() -> None:  # runs only if the loop is free while the call blocks
                seen.append(slow.done())
                inner.release.set()

            loop.call_soon(on_loop)
            assert await slow == room
            assert seen == [False]
            assert inner.released_in_time

    run(main())


def test_cancelling_a_queued_call_drops_it() -> None:
    async def main() -> None:
        async with AsyncStore(Blocking(), max_workers=1) as store:
            inner: Blocking = store.store  # type: ignore[assignment]
            await store.save_room(Room(id="r", type=RoomType.GROUP))
            slow = asyncio.create_task(store.get_room("r"))
            assert await asyncio.to_thread(inner.entered.wait, WAIT)
            queued = asyncio.create_task(store.save_room(Room(id="q", type=RoomType.GROUP)))
            await asyncio.sleep(0)  # a yield, not a wait: the save is now queued
            queued.cancel()
            with pytest.raises(asyncio.CancelledError):
                await queued  # the pool's future is cancelled before the task finishes
            inner.release.set()
            await slow
            assert [room.id for room in await store.list_rooms()] == ["r"]

    run(main())


# --- closing ---------------------------------------------------------------------------


def test_aclose_closes_the_store_and_later_calls_raise_store_closed() -> None:
    async def main() -> None:
        store = AsyncStore(MemoryAdapter())
        await store.save_room(Room(id="r", type=RoomType.GROUP))
        await store.aclose()
        assert store.closed
        assert store.store.closed
        with pytest.raises(StoreClosed, match=r"get_room\(\)"):
            await store.get_room("r")
        await store.aclose()  # idempotent

    run(main())


def test_aclose_waits_for_running_calls_before_closing() -> None:
    async def main() -> None:
        store = AsyncStore(Blocking())
        inner: Blocking = store.store  # type: ignore[assignment]
        room = await store.save_room(Room(id="r", type=RoomType.GROUP))
        slow = asyncio.create_task(store.get_room("r"))
        assert await asyncio.to_thread(inner.entered.wait, WAIT)
        closing = asyncio.create_task(store.aclose())
        await asyncio.sleep(0)  # a yield, not a wait: aclose() runs up to its first await
        assert not inner.closed
        with pytest.raises(StoreClosed):
            await store.list_rooms()
        inner.release.set()
        assert await slow == room
        await closing
        assert inner.closed

    run(main())


def test_async_with_closes_on_error() -> None:
    inner = MemoryAdapter()

    async def main() -> None:
        async with AsyncStore(inner) as store:
            await store.get_room("missing")

    with pytest.raises(NotFound):
        run(main())
    assert inner.closed


# --- opening ---------------------------------------------------------------------------


def test_open_async_store_on_a_tinydb_file(tmp_path: Path) -> None:
    url = f"tinydb:///{tmp_path / 'chat.json'}"
    room = Room(id="r", type=RoomType.GROUP, name="general")

    async def write() -> None:
        async with await open_async_store(url) as store:
            assert type(store.store).__name__ == "TinyDBAdapter"
            assert store.capabilities.durable
            await store.save_room(room)
            bound = await store.get_or_create_room_by_external_binding(
                "slack", "b", "C1", {"id": "bound", "type": "channel"}
            )
            assert await store.get_room_by_external_binding("slack", "b", "C1") == bound

    async def read() -> None:
        async with await open_async_store(url) as store:
            assert await store.get_room("r") == room
            assert {found.id for found in await store.list_rooms()} == {"r", "bound"}

    run(write())
    run(read())


def test_open_async_store_passes_open_store_errors_through() -> None:
    with pytest.raises(ConfigurationError, match="unknown option"):
        run(open_async_store("memory://", no_such_option=1))


def test_a_store_opened_for_a_cancelled_caller_is_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started = threading.Event()
    release = threading.Event()
    closed = threading.Event()

    class Tracked(MemoryAdapter):
        def close(self) -> None:
            super().close()
            closed.set()

    def slow_open(target: str | None = None, **options: object) -> PersistenceAdapter:
        started.set()
        assert release.wait(WAIT)
        return Tracked()

    monkeypatch.setattr(aio, "open_store", slow_open)

    async def main() -> None:
        opening = asyncio.create_task(open_async_store("memory://"))
        assert await asyncio.to_thread(started.wait, WAIT)
        opening.cancel()
        with pytest.raises(asyncio.CancelledError):
            await opening
        release.set()
        assert await asyncio.to_thread(closed.wait, WAIT)

    run(main())


def test_export_records_is_an_async_iterator_that_stops_cleanly() -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        async with AsyncStore(MemoryAdapter()) as store:
            for number in range(600):
                await store.save_room(Room(id=f"r:{number:04}", type="group"))
            every = [record.kind async for record in store.export_records()]
            first: list[str] = []
            async for record in store.export_records():
                first.append(record.kind)
                if len(first) == 3:
                    break
            # The export's lock was released on its own thread: writes go on.
            await store.save_room(Room(id="after", type="group"))
            return every, first

    every, first = asyncio.run(scenario())
    assert every == ["room"] * 600
    assert first == ["room"] * 3


def test_import_records_reads_an_async_export_from_a_worker_thread() -> None:
    async def scenario() -> tuple[list[bytes], list[bytes], list[str]]:
        async with AsyncStore(MemoryAdapter()) as source, AsyncStore(MemoryAdapter()) as target:
            for number in range(600):
                await source.save_room(Room(id=f"r:{number:04}", type="group"))
            report = await target.import_records(source.export_records())
            assert report.by_kind == {"room": 600}
            original = [encode_record(record) async for record in source.export_records()]
            copied = [encode_record(record) async for record in target.export_records()]

            async def broken() -> AsyncIterator[Record]:
                async for record in source.export_records():
                    yield record
                    raise RuntimeError("the source broke")

            async with AsyncStore(MemoryAdapter()) as third:
                with pytest.raises(RuntimeError, match="the source broke"):
                    await third.import_records(broken())
                left = [record.kind async for record in third.export_records()]
            return original, copied, left

    original, copied, left = asyncio.run(scenario())
    assert copied == original
    assert left == []
