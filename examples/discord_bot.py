"""A discord.py-style bot: messages, threads and a failing handler, natively async.

Run it: ``python examples/discord_bot.py [STORE_URL]`` (default ``memory://``).

No network and no discord.py needed: a stand-in ``Client`` fires simulated
``on_message`` events concurrently, as discord.py dispatches each gateway event in a
task of its own.  A message posted in a Discord thread saves the message and its
thread in one ``transaction()`` block; a handler that fails half-way (here: a message
from a banned user, refused after the room and sender were written) leaves nothing
behind, because the exception leaving the block undoes it.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from jido_persistence import open_async_store
from jido_persistence.aio import AsyncStore
from jido_persistence.models import Message, MessageRole, TextPart, Thread

GUILD = 4242
BANNED = {666}


@dataclass(frozen=True)
class Author:
    """``discord.Member``, the fields used here."""

    id: int
    display_name: str


@dataclass(frozen=True)
class DiscordMessage:
    """``discord.Message``: ``channel_id`` is the thread's id inside a thread."""

    id: int
    channel_id: int
    parent_channel_id: int | None
    author: Author
    content: str


class Banned(Exception):
    """The handler refuses a message from a banned user."""


class Client:
    """``discord.Client``: ``@client.event`` registers ``on_message``."""

    def __init__(self) -> None:
        self.on_message: Callable[[DiscordMessage], Awaitable[None]] | None = None

    def event(
        self, handler: Callable[[DiscordMessage], Awaitable[None]]
    ) -> Callable[[DiscordMessage], Awaitable[None]]:
        """Register the ``on_message`` coroutine."""
        self.on_message = handler
        return handler

    async def dispatch(self, events: list[DiscordMessage]) -> list[BaseException | None]:
        """Fire every event in its own task; return each handler's exception or None."""
        assert self.on_message is not None
        results = await asyncio.gather(
            *(self.on_message(event) for event in events), return_exceptions=True
        )
        return [result if isinstance(result, BaseException) else None for result in results]


async def store_message(store: AsyncStore, event: DiscordMessage) -> None:
    """Store one Discord message (and its thread) atomically."""
    channel = event.parent_channel_id or event.channel_id
    async with store.transaction():
        room = await store.get_or_create_room_by_external_binding(
            "discord", GUILD, channel, {"type": "channel"}
        )
        sender = await store.get_or_create_participant_by_external_id(
            "discord",
            event.author.id,
            {"type": "human", "identity": {"name": event.author.display_name}},
        )
        if event.author.id in BANNED:
            raise Banned(f"{event.author.display_name} is banned")
        thread_id = None
        if event.parent_channel_id is not None:
            thread = await store.save_thread(
                Thread(
                    id=f"discord-thread:{event.channel_id}",
                    room_id=room.id,
                    external_thread_id=str(event.channel_id),
                )
            )
            thread_id = thread.id
        await store.save_message(
            Message(
                room_id=room.id,
                sender_id=sender.id,
                role=MessageRole.USER,
                content=[TextPart(text=event.content)],
                thread_id=thread_id,
                external_id=str(event.id),
                external_thread_id=None if thread_id is None else str(event.channel_id),
                metadata={"channel": "discord", "bridge_id": str(GUILD)},
            )
        )


def simulated_events() -> list[DiscordMessage]:
    """Two channels, a thread, and one message from a banned user in a new channel."""
    ann, bob, troll = Author(11, "Ann"), Author(12, "Bob"), Author(666, "troll")
    return [
        DiscordMessage(1001, 501, None, ann, "release is out"),
        DiscordMessage(1002, 9001, 501, bob, "thanks! a question in a thread"),
        DiscordMessage(1003, 502, None, bob, "lunch?"),
        DiscordMessage(1004, 503, None, troll, "spam"),
    ]


async def main(url: str = "memory://") -> dict[str, int]:
    """Run the bot on the simulated events; return what the store holds."""
    client = Client()
    async with await open_async_store(url) as store:

        @client.event
        async def on_message(event: DiscordMessage) -> None:
            await store_message(store, event)

        failures = await client.dispatch(simulated_events())
        rooms = await store.list_rooms()
        messages = [m for room in rooms for m in await store.get_messages(room.id)]
        threads = [t for room in rooms for t in await store.list_threads(room.id)]
        people = await store.directory_search("participant", {})
        summary = {
            "rooms": len(rooms),
            "messages": len(messages),
            "threads": len(threads),
            "participants": len(people),
            "refused": sum(isinstance(failure, Banned) for failure in failures),
        }
    print(summary)
    return summary


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:2]))
