"""Migrations at open: from an empty file, reopening, newer versions, Unicode folds."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from jido_persistence import open_store
from jido_persistence.errors import ConfigurationError
from jido_persistence.models import Message, Participant, Room
from jido_persistence_duckdb._schema import SCHEMA_VERSION, VIEWS
from jido_persistence_duckdb.adapter import DuckDBAdapter


def _tables(path: Path) -> set[str]:
    with duckdb.connect(str(path)) as con:
        return {
            row[0]
            for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }


def test_open_migrates_an_empty_file(store_path: Path) -> None:
    DuckDBAdapter(path=str(store_path)).close()
    names = _tables(store_path)
    assert {"schema_version", "jp_messages", "jp_rooms", "jp_binding_keys"} <= names
    assert set(VIEWS) <= names
    with duckdb.connect(str(store_path)) as con:
        versions = con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
    assert versions == [(version,) for version in range(1, SCHEMA_VERSION + 1)]


def test_reopen_keeps_data_and_applies_nothing_twice(store_path: Path) -> None:
    room = Room(type="group", name="kept")
    with DuckDBAdapter(path=str(store_path)) as first:
        first.save_room(room)
    with DuckDBAdapter(path=str(store_path)) as second:
        assert second.get_room(room.id) == room
    with duckdb.connect(str(store_path)) as con:
        assert con.execute("SELECT count(*) FROM schema_version").fetchone() == (SCHEMA_VERSION,)


def test_url_forms_open_the_same_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    room = Room(type="direct")
    with open_store("duckdb:///chat.duckdb") as relative:
        relative.save_room(room)
    with open_store(f"duckdb:///{tmp_path / 'chat.duckdb'}") as absolute:
        assert absolute.get_room(room.id) == room
    with open_store("duckdb:///:memory:") as memory:
        assert memory.list_rooms() == []


def test_a_newer_schema_version_is_refused(store_path: Path) -> None:
    DuckDBAdapter(path=str(store_path)).close()
    with duckdb.connect(str(store_path)) as con:
        con.execute("INSERT INTO schema_version VALUES (?)", [SCHEMA_VERSION + 1])
    with pytest.raises(ConfigurationError, match=r"schema version \d+, newer"):
        DuckDBAdapter(path=str(store_path))
    # The refused open released the file: it can be opened again by DuckDB.
    duckdb.connect(str(store_path)).close()


def test_unknown_option_names_the_valid_ones() -> None:
    with pytest.raises(
        ConfigurationError, match="valid options: busy_timeout, memory_limit, path, threads"
    ):
        DuckDBAdapter(path=":memory:", colour="blue")


def test_folds_are_recomputed_when_the_unicode_version_changes(store_path: Path) -> None:
    with DuckDBAdapter(path=str(store_path)) as store:
        store.save_room(Room(id="r", type="group", name="Straße"))
        store.save_participant(Participant(id="p", type="human", identity={"name": "ÆON"}))
    with duckdb.connect(str(store_path)) as con:
        con.execute("UPDATE jp_rooms SET name_fold = 'stale'")
        con.execute("UPDATE jp_participants SET name_fold = 'stale'")
        con.execute("UPDATE jp_meta SET value = '1.0.0' WHERE key = 'unidata_version'")
    with DuckDBAdapter(path=str(store_path)) as store:
        assert [room.id for room in store.directory_search("room", {"name": "STRASSE"})] == ["r"]
        assert [p.id for p in store.directory_search("participant", {"name": "æon"})] == ["p"]
        assert store.directory_search("room", {"name": "stale"}) == []


def test_fresh_store_url_and_destroy_store(tmp_path: Path) -> None:
    url = DuckDBAdapter.fresh_store_url(tmp_path, "kit-1")
    assert url == f"duckdb:///{tmp_path.resolve()}/kit-1.duckdb"
    with open_store(url) as store:
        assert store.list_rooms() == []
    file = tmp_path / "kit-1.duckdb"
    assert file.exists()
    DuckDBAdapter.destroy_store(url)
    assert not file.exists()
    assert not (tmp_path / "kit-1.duckdb.wal").exists()


def test_a_version_1_store_gains_the_retention_indexes(store_path: Path) -> None:
    """A store written before retention (schema 1) is migrated at open and can erase."""
    from datetime import UTC, datetime

    message = Message(
        id="m", room_id="r", sender_id="p", role="user", inserted_at=datetime.now(UTC)
    )
    _old_store(store_path, 1, [message])
    with DuckDBAdapter(path=str(store_path)) as store:
        assert store.erase_participant("p").messages == 1
    with duckdb.connect(str(store_path)) as con:
        indexes = {
            row[0] for row in con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()
        }
        versions = con.execute("SELECT max(version) FROM schema_version").fetchone()
    assert {"jp_messages_sender", "jp_participant_keys_owner"} <= indexes
    assert versions == (SCHEMA_VERSION,)


def _old_store(path: Path, version: int, messages: list[Message]) -> None:
    """Write the store an older release (schema ``version`` < 3) wrote: its migrations
    only, and ``messages`` saved as it saved them (the typed columns, no ``body``)."""
    from jido_persistence.validation import message_external_key
    from jido_persistence_duckdb._rows import to_epoch_us
    from jido_persistence_duckdb._schema import MIGRATIONS
    from jido_persistence_duckdb._statements import lookup_key
    from jido_persistence_duckdb._tables import MESSAGES

    names = [name for name, _ in MESSAGES.columns]
    insert = (
        f"INSERT INTO jp_messages ({', '.join(names)}, sort_us, external_key, save_seq) "
        f"VALUES ({', '.join('?' for _ in names)}, ?, ?, nextval('jp_save_seq'))"
    )
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
        for number, steps in enumerate(MIGRATIONS[:version], start=1):
            for step in steps:
                assert isinstance(step, str)
                con.execute(step)
            con.execute("INSERT INTO schema_version VALUES (?)", [number])
        for message in messages:
            key = message_external_key(message)
            inserted = message.inserted_at
            con.execute(
                insert,
                [
                    *MESSAGES.params(message)[: len(names)],
                    -(2**63) if inserted is None else to_epoch_us(inserted),
                    None if key is None else lookup_key(*key),
                ],
            )


def test_a_version_2_store_gains_the_message_bodies(store_path: Path) -> None:
    """Version 3 adds ``body`` and fills it from the typed columns: every message reads
    back equal, by id, by external id and in pages, and later writes keep it."""
    from datetime import UTC, datetime, timedelta

    start = datetime(2025, 1, 1, tzinfo=UTC)
    saved = [
        Message(
            id=f"m{index}",
            room_id="r",
            sender_id="p",
            role="user",
            content=[{"type": "text", "text": f"héllo {index}"}],
            external_id=f"E{index}",
            metadata={"channel": "slack", "bridge_id": "b", "score": 1e16, "n": index},
            inserted_at=None if index == 0 else start + timedelta(seconds=index),
        )
        for index in range(5)
    ]
    _old_store(store_path, 2, saved)
    with DuckDBAdapter(path=str(store_path)) as store:
        assert [store.get_message(message.id) for message in saved] == saved
        assert store.get_message_by_external_id("slack", "b", "E3") == saved[3]
        assert store.get_messages("r", limit=10) == saved
        later = store.update_message_external_id("m1", "E9")
        assert store.get_message("m1") == later
    with duckdb.connect(str(store_path)) as con:
        missing = con.execute("SELECT count(*) FROM jp_messages WHERE body IS NULL").fetchone()
        versions = con.execute("SELECT max(version) FROM schema_version").fetchone()
    assert missing == (0,)
    assert versions == (SCHEMA_VERSION,)


def test_the_upgrade_runs_once_and_a_newer_store_is_refused(store_path: Path) -> None:
    """The upgrade runs once (reopening applies nothing again); a newer store is refused."""
    _old_store(store_path, 2, [])
    DuckDBAdapter(path=str(store_path)).close()
    DuckDBAdapter(path=str(store_path)).close()
    with duckdb.connect(str(store_path)) as con:
        assert con.execute("SELECT count(*) FROM schema_version").fetchone() == (SCHEMA_VERSION,)
        con.execute("INSERT INTO schema_version VALUES (?)", [SCHEMA_VERSION + 1])
    with pytest.raises(ConfigurationError, match=r"schema version \d+, newer"):
        DuckDBAdapter(path=str(store_path))


def test_redaction_rewrites_the_bodies_it_changes(store_path: Path) -> None:
    """erase_participant(messages="redact") changes typed columns in SQL; the body the
    callbacks read says the same as the ``messages`` view afterwards."""
    kept = Message(id="k", room_id="r", sender_id="other", role="user", content=[])
    with DuckDBAdapter(path=str(store_path)) as store:
        store.save_message(
            Message(
                id="m",
                room_id="r",
                sender_id="p",
                role="user",
                content=[{"type": "text", "text": "secret"}],
                metadata={"note": "secret"},
            )
        )
        store.save_message(kept)
        assert store.erase_participant("p", messages="redact").messages == 1
        redacted = store.get_message("m")
        assert "secret" not in redacted.model_dump_json()
        assert store.get_message("k") == kept
        with store.reading() as cursor:
            row = cursor.execute("SELECT content, metadata FROM messages WHERE id = 'm'").fetchone()
    assert row is not None
    assert [json.loads(row[0]), json.loads(row[1])] == [
        [part.model_dump(mode="json") for part in redacted.content],
        redacted.metadata,
    ]
