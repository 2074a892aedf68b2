"""Child processes of the durability and concurrency tests: ``python -m`` this module.

``python -m jido_persistence_conformance._child MODE URL``, where MODE is:

``burst``  save messages ``burst:000000``, ``burst:000001``, ... forever, printing each
           id (flushed) once ``save_message`` returned: the acknowledged writes.
``race``   print ``ready``, wait for a line on stdin, then call
           ``get_or_create_room_by_external_binding("race", "b", "key", attrs)`` with a
           room id of its own and print the id of the room returned.
``ingest`` print ``ready``, wait for a line on stdin, then ingest one event (message
           id of its own, key ``("race", "b", "event")``) and print the id of the
           message returned and ``created`` (``True``/``False``).
``thread`` print ``ready``, wait, then get-or-create the thread ``("room:race", "xt")``
           with a thread id of its own and print the id of the thread returned.
``probe``  open the store while another process holds it: print ``locked`` on
           StoreLocked; otherwise save room ``room:probe``, print ``ok`` and the ids of
           the rooms it lists.
``rooms``  print the ids of every room (one per line).
``name``   ``name URL ROOM_ID NAME``: save group room ROOM_ID named NAME, print ``saved``.
``block``  inside ``transaction()``, save room ``room:block`` and a message of it, print
           ``in-block`` and wait for a line on stdin (the test kills the process first).
"""

from __future__ import annotations

import os
import sys

from jido_persistence.errors import StoreLocked
from jido_persistence.models import Message, MessageRole, Room, RoomType
from jido_persistence.registry import open_store

__all__ = ["main"]


def main(argv: list[str]) -> int:
    """Run one mode; see the module docstring."""
    mode, url = argv[0], argv[1]
    if mode == "probe":
        try:
            store = open_store(url)
        except StoreLocked:
            print("locked", flush=True)
            return 0
        with store:
            store.save_room(Room(id="room:probe", type=RoomType.GROUP))
            print("ok", *(room.id for room in store.list_rooms(limit=2**63 - 1)), flush=True)
        return 0
    store = open_store(url)
    if mode == "burst":
        index = 0
        while True:
            message_id = f"burst:{index:06d}"
            store.save_message(
                Message(
                    id=message_id,
                    room_id="room:burst",
                    sender_id="p",
                    role=MessageRole.USER,
                    metadata={"index": index},
                )
            )
            print(message_id, flush=True)
            index += 1
    if mode == "race":
        print("ready", flush=True)
        sys.stdin.readline()
        room = store.get_or_create_room_by_external_binding(
            "race", "b", "key", {"type": "group", "id": f"room:pid{os.getpid()}"}
        )
        print(room.id, flush=True)
    elif mode == "name":
        store.save_room(Room(id=argv[2], type=RoomType.GROUP, name=argv[3]))
        print("saved", flush=True)
    elif mode == "ingest":
        print("ready", flush=True)
        sys.stdin.readline()
        result = store.ingest_message(
            Message(
                id=f"m:pid{os.getpid()}",
                room_id="room:race",
                sender_id="p",
                role=MessageRole.USER,
                external_id="event",
                metadata={"channel": "race", "bridge_id": "b"},
            )
        )
        print(result.message.id, result.created, flush=True)
    elif mode == "thread":
        print("ready", flush=True)
        sys.stdin.readline()
        thread = store.get_or_create_thread_by_external_id(
            "room:race", "xt", {"id": f"t:pid{os.getpid()}"}
        )
        print(thread.id, flush=True)
    elif mode == "block":
        with store.transaction():
            store.save_room(Room(id="room:block", type=RoomType.GROUP))
            store.save_message(
                Message(id="m:block", room_id="room:block", sender_id="p", role=MessageRole.USER)
            )
            print("in-block", flush=True)
            sys.stdin.readline()
    elif mode == "rooms":
        for room in store.list_rooms(limit=2**63 - 1):
            print(room.id, flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
