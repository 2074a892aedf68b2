"""Export and import on the native async store (psycopg's async pool, no threads).

The kit's round-trip area runs through the async facade (``test_conformance.py``);
these tests use ``AsyncStore`` the way an application does: ``async for`` over
``export_records()``, ``await import_records(...)`` fed by another async store's
export (an async iterable) or by an interchange file, early exits, and the rule that
nothing in the native path starts a thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from jido_persistence import open_async_store
from jido_persistence.errors import InvalidArgument
from jido_persistence.interchange import encode_record, read_export, write_export
from jido_persistence.models import (
    Message,
    MessageRole,
    Participant,
    ParticipantType,
    Room,
    RoomType,
)
from jido_persistence.records import RoomRecord
from jido_persistence_postgres.aio import STREAM_BATCH

ROOMS = 2 * STREAM_BATCH + 7  # more than two batches of the native stream


async def _fill(url: str) -> list[bytes]:
    rooms = [RoomRecord(record=Room(id=f"r:{n:05}", type=RoomType.GROUP)) for n in range(ROOMS)]
    async with await open_async_store(url) as store:
        await store.import_records(rooms)
        await store.save_participant(Participant(id="p:1", type=ParticipantType.HUMAN))
        for number in range(3):
            await store.save_message(
                Message(
                    id=f"m:{number}",
                    room_id="r:00000",
                    sender_id="p:1",
                    role=MessageRole.USER,
                    external_id="E1",
                    metadata={"channel": "slack", "bridge_id": "b1"},
                )
            )
        return [encode_record(record) async for record in store.export_records()]


def _threads() -> set[int]:
    return {thread.ident for thread in threading.enumerate() if thread.ident is not None}


def test_async_export_streams_natively_and_matches_the_sync_export(
    fresh_url: Callable[..., str],
) -> None:
    url = fresh_url()
    lines = asyncio.run(_fill(url))
    kinds = [line.split(b'"kind":"')[1].split(b'"')[0] for line in lines]
    assert kinds.count(b"room") == ROOMS
    assert kinds.count(b"message") == 3
    assert kinds.count(b"message_key") == 1

    async def no_new_thread() -> set[int]:
        async with await open_async_store(url) as store:
            before = _threads()
            seen = [record async for record in store.export_records()]
            assert len(seen) == len(lines)
            return _threads() - before

    assert asyncio.run(no_new_thread()) == set()


def test_leaving_an_async_export_early_gives_its_connection_back(
    fresh_url: Callable[..., str],
) -> None:
    url = fresh_url()
    asyncio.run(_fill(url))

    async def scenario() -> int:
        # One connection: the export must return it, or the save below times out.
        async with await open_async_store(url, pool_max=1, pool_timeout=5) as store:
            for _ in range(3):
                count = 0
                async for _record in store.export_records():
                    count += 1
                    if count == STREAM_BATCH + 1:
                        break
            await store.save_room(Room(id="after", type=RoomType.GROUP))
            return len([record async for record in store.export_records()])

    assert asyncio.run(scenario()) > ROOMS


def test_async_import_reads_another_async_export_and_a_file(
    fresh_url: Callable[..., str], tmp_path: Path
) -> None:
    source, target, from_file = fresh_url(), fresh_url(), fresh_url()
    lines = asyncio.run(_fill(source))

    async def scenario() -> tuple[list[bytes], list[bytes]]:
        async with (
            await open_async_store(source) as original,
            await open_async_store(target) as copy,
            await open_async_store(from_file) as restored,
        ):
            report = await copy.import_records(original.export_records())
            assert report.records == len(lines)
            assert report.by_kind["room"] == ROOMS
            path = tmp_path / "export.jsonl"
            records = [record async for record in original.export_records()]
            await asyncio.to_thread(write_export, path, records, source_adapter="postgres")
            with read_export(path) as (_header, file_records):
                await restored.import_records(file_records)
            copied = [encode_record(record) async for record in copy.export_records()]
            reread = [encode_record(record) async for record in restored.export_records()]
            # Key resolution came along: the newest holder of E1 is m:2.
            held = await copy.get_message_by_external_id("slack", "b1", "E1")
            assert held.id == "m:2"
            return copied, reread

    copied, reread = asyncio.run(scenario())
    assert copied == lines
    assert reread == lines


def test_async_import_refuses_a_store_that_holds_anything_and_writes_nothing(
    fresh_url: Callable[..., str],
) -> None:
    source, target = fresh_url(), fresh_url()
    asyncio.run(_fill(source))

    async def scenario() -> list[str]:
        async with (
            await open_async_store(source) as original,
            await open_async_store(target) as copy,
        ):
            await copy.save_room(Room(id="mine", type=RoomType.GROUP))
            with pytest.raises(InvalidArgument, match="empty store"):
                await copy.import_records(original.export_records())
            return [record.kind async for record in copy.export_records()]

    assert asyncio.run(scenario()) == ["room"]


def test_a_failing_async_import_leaves_the_store_empty(fresh_url: Callable[..., str]) -> None:
    source, target = fresh_url(), fresh_url()
    asyncio.run(_fill(source))

    async def scenario() -> list[str]:
        async with (
            await open_async_store(source) as original,
            await open_async_store(target) as copy,
        ):

            async def broken() -> object:
                count = 0
                async for record in original.export_records():
                    count += 1
                    if count == STREAM_BATCH + 3:
                        raise RuntimeError("the source broke")
                    yield record

            with pytest.raises(RuntimeError, match="the source broke"):
                await copy.import_records(broken())  # type: ignore[arg-type]
            return [record.kind async for record in copy.export_records()]

    assert asyncio.run(scenario()) == []
