"""An aiogram-style async bot that stores every chat message without blocking its loop.

Run it: ``python examples/async_bot.py [STORE_URL]`` (default ``memory://``).

No network and no aiogram needed: a few simulated Telegram updates are handled
concurrently, one task each, as aiogram 3 dispatches them.  Every store call is awaited
on the async store (``open_async_store``), so the event loop keeps serving other updates
while a backend reads a file or waits for a server.  The platform ids become records
through the race-free get-or-create callbacks, and a re-delivered update (the same
chat and message id) is recognised by its platform key and stored once: with
``ingest_message`` where the store has the ingest group (contract 1.3), else with a
lookup under a per-key lock (enough within one process).
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass

from jido_persistence import Message, NotFound, open_async_store
from jido_persistence.aio import AsyncStore
from jido_persistence.models import MessageRole, TextPart

BOT = "bot-1"


@dataclass(frozen=True)
class Update:
    """The parts of a Telegram update this bot reads."""

    chat_id: int
    chat_title: str
    user_id: int
    user_name: str
    message_id: int
    text: str


_ARRIVING: dict[str, asyncio.Lock] = {}


async def on_message(store: AsyncStore, update: Update) -> bool:
    """Store one update; return whether it was new (False for a re-delivery)."""
    room = await store.get_or_create_room_by_external_binding(
        "telegram", BOT, update.chat_id, {"type": "group", "name": update.chat_title}
    )
    sender = await store.get_or_create_participant_by_external_id(
        "telegram", update.user_id, {"type": "human", "identity": {"name": update.user_name}}
    )
    # Telegram numbers messages per chat: the platform key needs the chat too.
    key = f"{update.chat_id}:{update.message_id}"
    message = Message(
        room_id=room.id,
        sender_id=sender.id,
        role=MessageRole.USER,
        content=[TextPart(text=update.text)],
        external_id=key,
        metadata={"channel": "telegram", "bridge_id": BOT},
    )
    if store.capabilities.ingest:  # contract 1.3: one race-free call
        return (await store.ingest_message(message)).created
    # Without it, look up then save, one task per key at a time (a re-delivery can
    # arrive while the first delivery is still being handled).
    async with _ARRIVING.setdefault(key, asyncio.Lock()):
        try:
            await store.get_message_by_external_id("telegram", BOT, key)
            return False
        except NotFound:
            await store.save_message(message)
            return True


UPDATES = [
    Update(-1001, "Ops", 42, "Alice", 1, "deploy at 14:00?"),
    Update(-1001, "Ops", 43, "Bob", 2, "ok"),
    Update(-1002, "Lunch", 42, "Alice", 1, "pizza?"),
    Update(-1001, "Ops", 43, "Bob", 2, "ok"),  # Telegram re-delivered this one
]


async def main(url: str) -> dict[str, int]:
    async with await open_async_store(url) as store:
        new = await asyncio.gather(*(on_message(store, update) for update in UPDATES))
        rooms = await store.list_rooms()
        stored = [m for room in rooms for m in await store.get_messages(room.id)]
        people = await store.directory_search("participant", {})
        summary = {
            "rooms": len(rooms),
            "participants": len(people),
            "messages": len(stored),
            "redelivered": new.count(False),
        }
    print(summary)
    return summary


if __name__ == "__main__":
    result = asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "memory://"))
    assert result == {"rooms": 2, "participants": 2, "messages": 3, "redelivered": 1}, result
