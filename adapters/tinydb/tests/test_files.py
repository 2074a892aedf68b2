"""The on-disk format: torn records, corruption, compaction, modes, configuration."""

from __future__ import annotations

import itertools
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from tinydb import Query, TinyDB

from jido_persistence import open_store
from jido_persistence.errors import ConfigurationError, StorageError
from jido_persistence.models import Room, Thread
from jido_persistence_tinydb import SnapshotStorage, TinyDBAdapter
from jido_persistence_tinydb._files import journal_path, lock_path

NO_COMPACTION = {"compact_on_close": False, "compact_min_bytes": 10**9}


def _fill(path: Path, helpers: Any, count: int, **options: Any) -> None:
    with helpers.open(path, **options) as store:
        for number in range(count):
            store.save_message(helpers.message(number))


def _journal_lines(path: Path) -> list[bytes]:
    return journal_path(path).read_bytes().splitlines(keepends=True)


@pytest.mark.parametrize("cut", [1, 10, -2, -1])
def test_a_torn_last_record_is_dropped_and_later_writes_work(
    store_path: Path, helpers: Any, cut: int
) -> None:
    """Truncating the journal inside its last record loses only that record."""
    _fill(store_path, helpers, 3, **NO_COMPACTION)
    journal = journal_path(store_path)
    lines = _journal_lines(store_path)
    torn = b"".join(lines[:-1]) + lines[-1][:cut]
    journal.write_bytes(torn)
    with helpers.open(store_path, **NO_COMPACTION) as store:
        assert [m.id for m in store.get_messages("room:1")] == ["m0", "m1"]
        assert journal.read_bytes() == torn  # opening alone writes nothing
        store.save_message(helpers.message(7))
    with helpers.open(store_path) as store:
        assert [m.id for m in store.get_messages("room:1")] == ["m0", "m1", "m7"]


def test_a_last_record_with_a_block_never_written_is_dropped(
    store_path: Path, helpers: Any
) -> None:
    """A last line whose middle reads as zeros (a block of the write never reached the
    disk, the newline did) is torn: dropped, as a missing newline is."""
    _fill(store_path, helpers, 2, **NO_COMPACTION)
    journal = journal_path(store_path)
    data = journal.read_bytes()
    journal.write_bytes(data[:-40] + bytes(20) + data[-20:])
    with helpers.open(store_path) as store:
        assert [m.id for m in store.get_messages("room:1")] == ["m0"]


@pytest.mark.parametrize("position", [-20, -60])
def test_a_flipped_bit_in_the_last_complete_record_is_refused(
    store_path: Path, helpers: Any, position: int
) -> None:
    """Issue 13, finding 5: one flipped bit in the last complete record dropped an
    acknowledged write without a word; now it is StorageError naming the offset."""
    _fill(store_path, helpers, 2, **NO_COMPACTION)
    journal = journal_path(store_path)
    data = bytearray(journal.read_bytes())
    offset = len(_journal_lines(store_path)[0])
    data[position] ^= 0x01
    journal.write_bytes(bytes(data))
    before = journal.read_bytes()
    with pytest.raises(StorageError, match=rf"store\.json\.journal: .* at byte {offset}"):
        helpers.open(store_path)
    assert journal.read_bytes() == before


def test_an_empty_snapshot_is_refused(store_path: Path, helpers: Any) -> None:
    """Issue 13, finding 5: a zero-length snapshot of a compacted store opened as an
    empty store, its records gone; now it is StorageError naming the file."""
    _fill(store_path, helpers, 3)  # close() compacts: the records are in the snapshot
    store_path.write_bytes(b"")
    with pytest.raises(StorageError, match=r"store\.json: the snapshot is empty"):
        helpers.open(store_path)
    assert store_path.read_bytes() == b""


def test_a_planted_temporary_symlink_is_not_followed(store_path: Path, helpers: Any) -> None:
    """Issue 13, finding 5: a ``*.json.tmp`` symlink was followed at compaction and its
    target overwritten; now the link is replaced and the target stays as it was."""
    _fill(store_path, helpers, 2)
    target = store_path.with_name("precious.txt")
    target.write_text("keep me")
    store_path.with_name(store_path.name + ".tmp").symlink_to(target)
    _fill(store_path, helpers, 3)  # close() compacts through the temporary file
    with helpers.open(store_path) as store:
        assert [m.id for m in store.get_messages("room:1")] == ["m0", "m1", "m2"]
    assert target.read_text() == "keep me"
    assert not store_path.with_name(store_path.name + ".tmp").exists()


@pytest.mark.parametrize("damage", ["garbage", "checksum", "gap"])
def test_corruption_inside_the_journal_is_refused_and_left_untouched(
    store_path: Path, helpers: Any, damage: str
) -> None:
    """Damage before the last record raises StorageError naming file and byte."""
    _fill(store_path, helpers, 4, **NO_COMPACTION)
    journal = journal_path(store_path)
    lines = _journal_lines(store_path)
    offset = len(lines[0])
    if damage == "garbage":
        lines[1] = b"\x00garbage\n"
    elif damage == "checksum":
        lines[1] = lines[1].replace(b"message 1", b"message 9")
    else:
        del lines[1]
    journal.write_bytes(b"".join(lines))
    before = (store_path.read_bytes(), journal.read_bytes())
    with pytest.raises(StorageError) as error:
        helpers.open(store_path)
    assert str(journal) in str(error.value)
    assert f"byte {offset}" in str(error.value)
    assert (store_path.read_bytes(), journal.read_bytes()) == before
    with pytest.raises(StorageError):  # and again: nothing was reset
        helpers.open(store_path)


def test_a_corrupt_snapshot_is_refused_and_left_untouched(store_path: Path, helpers: Any) -> None:
    """Garbage in the snapshot: StorageError with the byte position; no file changes."""
    _fill(store_path, helpers, 3)
    data = bytearray(store_path.read_bytes())
    position = data.index(b'"m1"')
    data[position : position + 4] = b"#@!?"
    store_path.write_bytes(bytes(data))
    journal_before = journal_path(store_path).read_bytes()
    with pytest.raises(StorageError) as error:
        helpers.open(store_path)
    assert str(store_path) in str(error.value)
    assert f"byte {position}" in str(error.value)
    assert store_path.read_bytes() == bytes(data)
    assert journal_path(store_path).read_bytes() == journal_before


@pytest.mark.parametrize(
    "content",
    [b'{"_default": {"1": {"a": 1}}}', b"[1, 2]", b'{"rooms": {"1": {"id": "r"}}}'],
)
def test_a_file_that_is_not_a_store_is_refused(
    store_path: Path, helpers: Any, content: bytes
) -> None:
    """Another TinyDB database or JSON document is not taken for a store."""
    store_path.write_bytes(content)
    with pytest.raises(StorageError, match=str(store_path)):
        helpers.open(store_path)
    assert store_path.read_bytes() == content


def test_an_empty_file_is_an_empty_store(store_path: Path, helpers: Any) -> None:
    """As in TinyDB, an empty file is an empty database."""
    store_path.write_bytes(b"")
    with helpers.open(store_path) as store:
        assert store.list_rooms() == []


def test_compaction_folds_the_journal_into_the_snapshot(store_path: Path, helpers: Any) -> None:
    """Past the threshold the journal is emptied; reopening gives the same data."""
    with helpers.open(
        store_path,
        compact_min_bytes=5000,
        compact_ratio=0.001,
        compact_on_close=False,
        background_compaction=False,
    ) as store:
        sizes = []
        for number in range(60):
            store.save_message(helpers.message(number))
            sizes.append(journal_path(store_path).stat().st_size)
        expected = store.get_messages("room:1", limit=100)
        raw = store.raw_index()
    assert any(after < before for before, after in itertools.pairwise(sizes))
    assert max(sizes) <= 5000 + 1000
    with helpers.open(store_path) as store:
        assert store.get_messages("room:1", limit=100) == expected
        assert store.raw_index() == raw


def test_background_compaction_keeps_writes_made_meanwhile(store_path: Path, helpers: Any) -> None:
    """Writes racing a background compaction stay in the journal tail, none is lost."""
    with helpers.open(store_path, compact_min_bytes=3000, compact_on_close=False) as store:
        for number in range(40):
            store.save_message(helpers.message(number))
        store._files.wait()
        for number in range(40, 45):
            store.save_message(helpers.message(number))
        store._files.wait()
        expected = store.get_messages("room:1", limit=100)
        assert len(expected) == 45
        assert stat.S_IMODE(journal_path(store_path).stat().st_mode) == 0o600
        snapshot = json.loads(store_path.read_text())
        folded = snapshot["_jido_persistence"]["1"]["journal_sequence"]
        journal = [json.loads(line) for line in _journal_lines(store_path)]
        assert folded > 0
        assert [record["seq"] for record in journal] == list(range(folded + 1, 46))
        assert len(snapshot["messages"]) == folded
    with helpers.open(store_path) as store:
        assert store.get_messages("room:1", limit=100) == expected


def test_close_compacts_and_stock_tinydb_reads_the_snapshot(store_path: Path, helpers: Any) -> None:
    """After close the journal is empty and TinyDB itself can search the snapshot."""
    with helpers.open(store_path) as store:
        store.save_room(Room(id="room:1", type="group", name="Lobby"))
        store.save_message(helpers.message(1))
    assert journal_path(store_path).stat().st_size == 0
    database = TinyDB(store_path, storage=SnapshotStorage)
    assert database.table("rooms").search(Query().name == "Lobby")[0]["id"] == "room:1"
    with TinyDB(store_path, access_mode="r") as stock:
        assert stock.table("messages").get(Query().id == "m1")["room_id"] == "room:1"


def test_a_crash_between_rename_and_truncate_replays_nothing_twice(
    store_path: Path, helpers: Any
) -> None:
    """Restore the pre-compaction journal beside the new snapshot: records are skipped."""
    with helpers.open(store_path, **NO_COMPACTION) as store:
        store.save_thread(Thread(id="t1", room_id="room:1", external_thread_id="x"))
        store.save_thread(Thread(id="t2", room_id="room:1", external_thread_id="x"))
        for number in range(5):
            store.save_message(helpers.message(number))
        store.delete_message("m2")
    old_journal = journal_path(store_path).read_bytes()
    with helpers.open(store_path) as store:
        expected = store.get_messages("room:1")
        raw = store.raw_index()
    assert journal_path(store_path).stat().st_size == 0
    journal_path(store_path).write_bytes(old_journal)  # the truncate never happened
    with helpers.open(store_path, compact_on_close=False) as store:
        assert store.get_messages("room:1") == expected
        assert store.get_thread_by_external_id("room:1", "x").id == "t2"
        assert store.raw_index() == raw
        store.save_message(helpers.message(9))
    with helpers.open(store_path) as store:
        assert [m.id for m in store.get_messages("room:1")] == ["m0", "m1", "m3", "m4", "m9"]


def test_new_files_are_private(store_path: Path, helpers: Any) -> None:
    """Snapshot, journal and lock are created with mode 0600."""
    with helpers.open(store_path, compact_on_close=False) as store:
        store.save_message(helpers.message(1))
        for file in (store_path, journal_path(store_path), lock_path(store_path)):
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    with helpers.open(store_path) as store:  # compaction writes a new snapshot
        store.save_message(helpers.message(2))
    assert stat.S_IMODE(store_path.stat().st_mode) == 0o600


def test_a_missing_directory_is_a_configuration_error(tmp_path: Path) -> None:
    """The error names the missing directory; nothing is created."""
    missing = tmp_path / "nope" / "deeper"
    with pytest.raises(ConfigurationError, match=str(missing)):
        TinyDBAdapter(path=missing / "store.json")
    assert not (tmp_path / "nope").exists()


def test_options_are_validated(store_path: Path) -> None:
    """Unknown options and bad values are ConfigurationErrors naming the valid ones."""
    with pytest.raises(ConfigurationError, match="durability"):
        TinyDBAdapter(path=store_path, durability="sometimes")
    with pytest.raises(ConfigurationError, match="compact_ratio"):
        TinyDBAdapter(path=store_path, colour="blue")


def test_urls_select_the_path_and_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative (three slashes) and absolute (four) paths; query parameters as options."""
    monkeypatch.chdir(tmp_path)
    with open_store("tinydb:///relative.json?durability=flush") as store:
        assert isinstance(store, TinyDBAdapter)
        assert store.path == tmp_path / "relative.json"
        assert store.options.durability == "flush"
    url = TinyDBAdapter.fresh_store_url(tmp_path, "u1")
    assert url == f"tinydb:///{tmp_path}/store-u1.json"
    with open_store(url) as store:
        assert store.path == tmp_path / "store-u1.json"
    TinyDBAdapter.destroy_store(url)
    assert not list(tmp_path.glob("store-u1*"))


def test_the_embedded_default_is_tinydb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """open_store() with no argument opens jido_persistence.json in the working directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JIDO_PERSISTENCE_URL", raising=False)
    with open_store() as store:
        assert isinstance(store, TinyDBAdapter)
        store.save_room(Room(id="r", type="direct"))
    assert json.loads((tmp_path / "jido_persistence.json").read_text())["rooms"]["1"]["id"] == "r"


def test_a_failed_append_changes_nothing_and_is_cut_off(
    store_path: Path, helpers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails half-way (a full disk) raises StorageError and stores nothing."""
    import errno

    from jido_persistence_tinydb import _journal

    real_write = _journal.os.write

    def half_then_full(fd: int, data: Any) -> int:
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    with helpers.open(store_path, **NO_COMPACTION) as store:
        store.save_message(helpers.message(1))
        monkeypatch.setattr(_journal.os, "write", half_then_full)
        with pytest.raises(StorageError, match="No space left"):
            store.save_message(helpers.message(2))
        monkeypatch.setattr(_journal.os, "write", real_write)
        with pytest.raises(LookupError):
            store.get_message("m2")
        store.save_message(helpers.message(3))
    with helpers.open(store_path) as store:
        assert [m.id for m in store.get_messages("room:1")] == ["m1", "m3"]


def test_tinydb_writes_through_snapshot_storage_are_atomic_and_private(tmp_path: Path) -> None:
    """SnapshotStorage as a plain TinyDB storage: a readable file, mode 0600, no temp left."""
    path = tmp_path / "plain.json"
    with TinyDB(path, storage=SnapshotStorage) as database:
        database.table("notes").insert({"text": "caf\u00e9"})
        database.table("notes").insert({"text": "second"})
    assert json.loads(path.read_text("utf-8")) == {
        "notes": {"1": {"text": "caf\u00e9"}, "2": {"text": "second"}}
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.json"]
    with TinyDB(path, storage=SnapshotStorage) as database:
        assert database.table("notes").get(doc_id=2) == {"text": "second"}


def test_raw_index_reads_the_files_not_the_live_indexes(store_path: Path, helpers: Any) -> None:
    """The kit's back door re-reads snapshot + journal, so a broken live index shows."""
    with helpers.open(store_path, **NO_COMPACTION) as store:
        room = store.get_or_create_room_by_external_binding("slack", 1, "C1", {"type": "group"})
        store.save_message(helpers.message(1, metadata={"channel": "slack", "bridge_id": 1}))
        store.update_message_external_id("m1", "ext")
        del store._state.binding_keys[("slack", "1", "C1")]  # break the live index only
        raw = store.raw_index()
        assert raw["room_binding_keys"] == {("slack", "1", "C1"): room.id}
        assert raw["message_keys"] == {("slack", "1", "ext"): "m1"}
        assert raw["row_counts"]["rooms"] == 1
        assert raw["row_counts"]["room_bindings"] == 1


def test_temporary_files_left_by_a_crashed_compaction_are_ignored(
    store_path: Path, helpers: Any
) -> None:
    """A crash before the rename leaves a .tmp file: never read, overwritten next time."""
    _fill(store_path, helpers, 2)
    for name in ("store.json.tmp", "store.json.journal.tmp"):
        (store_path.parent / name).write_bytes(b'{"half a snap')
    with helpers.open(
        store_path, compact_min_bytes=0, compact_ratio=0.001, background_compaction=False
    ) as store:
        assert [m.id for m in store.get_messages("room:1")] == ["m0", "m1"]
        store.save_message(helpers.message(2))  # compacts at once (threshold 0)
        assert not (store_path.parent / "store.json.tmp").exists()
    with helpers.open(store_path) as store:
        assert [m.id for m in store.get_messages("room:1")] == ["m0", "m1", "m2"]
    TinyDBAdapter.destroy_store(f"tinydb:///{store_path}")
    assert sorted(p.name for p in store_path.parent.iterdir()) == []


def test_an_edit_that_keeps_the_snapshot_valid_json_is_refused(
    store_path: Path, helpers: Any
) -> None:
    """Issue 13, finding 5: the snapshot had no checksum ("100 USD" edited to "900 USD"
    went unnoticed); now it ends with one, and a mismatch is StorageError."""
    with helpers.open(store_path) as store:
        store.save_room(Room(id="r", type="group", name="100 USD"))
    data = store_path.read_bytes()
    assert b"100 USD" in data
    store_path.write_bytes(data.replace(b"100 USD", b"900 USD"))
    before = store_path.read_bytes()
    with pytest.raises(StorageError, match=r"store\.json: damaged snapshot: the checksum"):
        helpers.open(store_path)
    assert store_path.read_bytes() == before


def test_a_snapshot_rewritten_in_another_layout_cannot_be_checked(
    store_path: Path, helpers: Any
) -> None:
    """A checksummed snapshot that stock TinyDB rewrote (same JSON, its own layout) is
    refused: its checksum no longer covers what it says it does."""
    with helpers.open(store_path) as store:
        store.save_room(Room(id="r", type="group", name="x"))
    store_path.write_text(json.dumps(json.loads(store_path.read_text()), indent=4))
    with pytest.raises(StorageError, match="checksum cannot be checked"):
        helpers.open(store_path)
