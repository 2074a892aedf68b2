"""Opening damaged and foreign files (issue 13, finding 5).

A DuckDB file whose pages are damaged raised a raw ``_duckdb.IOException``, a foreign
DuckDB file with a ``jp_rooms`` table a raw ``CatalogException`` (and the failed open
added a ``schema_version`` table to it), and a corrupted file was a
ConfigurationError.  Now: StorageError for damaged data, ConfigurationError for a
foreign file, each naming the file, and the file left exactly as it was.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from jido_persistence.errors import ConfigurationError, StorageError
from jido_persistence.models import Room, RoomType
from jido_persistence_duckdb.adapter import DuckDBAdapter


def _digest(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
    }


@pytest.mark.parametrize(
    "tables",
    [
        ["CREATE TABLE jp_rooms (x INTEGER)"],
        ["CREATE TABLE notes (x INTEGER)", "CREATE VIEW v AS SELECT 1"],
    ],
)
def test_a_foreign_duckdb_file_is_refused_and_left_unchanged(
    tmp_path: Path, tables: list[str]
) -> None:
    path = tmp_path / "foreign.duckdb"
    with duckdb.connect(str(path)) as con:
        for statement in tables:
            con.execute(statement)
    before = _digest(tmp_path)
    with pytest.raises(ConfigurationError, match=r"foreign\.duckdb.*not a jido-persistence store"):
        DuckDBAdapter(path=str(path))
    assert _digest(tmp_path) == before
    with duckdb.connect(str(path)) as con:
        names = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "schema_version" not in names


def _store(path: Path) -> None:
    with DuckDBAdapter(path=str(path)) as store:
        for index in range(300):
            store.save_room(Room(id=f"room:{index}", type=RoomType.GROUP, name="x" * 200))


def test_a_file_with_a_damaged_header_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "chat.duckdb"
    _store(path)
    data = bytearray(path.read_bytes())
    data[16:80] = bytes(64)  # after the magic bytes: the main header
    path.write_bytes(bytes(data))
    before = _digest(tmp_path)
    with pytest.raises(StorageError, match=r"chat\.duckdb"):
        DuckDBAdapter(path=str(path))
    assert _digest(tmp_path) == before


@pytest.mark.parametrize("content", [b"", b"not a database\n" * 100])
def test_a_file_that_is_not_duckdb_is_a_configuration_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_bytes(content)
    with pytest.raises(ConfigurationError, match=r"notes\.duckdb"):
        DuckDBAdapter(path=str(path))
    assert _digest(tmp_path) == {"notes.duckdb": hashlib.sha256(content).hexdigest()}


def test_any_damage_raises_a_contract_error_never_a_raw_one(tmp_path: Path) -> None:
    """Cut and overwritten at several offsets: every open fails typed or succeeds."""
    original = tmp_path / "original.duckdb"
    _store(original)
    data = original.read_bytes()
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
        cut = int(len(data) * fraction)
        for damaged in (data[:cut], data[:cut] + bytes(4096) + data[cut + 4096 :]):
            path = tmp_path / "damaged.duckdb"
            path.write_bytes(damaged)
            problem = ""
            try:
                with DuckDBAdapter(path=str(path)) as store:
                    store.list_rooms(limit=1000)
            except (StorageError, ConfigurationError) as error:
                problem = str(error)
            assert not problem or "damaged.duckdb" in problem
            for leftover in tmp_path.glob("damaged.duckdb*"):
                leftover.unlink()


def test_a_stored_row_its_model_rejects_is_a_storage_error(tmp_path: Path) -> None:
    """Issue 13, finding 1 and contract 9.0: a row the model rejects (written behind the
    store's back) made list_rooms raise a raw pydantic ValidationError."""
    with DuckDBAdapter(path=str(tmp_path / "chat.duckdb")) as store:
        store.save_room(Room(id="r", type=RoomType.GROUP))
        store._db.connection.execute("UPDATE jp_rooms SET type = 'bogus'")
        for call in (store.list_rooms, lambda: store.get_room("r")):
            with pytest.raises(StorageError, match="failed"):
                call()
