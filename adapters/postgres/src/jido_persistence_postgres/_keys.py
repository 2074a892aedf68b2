"""The transactions behind the external keys: get-or-create and room bindings.

Each function is the body of one transaction (``Database.run(..., transaction=True)``)
and follows the reference adapter (``jido_persistence.memory``) step by step:

- get-or-create locks the key row (``SELECT ... FOR UPDATE``); a key to a live record
  answers at once; a stale key (its record is gone) is deleted only while it still
  points at that record; then the key row is inserted first (``ON CONFLICT DO
  NOTHING RETURNING``) and the record only when that insert won.  A caller that loses
  the race for the key rolls back, having written nothing, and runs again: it then
  finds the winner's record.
- create-room-binding keeps one record per ``(room_id, channel, bridge_id,
  external_room_id)``: an existing one keeps its id and ``inserted_at`` and takes
  ``direction``/``enabled`` from ``attrs``; two callers creating the same record at
  once collide on the unique constraint, and the loser runs again as an update.
"""

from __future__ import annotations

from typing import Any

import psycopg.errors

from jido_persistence.models import Participant, Room, RoomBinding
from jido_persistence.validation import build_record, room_binding_record
from jido_persistence_postgres._database import Connection, Retry
from jido_persistence_postgres._rows import binding_row, participant_row, room_row
from jido_persistence_postgres._statements import Statements

__all__ = ["create_room_binding", "get_or_create_participant", "get_or_create_room"]

BindingKey = tuple[str, str, str]


def get_or_create_room(
    conn: Connection, statements: Statements, key: BindingKey, room: Room
) -> Room:
    """The room bound to ``key``, else ``room`` saved with a binding record and the key."""
    row = conn.execute(statements.binding_key_lock, key).fetchone()
    if row is not None:
        bound, doc = row
        if doc is not None:
            return Room.model_validate_json(doc)
        conn.execute(statements.binding_key_delete_if, (*key, bound))
    if conn.execute(statements.binding_key_insert, (*key, room.id)).fetchone() is None:
        raise Retry
    conn.execute(statements.room_upsert, room_row(room))
    binding = build_record(
        RoomBinding,
        {},
        room_id=room.id,
        channel=key[0],
        bridge_id=key[1],
        external_room_id=key[2],
    )
    conn.execute(statements.binding_insert_keep, binding_row(binding))
    return room


def get_or_create_participant(
    conn: Connection, statements: Statements, key: tuple[str, str], participant: Participant
) -> Participant:
    """The participant bound to ``key``, else ``participant`` saved with the key."""
    row = conn.execute(statements.participant_key_lock, key).fetchone()
    if row is not None:
        bound, doc = row
        if doc is not None:
            return Participant.model_validate_json(doc)
        conn.execute(statements.participant_key_delete_if, (*key, bound))
    if conn.execute(statements.participant_key_insert, (*key, participant.id)).fetchone() is None:
        raise Retry
    conn.execute(statements.participant_upsert, participant_row(participant))
    return participant


def create_room_binding(
    conn: Connection,
    statements: Statements,
    room_id: str,
    key: BindingKey,
    attrs: dict[str, Any],
) -> RoomBinding:
    """Create or update the record of ``(room_id, key)`` and point the key at the room."""
    row = conn.execute(statements.binding_for_room_key, (room_id, *key)).fetchone()
    existing = None if row is None else RoomBinding.model_validate_json(row[0])

    def id_taken(binding_id: str) -> bool:
        return conn.execute(statements.binding_id_exists, (binding_id,)).fetchone() is not None

    binding = room_binding_record(room_id, key, attrs, existing, id_taken)
    try:
        conn.execute(statements.binding_upsert, binding_row(binding))
    except psycopg.errors.UniqueViolation:
        raise Retry from None
    conn.execute(statements.binding_key_upsert, (*key, room_id))
    return binding
