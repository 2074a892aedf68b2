"""An aiogram-style Telegram bot that stores every chat message, natively async.

Run it: ``python examples/aiogram_bot.py [STORE_URL]`` (default ``memory://``; with
``postgresql://...`` the store runs on psycopg's async pool, without threads).

No network and no aiogram needed: a small stand-in ``Router`` dispatches simulated
updates the way aiogram 3 does (``@router.message()`` handlers, one task per update,
re-deliveries included).  Each update is stored in one ``transaction()`` block: the
chat's room, the sender and the message are saved together or not at all, and a
re-delivered update (same chat and message id) stores nothing twice.  (A store with
``capabilities.ingest`` offers ``ingest_message`` for exactly this.)
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from jido_persistence import NotFound, open_async_store
from jido_persistence.aio import AsyncStore
from jido_persistence.models import Message, MessageRole, TextPart

BOT_ID = 777


@dataclass(frozen=True)
class User:
    """``aiogram.types.User``, the fields used here."""

    id: int
    full_name: str


@dataclass(frozen=True)
class Chat:
    """``aiogram.types.Chat``."""

    id: int
    title: str


@dataclass(frozen=True)
class TelegramMessage:
    """``aiogram.types.Message``."""

    message_id: int
    chat: Chat
    from_user: User
    text: str


Handler = Callable[[TelegramMessage], Awaitable[None]]


class Router:
    """Dispatches each update to the registered handler in a task of its own."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    def message(self) -> Callable[[Handler], Handler]:
        """``@router.message()``: register a handler for every message update."""

        def register(handler: Handler) -> Handler:
            self._handlers.append(handler)
            return handler

        return register

    async def feed(self, updates: list[TelegramMessage]) -> None:
        """Handle every update concurrently, as aiogram's polling does."""
        await asyncio.gather(*(handler(update) for update in updates for handler in self._handlers))


async def store_update(store: AsyncStore, update: TelegramMessage) -> bool:
    """Store one update atomically; False when it was a re-delivery.

    The message id is derived from the chat and message ids, so even two deliveries
    handled at the same moment (on a store where neither block waits for the other)
    write the same record once.
    """
    message_id = f"telegram:{update.chat.id}:{update.message_id}"
    async with store.transaction():
        try:
            await store.get_message(message_id)
        except NotFound:
            pass
        else:
            return False
        room = await store.get_or_create_room_by_external_binding(
            "telegram", BOT_ID, update.chat.id, {"type": "group", "name": update.chat.title}
        )
        sender = await store.get_or_create_participant_by_external_id(
            "telegram",
            update.from_user.id,
            {"type": "human", "identity": {"name": update.from_user.full_name}},
        )
        await store.save_message(
            Message(
                id=message_id,
                room_id=room.id,
                sender_id=sender.id,
                role=MessageRole.USER,
                content=[TextPart(text=update.text)],
                external_id=f"{update.chat.id}:{update.message_id}",
                metadata={"channel": "telegram", "bridge_id": str(BOT_ID)},
            )
        )
        return True


def simulated_updates() -> list[TelegramMessage]:
    """Two chats, three users, and one update delivered twice."""
    ann, bob, eve = User(1, "Ann"), User(2, "Bob"), User(3, "Eve")
    dev, ops = Chat(-100, "dev"), Chat(-200, "ops")
    updates = [
        TelegramMessage(1, dev, ann, "hello"),
        TelegramMessage(2, dev, bob, "hi Ann"),
        TelegramMessage(1, ops, eve, "deploy at 5?"),
        TelegramMessage(3, dev, ann, "see you"),
    ]
    return [*updates, updates[1]]  # Telegram re-delivers an update it got no answer for


async def main(url: str = "memory://") -> dict[str, int]:
    """Run the bot on the simulated updates; return what the store holds."""
    router = Router()
    stored: list[bool] = []
    async with await open_async_store(url) as store:

        @router.message()
        async def on_message(update: TelegramMessage) -> None:
            stored.append(await store_update(store, update))

        await router.feed(simulated_updates())
        rooms = await store.list_rooms()
        messages = [m for room in rooms for m in await store.get_messages(room.id)]
        people = await store.directory_search("participant", {})
        summary = {
            "rooms": len(rooms),
            "messages": len(messages),
            "participants": len(people),
            "duplicates_skipped": stored.count(False),
        }
    print(summary)
    return summary


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:2]))
