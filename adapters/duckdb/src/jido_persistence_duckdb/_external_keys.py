"""The DuckDB adapter's external keys: get-or-create, key lookups and room bindings.

A mixin of :class:`~jido_persistence_duckdb.DuckDBAdapter`.  A get-or-create reads the
key first, outside any transaction, and answers a key to a live record at once (one
indexed read, nothing written); only a missing or stale key takes the write lock and a
transaction, which reads the key again before writing, so two callers on one key cannot
both create.  The binding rules are core's (:mod:`._keys`).
"""

from __future__ import annotations

from typing import Any

from jido_persistence.errors import NotFound
from jido_persistence.models import Message, Participant, Room, RoomBinding
from jido_persistence.validation import build_record, message_external_key
from jido_persistence_duckdb import _statements as sql
from jido_persistence_duckdb._base import Cursor, DuckDBBase
from jido_persistence_duckdb._keys import BindingKey, binding_for, put_binding
from jido_persistence_duckdb._rows import latest_holder
from jido_persistence_duckdb._schema import name_fold
from jido_persistence_duckdb._statements import lookup_key
from jido_persistence_duckdb._tables import BINDINGS, MESSAGES, PARTICIPANTS, ROOMS
from jido_persistence_duckdb._writes import put_record

__all__ = ["DuckDBExternalKeys"]


class DuckDBExternalKeys(DuckDBBase):
    """External-id resolution and room bindings on DuckDB."""

    def _get_or_create_room_by_external_binding(
        self,
        channel: str,
        bridge_id: str,
        external_id: str,
        attrs: dict[str, Any],
    ) -> Room:
        key: BindingKey = (channel, bridge_id, external_id)
        binding_key = lookup_key(*key)
        with self._db.entered():
            found = self._db.cursor().execute(sql.BOUND_ROOM, [binding_key]).fetchone()
            if found is not None and found[1] is not None:
                return ROOMS.to_model(found[1:])
            room = build_record(Room, attrs, external_bindings={key[0]: {key[1]: key[2]}})

            def work(cursor: Cursor) -> Room:
                bound = cursor.execute(sql.BOUND_ROOM, [binding_key]).fetchone()
                if bound is not None and bound[1] is not None:
                    return ROOMS.to_model(bound[1:])
                binding = binding_for(cursor, room.id, key, {})
                if bound is not None:
                    cursor.execute(sql.DELETE_STALE_BINDING_KEY, [binding_key, bound[0]])
                put_record(cursor, ROOMS, room.id, [*ROOMS.params(room), name_fold(room.name)])
                put_binding(cursor, binding, key)
                return room

            return self._db.transaction(work)

    def _get_or_create_participant_by_external_id(
        self, channel: str, external_id: str, attrs: dict[str, Any]
    ) -> Participant:
        key = (channel, external_id)
        participant_key = lookup_key(*key)
        with self._db.entered():
            found = self._db.cursor().execute(sql.BOUND_PARTICIPANT, [participant_key]).fetchone()
            if found is not None and found[1] is not None:
                return PARTICIPANTS.to_model(found[1:])
            participant = build_record(Participant, attrs, external_ids={key[0]: key[1]})

            def work(cursor: Cursor) -> Participant:
                bound = cursor.execute(sql.BOUND_PARTICIPANT, [participant_key]).fetchone()
                if bound is not None and bound[1] is not None:
                    return PARTICIPANTS.to_model(bound[1:])
                params = self._participant_params(participant)
                put_record(cursor, PARTICIPANTS, participant.id, params)
                # No key row (``bound is None``): a plain insert; a stale one: replaced.
                statement = sql.INSERT_PARTICIPANT_KEY if bound is None else sql.PUT_PARTICIPANT_KEY
                cursor.execute(statement, [participant_key, *key, participant.id])
                return participant

            return self._db.transaction(work)

    def _get_message_by_external_id(
        self, channel: str, bridge_id: str, external_id: str
    ) -> Message:
        key = (channel, bridge_id, external_id)
        row = latest_holder(self._all(sql.MESSAGE_BY_KEY, [lookup_key(*key)]))
        if row is None:
            raise NotFound("message", key)
        return MESSAGES.to_model(row)

    def _update_message_external_id(self, message_id: str, external_id: str) -> Message:
        # One read and one UPDATE of the columns the new id changes (a re-save of the
        # whole row would take DuckDB's slower conflict path), with a new save_seq as a
        # save draws; under the write lock, so no write comes between them.
        def work(cursor: Cursor) -> Message:
            row = cursor.execute(sql.GET_MESSAGE, [message_id]).fetchone()
            if row is None:
                raise NotFound("message", message_id)
            message = MESSAGES.to_model(row)
            updated = message.model_copy(update={"external_id": external_id})
            key = message_external_key(updated)
            cursor.execute(
                sql.SET_MESSAGE_EXTERNAL_ID,
                [
                    updated.external_id,
                    None if key is None else lookup_key(*key),
                    updated.model_dump_json(),
                    message_id,
                ],
            )
            return updated

        with self._db.entered():
            return self._db.locked(work)

    # --- room bindings ---------------------------------------------------------------

    def _get_room_by_external_binding(self, channel: str, bridge_id: str, external_id: str) -> Room:
        key = (channel, bridge_id, external_id)
        found = self._one(sql.BOUND_ROOM, [lookup_key(*key)])
        if found is None or found[1] is None:
            raise NotFound("room", key)
        return ROOMS.to_model(found[1:])

    def _create_room_binding(
        self,
        room_id: str,
        channel: str,
        bridge_id: str,
        external_id: str,
        attrs: dict[str, Any],
    ) -> RoomBinding:
        key: BindingKey = (channel, bridge_id, external_id)

        def work(cursor: Cursor) -> RoomBinding:
            binding = binding_for(cursor, room_id, key, attrs)
            put_binding(cursor, binding, key)
            return binding

        with self._db.entered():
            return self._db.transaction(work)

    def _list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        return [BINDINGS.to_model(row) for row in self._all(sql.LIST_BINDINGS, [room_id])]

    def _delete_room_binding(self, binding_id: str) -> None:
        def work(cursor: Cursor) -> None:
            row = cursor.execute(sql.BINDING_FOR_DELETE, [binding_id]).fetchone()
            if row is None:
                raise NotFound("room_binding", binding_id)
            cursor.execute(sql.DELETE_BINDING, [binding_id])
            cursor.execute(sql.DELETE_STALE_BINDING_KEY, [row[1], row[0]])

        with self._db.entered():
            self._db.transaction(work)
