"""The async store carries the contract-1.3 ingestion and enumeration callbacks.

``AsyncStore`` builds its coroutines from the callback table, so the new callbacks
appear without a line of their own; these tests check they do, with the same
arguments, results and errors as the synchronous store.
"""

from __future__ import annotations

import asyncio

import pytest

from jido_persistence.aio import AsyncStore
from jido_persistence.errors import CursorNotFound, InvalidArgument
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message, MessageRole, Participant, ParticipantType


def _event(message_id: str) -> Message:
    return Message(
        id=message_id,
        room_id="room:1",
        sender_id="p",
        role=MessageRole.USER,
        external_id="E1",
        metadata={"channel": "slack", "bridge_id": "b"},
    )


def test_async_ingest_message_stores_one_message_per_key() -> None:
    async def main() -> None:
        async with AsyncStore(MemoryAdapter()) as store:
            results = await asyncio.gather(
                *(store.ingest_message(_event(f"m:{n}")) for n in range(8))
            )
            assert [result.created for result in results].count(True) == 1
            assert len({result.message.id for result in results}) == 1
            with pytest.raises(InvalidArgument):
                await store.ingest_message(_event("m:x").model_copy(update={"metadata": {}}))
            thread = await store.get_or_create_thread_by_external_id("room:1", 7, {"id": "t:1"})
            again = await store.get_or_create_thread_by_external_id("room:1", "7")
            assert (thread.id, again.id, thread.external_thread_id) == ("t:1", "t:1", "7")

    asyncio.run(main())


def test_async_enumeration_pages_with_after() -> None:
    async def main() -> None:
        async with AsyncStore(MemoryAdapter()) as store:
            for participant_id in ("c", "a", "b"):
                await store.save_participant(
                    Participant(id=participant_id, type=ParticipantType.HUMAN)
                )
            await store.save_onboarding({"onboarding_id": "o:1"})
            page = await store.list_participants(limit=2)
            rest = await store.list_participants(limit=2, after=page[-1].id)
            assert [p.id for p in page + rest] == ["a", "b", "c"]
            assert await store.list_onboardings(after="o:1") == []
            assert await store.list_rooms(limit=5, after=None) == []
            with pytest.raises(CursorNotFound):
                await store.list_threads("room:1", after="t:missing")

    asyncio.run(main())
