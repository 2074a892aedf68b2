"""The asyncio examples (examples/aiogram_bot.py, examples/discord_bot.py) run as shipped,
on the memory adapter, and store what their docstrings say."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_aiogram_bot_stores_each_update_once() -> None:
    summary = asyncio.run(_load("aiogram_bot").main("memory://"))
    assert summary == {"rooms": 2, "messages": 4, "participants": 3, "duplicates_skipped": 1}


def test_discord_bot_leaves_nothing_of_a_refused_message() -> None:
    summary = asyncio.run(_load("discord_bot").main("memory://"))
    # The troll's message was refused after its room and participant were created in
    # the block: both were undone, so only two rooms and two participants exist.
    assert summary == {"rooms": 2, "messages": 3, "threads": 1, "participants": 2, "refused": 1}


def test_discord_bot_block_is_what_undoes_the_refused_message() -> None:
    bot = _load("discord_bot")

    async def main() -> tuple[int, int]:
        from jido_persistence import open_async_store

        async with await open_async_store("memory://") as store:
            troll = bot.DiscordMessage(1, 77, None, bot.Author(666, "troll"), "spam")
            with pytest.raises(bot.Banned):
                await bot.store_message(store, troll)
            people = await store.directory_search("participant", {})
            return len(await store.list_rooms()), len(people)

    assert asyncio.run(main()) == (0, 0)
