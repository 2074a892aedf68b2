"""Writes ``old_layout/``: a store made by the adapter as it was before documents were
kept as JSON text in memory (commit c9f8f49), for ``test_layout.py``.

Run with that version of ``jido_persistence_tinydb`` first on ``PYTHONPATH``::

    PYTHONPATH=/path/to/old/src uv run python adapters/tinydb/tests/data/make_old_layout.py

It writes ``store.json`` + ``store.json.journal`` (a snapshot and a journal tail not yet
folded in), then ``compacted.json``: what that version wrote when it opened those two
files and closed (compacting).
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jido_persistence.models import Message, Room, Thread
from jido_persistence_tinydb import TinyDBAdapter

HERE = Path(__file__).parent / "old_layout"
AT = datetime(2025, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)


def message(number: int, **fields: object) -> Message:
    """Message ``number`` of room r1, with non-ASCII text."""
    return Message.model_validate(
        {
            "id": f"m{number}",
            "room_id": "r1",
            "sender_id": "u1",
            "role": "user",
            "content": [{"type": "text", "text": f"caf\u00e9 {number} \u4e2d \U0001f600"}],
            "external_id": f"E{number}",
            "metadata": {"channel": "slack", "bridge_id": 7},
            "inserted_at": AT + timedelta(seconds=number),
            "updated_at": AT + timedelta(seconds=number),
            **fields,
        }
    )


def first_half(store: TinyDBAdapter) -> None:
    """Writes folded into the snapshot."""
    store.save_room(Room(id="r1", type="group", name="Lobby \u00e9", inserted_at=AT))
    store.create_room_binding("r1", "slack", 7, "C1", {"id": "b1"})
    store.get_or_create_participant_by_external_id("slack", "U1", {"id": "u1", "type": "human"})
    store.save_thread(Thread(id="t1", room_id="r1", external_thread_id="T1", inserted_at=AT))
    for number in range(6):
        store.save_message(message(number, thread_id="t1" if number % 2 else None))
    store.delete_message("m2")
    store.save_onboarding({"onboarding_id": "o1", "step": 2, "data": {"x": [1, 2.5, None]}})


def second_half(store: TinyDBAdapter) -> None:
    """Writes left in the journal."""
    store.save_message(message(6, external_id="E1"))  # E1 now resolves to m6
    store.update_message_external_id("m3", "E33")
    store.delete_message("m4")
    store.save_message(message(7, inserted_at=None, updated_at=None))


def main() -> None:
    """Write the three files."""
    HERE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "store.json"
        with TinyDBAdapter(path=path, durability="flush") as store:
            first_half(store)
        with TinyDBAdapter(path=path, durability="flush", compact_on_close=False) as store:
            second_half(store)
        shutil.copy(path, HERE / "store.json")
        shutil.copy(path.with_name("store.json.journal"), HERE / "store.json.journal")
        TinyDBAdapter(path=path).close()
        shutil.copy(path, HERE / "compacted.json")


if __name__ == "__main__":
    main()
