"""The transactions behind the external keys: get-or-create and room bindings.

Each function is the body of one ``BEGIN IMMEDIATE`` transaction
(:meth:`Database.write`) and follows the reference adapter (``jido_persistence.memory``)
step by step.  The write lock is held from the transaction's first read, so the
check-then-create of get-or-create cannot interleave with another writer in any
process: a key to a live record answers at once (writing nothing); a stale key (its
record is gone) is deleted; then the record and its key are written.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from jido_persistence.models import Participant, Room, RoomBinding
from jido_persistence.validation import room_binding_record
from jido_persistence_sqlite import _statements as sql
from jido_persistence_sqlite._rows import binding_row, participant_row, room_row

__all__ = ["create_room_binding", "get_or_create_participant", "get_or_create_room"]

BindingKey = tuple[str, str, str]


def get_or_create_room(conn: sqlite3.Connection, key: BindingKey, room: Room) -> Room:
    """The room bound to ``key``, else ``room`` saved with a binding record and the key."""
    row = conn.execute(sql.BINDING_KEY_ROOM, key).fetchone()
    if row is not None:
        bound, doc = row
        if doc is not None:
            return Room.model_validate_json(doc)
        conn.execute(sql.BINDING_KEY_DELETE_IF, (*key, bound))
    conn.execute(sql.ROOM_UPSERT, room_row(room))
    create_room_binding(conn, room.id, key, {})
    return room


def get_or_create_participant(
    conn: sqlite3.Connection, key: tuple[str, str], participant: Participant
) -> Participant:
    """The participant bound to ``key``, else ``participant`` saved with the key."""
    row = conn.execute(sql.PARTICIPANT_KEY_PARTICIPANT, key).fetchone()
    if row is not None:
        bound, doc = row
        if doc is not None:
            return Participant.model_validate_json(doc)
        conn.execute(sql.PARTICIPANT_KEY_DELETE_IF, (*key, bound))
    conn.execute(sql.PARTICIPANT_UPSERT, participant_row(participant))
    conn.execute(sql.PARTICIPANT_KEY_PUT, (*key, participant.id))
    return participant


def create_room_binding(
    conn: sqlite3.Connection, room_id: str, key: BindingKey, attrs: dict[str, Any]
) -> RoomBinding:
    """Create or update the record of ``(room_id, key)`` and point the key at the room."""
    row = conn.execute(sql.BINDING_FOR_ROOM_KEY, (room_id, *key)).fetchone()
    existing = None if row is None else RoomBinding.model_validate_json(row[0])

    def id_taken(binding_id: str) -> bool:
        return conn.execute(sql.BINDING_ID_EXISTS, (binding_id,)).fetchone() is not None

    binding = room_binding_record(room_id, key, attrs, existing, id_taken)
    conn.execute(sql.BINDING_UPSERT, binding_row(binding))
    conn.execute(sql.BINDING_KEY_PUT, (*key, room_id))
    return binding
