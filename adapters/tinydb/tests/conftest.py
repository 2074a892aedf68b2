"""Shared helpers of the TinyDB adapter tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jido_persistence.models import Message
from jido_persistence_tinydb import TinyDBAdapter


def make_message(number: int, room_id: str = "room:1", **fields: object) -> Message:
    """A message with a predictable id and content."""
    return Message(
        id=f"m{number}",
        room_id=room_id,
        sender_id="user:1",
        role="user",
        content=[{"type": "text", "text": f"message {number} \u00e9\u4e2d"}],
        **fields,  # type: ignore[arg-type]
    )


def spawn(code: str, *args: str) -> subprocess.Popen[str]:
    """Run ``code`` in a new Python process (the same interpreter and environment)."""
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """The snapshot path of a fresh store."""
    return tmp_path / "store.json"


@pytest.fixture
def small_compaction() -> dict[str, object]:
    """Options that make compactions frequent."""
    return {"compact_min_bytes": 2000, "compact_ratio": 0.5}


def open_adapter(path: Path, **options: object) -> TinyDBAdapter:
    """Open the TinyDB store at ``path``."""
    return TinyDBAdapter(path=path, **options)


class Helpers:
    """The helpers above, as one fixture (test modules cannot import conftest)."""

    message = staticmethod(make_message)
    spawn = staticmethod(spawn)
    open = staticmethod(open_adapter)


@pytest.fixture
def helpers() -> type[Helpers]:
    """Access to :class:`Helpers`."""
    return Helpers
