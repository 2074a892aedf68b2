"""Binding records and keys, the directory query, and the raw index reader.

Plain functions over a cursor (no callbacks live here, so the adapter base class
still wraps every callback of :class:`~jido_persistence_duckdb.adapter.DuckDBAdapter`).
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from jido_persistence.adapter import RawIndex
from jido_persistence.directory import directory_key
from jido_persistence.models import DirectoryTarget, RoomBinding
from jido_persistence.validation import DirectoryQuery, room_binding_record
from jido_persistence_duckdb import _statements as sql
from jido_persistence_duckdb._statements import lookup_key
from jido_persistence_duckdb._tables import BINDINGS
from jido_persistence_duckdb._writes import put_record, put_row

__all__ = ["BindingKey", "binding_for", "directory_statement", "put_binding", "read_raw_index"]

BindingKey = tuple[str, str, str]
"""A normalised room binding key: ``(channel, bridge_id, external_id)``."""

Cursor = duckdb.DuckDBPyConnection


def binding_for(
    cursor: Cursor, room_id: str, key: BindingKey, attrs: dict[str, Any]
) -> RoomBinding:
    """The record ``create_room_binding`` would store, validated; writes nothing.

    The rules are core's :func:`~jido_persistence.validation.room_binding_record`.
    """
    row = cursor.execute(sql.BINDING_BY_ROOM_KEY, [lookup_key(room_id, *key)]).fetchone()
    existing = None if row is None else BINDINGS.to_model(row)

    def id_taken(binding_id: str) -> bool:
        return cursor.execute(sql.BINDING_EXISTS, [binding_id]).fetchone() is not None

    return room_binding_record(room_id, key, attrs, existing, id_taken)


def put_binding(cursor: Cursor, binding: RoomBinding, key: BindingKey) -> None:
    """Save the binding record and point the key at its room (two writes, see :mod:`._writes`)."""
    binding_key = lookup_key(*key)
    params = [*BINDINGS.params(binding), binding_key, lookup_key(binding.room_id, *key)]
    put_record(cursor, BINDINGS, binding.id, params)
    statements = (sql.INSERT_BINDING_KEY, sql.PUT_BINDING_KEY)
    key_params = [binding_key, *key, binding.room_id]
    put_row(cursor, sql.BINDING_KEY_EXISTS, binding_key, statements, key_params)


def directory_statement(
    target: DirectoryTarget, parsed: DirectoryQuery, limit: int | None
) -> tuple[str, list[Any]] | None:
    """The SELECT of a directory search, or ``None`` when nothing can match.

    The name filter is a literal substring test on the fold computed in Python
    (``contains``, not LIKE/ILIKE, so ``%``, ``_`` and ``\\`` are ordinary characters).
    """
    conditions: list[str] = ["TRUE"]
    params: list[Any] = []
    if parsed.id is not None:
        conditions.append("id = ?")
        params.append(parsed.id)
    if parsed.name_fold is not None:
        conditions.append("contains(name_fold, ?)")
        params.append(parsed.name_fold)
    key = directory_key(target, parsed)
    if key is None:
        return None
    if target == DirectoryTarget.PARTICIPANT:
        if key:
            conditions.append("list_contains(external_id_pairs, ?)")
            params.append(lookup_key(*key))
        statement = sql.DIRECTORY_PARTICIPANTS
    else:
        if key:
            conditions.append(f"id = {sql.ROOM_OF_BINDING_KEY}")
            params.append(lookup_key(*key))
        statement = sql.DIRECTORY_ROOMS
    if limit == 0:
        return None
    text = statement + " AND ".join(conditions) + " ORDER BY id"
    if limit is not None:
        text += " LIMIT ?"
        params.append(limit)
    return text, params


def read_raw_index(cursor: Cursor) -> RawIndex:
    """Every key with the id it resolves to, and the row counts, read from the tables.

    Runs in one read transaction, so all parts come from one snapshot.
    """

    def keyed(statement: str) -> dict[Any, str]:
        return {
            tuple(json.loads(key)): holder for key, holder in cursor.execute(statement).fetchall()
        }

    cursor.execute("BEGIN TRANSACTION")
    try:
        counts = cursor.execute(sql.RAW_ROW_COUNTS).fetchone() or ()
        binding_keys = cursor.execute(sql.RAW_BINDING_KEYS).fetchall()
        participant_keys = cursor.execute(sql.RAW_PARTICIPANT_KEYS).fetchall()
        return RawIndex(
            room_binding_keys={
                (channel, bridge, external): room
                for channel, bridge, external, room in binding_keys
            },
            participant_keys={
                (channel, external): participant
                for channel, external, participant in participant_keys
            },
            message_keys=keyed(sql.RAW_MESSAGE_KEYS),
            thread_external_keys=keyed(sql.RAW_THREAD_EXTERNAL_KEYS),
            thread_root_keys=keyed(sql.RAW_THREAD_ROOT_KEYS),
            row_counts=dict(zip(sql.ROW_COUNT_TABLES, counts, strict=True)),
        )
    finally:
        cursor.execute("ROLLBACK")
