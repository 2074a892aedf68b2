"""Loading a store from its files (snapshot + journal) and rendering its snapshot.

Files of a store at ``path``: the snapshot ``path`` (TinyDB's JSON format, with a meta
table ``_jido_persistence`` holding the last journal sequence it contains), the journal
``path + ".journal"`` (JSON lines, see :mod:`._journal`), the lock ``path + ".lock"``
and, briefly during a compaction, ``path + ".tmp"``.

A snapshot in the layout this adapter writes is read one document at a time
(:mod:`._scan`); any other file is parsed whole, as before, which also names the byte
of any error.  Snapshots are written as a stream of lines, never as one big string.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any, Final, NamedTuple

from jido_persistence.errors import StorageError
from jido_persistence_tinydb._checksum import CHECKSUM_TABLE, checksummed, verify_checksum
from jido_persistence_tinydb._journal import JournalScan, scan_journal
from jido_persistence_tinydb._scan import Irregular, regular_documents
from jido_persistence_tinydb._state import StoreState
from jido_persistence_tinydb._tables import (
    KEY_OF,
    META_TABLE,
    TABLES,
    Delete,
    Op,
    Put,
    decode_key,
    decode_record,
    encode_document,
)
from jido_persistence_tinydb.storage import parse_snapshot, snapshot_chunks

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Loaded",
    "copy_tables",
    "decode_ops",
    "journal_path",
    "load_store",
    "lock_path",
    "state_chunks",
]

FORMAT: Final = "jido-persistence-tinydb"
FORMAT_VERSION: Final = 2
"""Version 2 snapshots end with a checksum table (:mod:`._checksum`); 1 is still read."""
READABLE_VERSIONS: Final = frozenset({1, 2})
_DECODE_ERRORS: Final = (ValueError, KeyError, TypeError, AttributeError, IndexError)


def journal_path(path: Path) -> Path:
    """The journal beside the snapshot ``path``."""
    return path.with_name(path.name + ".journal")


def lock_path(path: Path) -> Path:
    """The lock file beside the snapshot ``path``."""
    return path.with_name(path.name + ".lock")


class Loaded(NamedTuple):
    """A store read from disk: its state, the journal scan, the snapshot's size."""

    state: StoreState
    journal: JournalScan
    snapshot_size: int
    snapshot_exists: bool


def _snapshot_sequence(
    path: Path, snapshot: dict[str, dict[str, Any]], *, checksum_verified: bool
) -> int:
    """The meta table's journal sequence; StorageError unless ``snapshot`` is a store.

    Only the table names, whether they are empty and the meta table are read.  A
    version 2 snapshot must hold a checksum that was verified.
    """
    unknown = sorted(set(snapshot) - {*TABLES, META_TABLE, CHECKSUM_TABLE})
    if unknown:
        raise StorageError(
            f"{path}: not a jido-persistence store: unknown table(s) {', '.join(unknown)}; "
            "the file was left untouched"
        )
    meta = snapshot.get(META_TABLE)
    if meta is None:
        if any(snapshot.values()):
            raise StorageError(f"{path}: not a jido-persistence store: no {META_TABLE} table")
        return 0
    info: dict[str, Any] = next(iter(meta.values()), {})
    if info.get("format") != FORMAT or info.get("version") not in READABLE_VERSIONS:
        raise StorageError(
            f"{path}: unsupported store format {info.get('format')!r} version "
            f"{info.get('version')!r} (this adapter reads {FORMAT} versions 1 and 2)"
        )
    if (info.get("version") == 2 or CHECKSUM_TABLE in snapshot) and not checksum_verified:
        raise StorageError(
            f"{path}: damaged snapshot: its checksum cannot be checked (the checksum table "
            "is missing, or the file was rewritten in another layout); the file was left "
            "untouched"
        )
    sequence = info.get("journal_sequence")
    if not isinstance(sequence, int) or sequence < 0:
        raise StorageError(f"{path}: malformed journal_sequence {sequence!r} in {META_TABLE}")
    return sequence


def decode_ops(raw_ops: list[Any]) -> list[Op]:
    """Journal ops (``["put", table, doc]``, ``["del", table, key]``) as operations.

    Raises ValueError, KeyError or TypeError on a malformed op.
    """
    ops: list[Op] = []
    for raw in raw_ops:
        kind, table, value = raw
        if kind == "put":
            ops.append(Put(table, value, decode_record(table, value)))
        elif kind == "del":
            ops.append(Delete(table, decode_key(table, value)))
        else:
            raise ValueError(f"unknown journal operation {kind!r}")
    return ops


def load_store(path: Path, cache_bytes: int = 0) -> Loaded:
    """Read the snapshot, then replay the journal records it does not contain;
    messages are decoded into the state's cache while it has room (``cache_bytes``).

    A torn last journal record is dropped (``journal.valid_end < journal.size``).
    Raises StorageError naming the file and position on any other damage, and OSError
    when a file cannot be read.  O(size of the files).
    """
    try:
        data = path.read_bytes()
        exists = True
    except FileNotFoundError:
        data, exists = b"", False
    if exists and not data and journal_path(path).exists():
        # An empty file alone is an empty database, as in TinyDB; but a store's
        # snapshot is never empty (opening writes its meta table), so an empty one
        # beside a journal lost its records and must not open as an empty store.
        raise StorageError(
            f"{path}: the snapshot is empty (0 bytes; damaged from byte 0); "
            "the file was left untouched"
        )
    loaded = _load_regular(path, data, cache_bytes)
    state, sequence = loaded if loaded is not None else _load_parsed(path, data, cache_bytes)
    size = len(data)
    del data, loaded
    journal = journal_path(path)
    try:
        journal_data = journal.read_bytes()
    except FileNotFoundError:
        journal_data = b""
    scan = scan_journal(journal, journal_data, sequence)
    for record in scan.records:
        try:
            ops = decode_ops(record.ops)
        except _DECODE_ERRORS as error:
            raise StorageError(
                f"{journal}: invalid journal record at byte {record.offset}: {error}; "
                "the file was left untouched"
            ) from error
        for op in ops:
            state.apply_op(op)
    return Loaded(state, scan, size, exists)


def _load_regular(path: Path, data: bytes, cache_bytes: int) -> tuple[StoreState, int] | None:
    """The state and journal sequence of a snapshot in this adapter's own layout, read
    one document at a time; ``None`` when the file is laid out otherwise or a document
    is invalid (:func:`_load_parsed` then reads it and reports the error).
    """
    state = StoreState(cache_bytes)
    tables: dict[str, dict[str, Any]] = {}
    checksum: tuple[dict[str, Any], bytes] | None = None
    try:
        for table, doc, text in regular_documents(data):
            if doc is None:
                tables[table] = {}
            elif table == CHECKSUM_TABLE:
                checksum = (doc, text)
                tables[table] = {"1": doc}
            elif table == META_TABLE:
                tables[table][str(len(tables[table]) + 1)] = doc
            elif table not in KEY_OF:
                return None
            else:
                tables[table] = {"": {}}  # not empty
                state.apply_op(Put(table, doc, decode_record(table, doc), text))
    except (Irregular, *_DECODE_ERRORS):
        return None
    if checksum is not None:
        verify_checksum(path, data, *checksum)
    return state, _snapshot_sequence(path, tables, checksum_verified=checksum is not None)


def _load_parsed(path: Path, data: bytes, cache_bytes: int) -> tuple[StoreState, int]:
    """The state and journal sequence of any snapshot, parsed whole (O(size) memory
    several times the file's); StorageError naming the file and position on damage.
    """
    state = StoreState(cache_bytes)
    snapshot = parse_snapshot(path, data)
    sequence = _snapshot_sequence(path, snapshot, checksum_verified=False)
    for table in TABLES:
        for doc_id, doc in snapshot.get(table, {}).items():
            try:
                state.apply_op(Put(table, doc, decode_record(table, doc)))
            except _DECODE_ERRORS as error:
                raise StorageError(
                    f"{path}: invalid document {doc_id} of table {table}: {error}; "
                    "the file was left untouched"
                ) from error
    return state, sequence


def copy_tables(state: StoreState) -> dict[str, list[bytes]]:
    """The documents' texts of every table, as lists (O(n) reference copies).

    Texts are immutable, so the copy can be written while the store goes on writing.
    """
    return {table: list(state.docs[table].values()) for table in TABLES}


def state_chunks(tables: dict[str, list[bytes]], journal_sequence: int) -> Iterator[bytes]:
    """The snapshot of ``tables`` holding journal records up to ``journal_sequence``,
    as a stream of chunks (one document a line; see :func:`~.storage.snapshot_chunks`).
    """
    meta = {"format": FORMAT, "version": FORMAT_VERSION, "journal_sequence": journal_sequence}
    rendered: dict[str, Any] = {META_TABLE: [(1, encode_document(meta))]}
    for table in TABLES:
        rendered[table] = zip(count(1), tables[table])
    return checksummed(snapshot_chunks, rendered)
