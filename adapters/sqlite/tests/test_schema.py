"""Versioned migrations: a fresh file gets the current version, a newer one is refused,
and stale Unicode folds are recomputed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from jido_persistence.errors import ConfigurationError
from jido_persistence.models import Participant, ParticipantType, Room, RoomType
from jido_persistence_sqlite._schema import SCHEMA_VERSION
from jido_persistence_sqlite.adapter import SQLiteAdapter


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_a_fresh_store_records_the_current_version_once(store_path: Path) -> None:
    SQLiteAdapter(path=str(store_path)).close()
    with _raw(store_path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
    assert {"rooms", "messages", "binding_keys", "meta"} <= tables
    again = SQLiteAdapter(path=str(store_path))  # reopening migrates nothing
    again.save_room(Room(id="room:1", type=RoomType.GROUP))
    again.close()


def test_a_version_1_store_is_migrated_forward_keeping_its_data(store_path: Path) -> None:
    from jido_persistence_sqlite._schema import MIGRATIONS

    with _raw(store_path) as raw:
        for statement in MIGRATIONS[0]:
            raw.execute(statement)
        raw.execute("PRAGMA user_version = 1")
        raw.execute(
            "INSERT INTO rooms VALUES ('room:old', 0, NULL, ?)",
            (Room(id="room:old", type=RoomType.GROUP).model_dump_json(),),
        )
    with SQLiteAdapter(path=str(store_path)) as store:
        assert store.get_room("room:old").id == "room:old"
    with _raw(store_path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        indexes = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
        assert {"messages_sender", "participant_keys_owner"} <= indexes
        plan = raw.execute(
            "EXPLAIN QUERY PLAN SELECT doc FROM messages"
            " WHERE json_extract(doc, '$.sender_id') = 'p'"
        ).fetchall()
        assert "messages_sender" in str(plan)


def test_a_store_written_by_a_newer_version_is_refused_untouched(store_path: Path) -> None:
    with SQLiteAdapter(path=str(store_path)) as store:
        store.save_room(Room(id="room:kept", type=RoomType.GROUP))
    with _raw(store_path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(ConfigurationError, match=rf"schema version {SCHEMA_VERSION + 1}.*upgrade"):
        SQLiteAdapter(path=str(store_path))
    with _raw(store_path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert raw.execute("SELECT id FROM rooms").fetchall() == [("room:kept",)]


def test_folds_are_recomputed_when_the_unicode_version_changes(store_path: Path) -> None:
    with SQLiteAdapter(path=str(store_path)) as store:
        store.save_room(Room(id="room:1", type=RoomType.GROUP, name="Straße"))
        store.save_participant(
            Participant(id="p:1", type=ParticipantType.HUMAN, identity={"name": "ÅSA"})
        )
    with _raw(store_path) as raw:
        raw.execute("UPDATE rooms SET name_fold = 'stale'")
        raw.execute("UPDATE participants SET name_fold = 'stale'")
        raw.execute("UPDATE meta SET value = '1.0.0' WHERE key = 'unidata_version'")
    with SQLiteAdapter(path=str(store_path)) as store:
        assert [r.id for r in store.directory_search("room", {"name": "STRASSE"})] == ["room:1"]
        assert [p.id for p in store.directory_search("participant", {"name": "åsa"})] == ["p:1"]
