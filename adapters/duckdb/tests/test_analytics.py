"""The analytics API: Parquet export, counts per room and day, busiest senders, query."""

from __future__ import annotations

import os
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from jido_persistence.errors import InvalidArgument, StoreClosed
from jido_persistence.models import BridgeConfig, Message, Room
from jido_persistence_duckdb import analytics
from jido_persistence_duckdb.adapter import DuckDBAdapter

DAY_ONE = datetime(2024, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)


def _message(room_id: str, sender_id: str, at: datetime | None) -> Message:
    return Message(room_id=room_id, sender_id=sender_id, role="user", inserted_at=at)


@pytest.fixture
def filled(store: DuckDBAdapter) -> DuckDBAdapter:
    """Two rooms, three senders, messages over two UTC days and one without a time."""
    store.save_room(Room(id="a", type="group", name="A"))
    store.save_room(Room(id="b", type="group", name="B"))
    next_day = DAY_ONE + timedelta(microseconds=1)
    for sender, at in [
        ("alice", DAY_ONE),
        ("alice", DAY_ONE),
        ("bob", next_day),
        ("alice", next_day),
    ]:
        store.save_message(_message("a", sender, at))
    store.save_message(_message("b", "carol", DAY_ONE))
    store.save_message(_message("b", "bob", None))
    return store


def test_export_parquet_writes_every_view(filled: DuckDBAdapter, tmp_path: Path) -> None:
    secret = BridgeConfig(adapter_module="x", credentials={"token": "s3cret"})
    filled.save_bridge_config(secret)
    written = analytics.export_parquet(filled, tmp_path / "out")
    assert set(written) == set(analytics.VIEWS)
    con = duckdb.connect()
    counts = {
        view: con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()
        for view, path in written.items()
    }
    assert counts["messages"] == (6,)
    assert counts["rooms"] == (2,)
    assert counts["bridge_configs"] == (1,)
    columns = con.execute(
        "SELECT name FROM parquet_schema(?)", [str(written["bridge_configs"])]
    ).fetchall()
    assert ("credentials",) not in columns
    assert b"s3cret" not in written["bridge_configs"].read_bytes()
    ids = con.execute(
        "SELECT id FROM read_parquet(?) ORDER BY id", [str(written["rooms"])]
    ).fetchall()
    assert ids == [("a",), ("b",)]


def test_message_counts_per_room_and_utc_day(filled: DuckDBAdapter) -> None:
    counts = analytics.message_counts_per_room_and_day(filled)
    assert counts == [
        ("a", date(2024, 3, 1), 2),
        ("a", date(2024, 3, 2), 2),
        ("b", date(2024, 3, 1), 1),
    ]
    assert analytics.message_counts_per_room_and_day(filled, room_id="b") == [
        ("b", date(2024, 3, 1), 1)
    ]
    later = analytics.message_counts_per_room_and_day(
        filled, since=DAY_ONE + timedelta(microseconds=1)
    )
    assert later == [("a", date(2024, 3, 2), 2)]
    earlier = analytics.message_counts_per_room_and_day(filled, until=DAY_ONE)
    assert earlier == []
    with pytest.raises(InvalidArgument):
        analytics.message_counts_per_room_and_day(filled, since=datetime(2024, 1, 1))


def test_counts_handle_days_before_the_epoch(store: DuckDBAdapter) -> None:
    store.save_message(_message("r", "s", datetime(1969, 12, 31, 23, 0, tzinfo=UTC)))
    store.save_message(_message("r", "s", datetime.min.replace(tzinfo=UTC)))
    assert analytics.message_counts_per_room_and_day(store) == [
        ("r", date(1, 1, 1), 1),
        ("r", date(1969, 12, 31), 1),
    ]


def test_busiest_senders(filled: DuckDBAdapter) -> None:
    assert analytics.busiest_senders(filled) == [("alice", 3), ("bob", 2), ("carol", 1)]
    assert analytics.busiest_senders(filled, limit=1) == [("alice", 3)]
    assert analytics.busiest_senders(filled, room_id="b") == [("bob", 1), ("carol", 1)]
    assert analytics.busiest_senders(filled, limit=0) == []
    with pytest.raises(InvalidArgument):
        analytics.busiest_senders(filled, limit=-1)


def test_query_reads_the_views(filled: DuckDBAdapter) -> None:
    result = analytics.query(
        filled,
        "WITH per_room AS (SELECT room_id, count(*) AS n FROM messages GROUP BY room_id) "
        "SELECT r.name, p.n FROM rooms r JOIN per_room p ON p.room_id = r.id "
        "WHERE p.n > ? ORDER BY r.name",
        [1],
    )
    assert result.columns == ["name", "n"]
    assert result.rows == [("A", 4), ("B", 2)]


def test_query_sees_writes_made_after_it_was_first_used(store: DuckDBAdapter) -> None:
    assert analytics.query(store, "SELECT count(*) FROM rooms").rows == [(0,)]
    store.save_room(Room(type="direct"))
    assert analytics.query(store, "SELECT count(*) FROM rooms").rows == [(1,)]


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO jp_rooms (id) VALUES ('x')",
        "UPDATE jp_rooms SET name = 'x'",
        "DELETE FROM jp_messages",
        "DROP TABLE jp_rooms",
        "DROP VIEW rooms",
        "CREATE TABLE evil (a INTEGER)",
        "COPY jp_rooms TO 'out.csv'",
        "ATTACH ':memory:' AS other",
        "SELECT 1; DELETE FROM jp_messages",
        "PRAGMA threads = 1",
        "SET threads = 1",
        "CHECKPOINT",
        "SELECT nextval('jp_save_seq')",
        "not sql at all",
    ],
)
def test_query_refuses_anything_but_one_select(filled: DuckDBAdapter, statement: str) -> None:
    before = analytics.query(filled, "SELECT count(*) FROM messages").rows
    with pytest.raises(InvalidArgument):
        analytics.query(filled, statement)
    assert analytics.query(filled, "SELECT count(*) FROM messages").rows == before
    assert [room.id for room in filled.list_rooms()] == ["a", "b"]


def test_analytics_on_a_closed_store_raise_store_closed(store: DuckDBAdapter) -> None:
    store.close()
    with pytest.raises(StoreClosed):
        analytics.query(store, "SELECT 1")
    with pytest.raises(StoreClosed):
        analytics.busiest_senders(store)


# --- issue 13, finding 2: analytics reads the documented views and nothing else ----


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM jp_bridge_configs",
        "SELECT credentials FROM main.jp_bridge_configs",
        'SELECT * FROM "JP_BRIDGE_CONFIGS"',
        "SELECT * FROM rooms WHERE id IN (SELECT id FROM jp_bridge_configs)",
        "WITH jp_bridge_configs AS (SELECT * FROM jp_bridge_configs) "
        "SELECT * FROM jp_bridge_configs",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM '/etc/passwd'",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM query('SELECT * FROM jp_bridge_configs')",
        "SELECT getenv('HOME')",
        "SELECT current_setting('threads')",
        "SELECT * FROM duckdb_settings()",
        "SELECT * FROM information_schema.tables",
        "SELECT * FROM pg_catalog.pg_tables",
        "SELECT * FROM memory.main.rooms",
    ],
)
def test_query_reads_only_the_documented_views(filled: DuckDBAdapter, statement: str) -> None:
    filled.save_bridge_config(
        BridgeConfig(id="bc", adapter_module="m", credentials={"token": "xoxb-secret-token"})
    )
    with pytest.raises(InvalidArgument):
        analytics.query(filled, statement)
    rows = analytics.query(filled, "SELECT * FROM bridge_configs").rows
    assert "xoxb-secret-token" not in repr(rows)


def test_new_files_are_private_even_under_a_permissive_umask(tmp_path: Path) -> None:
    """The database file and its write-ahead log hold credentials: 0600, not 0644."""
    old = os.umask(0o022)
    try:
        path = tmp_path / "chat.duckdb"
        with DuckDBAdapter(path=str(path)) as store:
            store.save_bridge_config(
                BridgeConfig(id="bc", adapter_module="m", credentials={"token": "secret"})
            )
            wal = tmp_path / "chat.duckdb.wal"
            assert wal.exists()
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert stat.S_IMODE(wal.stat().st_mode) == 0o600
            store._db.connection.execute("CHECKPOINT")  # DuckDB deletes the WAL here
            store.save_room(Room(id="r", type="group"))
            assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    finally:
        os.umask(old)
