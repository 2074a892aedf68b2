"""Options, the file on disk (mode 0600, WAL), and what ``close()`` leaves behind."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from jido_persistence import open_store
from jido_persistence.errors import ConfigurationError, StoreClosed
from jido_persistence.models import Message, MessageRole, Room, RoomType
from jido_persistence_sqlite._database import ATTEMPT_MS
from jido_persistence_sqlite.adapter import SQLiteAdapter


def _pragma(store: SQLiteAdapter, name: str) -> object:
    return store._db.connection().execute(f"PRAGMA {name}").fetchone()[0]


@pytest.mark.parametrize(
    "target",
    ["sqlite:///:memory:", "sqlite:///file::memory:"],
)
def test_an_in_memory_database_is_refused_with_a_clear_error(target: str) -> None:
    with pytest.raises(ConfigurationError, match=r"memory adapter"):
        open_store(target)
    with pytest.raises(ConfigurationError, match=r":memory:"):
        SQLiteAdapter(path=":memory:")


def test_unknown_and_invalid_options_name_the_valid_ones(store_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="busy_timeout, mmap_size, path, synchronous"):
        SQLiteAdapter(path=str(store_path), journal="wal")
    with pytest.raises(ConfigurationError, match="synchronous"):
        SQLiteAdapter(path=str(store_path), synchronous="off")
    with pytest.raises(ConfigurationError, match="busy_timeout"):
        SQLiteAdapter(path=str(store_path), busy_timeout=0)


def test_a_missing_directory_or_a_foreign_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no directory"):
        SQLiteAdapter(path=str(tmp_path / "absent" / "store.sqlite3"))
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database, " * 100)
    with pytest.raises(ConfigurationError, match="not a database"):
        SQLiteAdapter(path=str(foreign))
    assert foreign.read_text() == "not a database, " * 100


def test_defaults_wal_full_sync_and_busy_timeout(store: SQLiteAdapter) -> None:
    assert _pragma(store, "journal_mode") == "wal"
    assert _pragma(store, "synchronous") == 2  # FULL
    assert store._db.busy_timeout == 5.0
    assert _pragma(store, "mmap_size") == 256 * 2**20
    assert _pragma(store, "busy_timeout") == ATTEMPT_MS  # one attempt; the adapter retries


def test_options_from_the_url_relax_sync_and_set_the_timeout(store_path: Path) -> None:
    with open_store(f"sqlite:///{store_path}?synchronous=normal&busy_timeout=0.5") as store:
        assert isinstance(store, SQLiteAdapter)
        assert store.location == str(store_path)
        assert _pragma(store, "synchronous") == 1  # NORMAL
        assert store._db.busy_timeout == 0.5
    with open_store(f"sqlite:///{store_path}?mmap_size=0") as store:
        assert isinstance(store, SQLiteAdapter)
        assert _pragma(store, "mmap_size") == 0


def test_files_are_created_owner_only(store: SQLiteAdapter, store_path: Path) -> None:
    store.save_room(Room(id="room:1", type=RoomType.GROUP))
    for suffix in ("", "-wal", "-shm"):
        mode = stat.S_IMODE(Path(f"{store_path}{suffix}").stat().st_mode)
        assert mode == 0o600, f"{suffix or 'database'}: {oct(mode)}"


def test_each_thread_has_its_own_connection(store: SQLiteAdapter) -> None:
    import threading

    seen: list[sqlite3.Connection] = []
    thread = threading.Thread(target=lambda: seen.append(store._db.connection()))
    thread.start()
    thread.join()
    assert seen[0] is not store._db.connection()
    assert store._db.connection() is store._db.connection()


def test_close_checkpoints_the_wal_into_the_database_file(
    store: SQLiteAdapter, store_path: Path
) -> None:
    for index in range(50):
        store.save_message(
            Message(id=f"m{index}", room_id="r", sender_id="p", role=MessageRole.USER)
        )
    wal = Path(f"{store_path}-wal")
    assert wal.stat().st_size > 0
    store.close()
    assert not wal.exists() or wal.stat().st_size == 0
    # The main file alone holds everything: read it with the WAL gone.
    wal.unlink(missing_ok=True)
    with sqlite3.connect(store_path) as raw:
        assert raw.execute("SELECT count(*) FROM messages").fetchone()[0] == 50
    with pytest.raises(StoreClosed):
        store.get_message("m1")
    store.close()


def test_every_write_and_get_or_create_runs_in_begin_immediate(store: SQLiteAdapter) -> None:
    statements: list[str] = []
    store._db.connection().set_trace_callback(statements.append)
    store.save_room(Room(id="room:1", type=RoomType.GROUP))
    store.get_or_create_room_by_external_binding("slack", "b", "C1", {"type": "group"})
    store.get_or_create_participant_by_external_id("slack", "U1", {"type": "human"})
    store.delete_room("room:1")
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE"] * 4
    assert statements.count("COMMIT") == 4
    statements.clear()
    store.get_room_by_external_binding("slack", "b", "C1")
    store.get_or_create_room_by_external_binding("slack", "b", "C1", {"type": "group"})
    assert not [s for s in statements if s.startswith("BEGIN")], "a read took the write lock"


def test_bulk_save_is_one_transaction_of_one_executemany(store: SQLiteAdapter) -> None:
    statements: list[str] = []
    store._db.connection().set_trace_callback(statements.append)
    messages = [
        Message(id=f"m{i}", room_id="r", sender_id="p", role=MessageRole.USER) for i in range(20)
    ]
    assert store.bulk_save_messages(messages) == 20
    assert statements[0] == "BEGIN IMMEDIATE"
    assert statements[-1] == "COMMIT"
    inserts = [s for s in statements if s.startswith("INSERT OR REPLACE INTO messages")]
    assert len(inserts) == 20  # executemany traces each row of its one statement
    assert [m.id for m in store.get_messages("r", limit=100)] == [m.id for m in messages]
