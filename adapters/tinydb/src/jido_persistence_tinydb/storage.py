"""``SnapshotStorage``: a TinyDB storage that reads snapshots and writes them atomically.

The snapshot is TinyDB's own JSON document format, ``{"table": {"doc_id": {...}}}``,
written one document per line so that a person can read it and stock
``TinyDB(path)`` can open it for inspection.  Unlike TinyDB's ``JSONStorage``, which
rewrites the file in place, :meth:`SnapshotStorage.write` writes a temporary file in
the same directory (mode 0600, streamed a line at a time), syncs it, renames it over
the snapshot and syncs the directory: a crash leaves either the old snapshot or the
new one, never a mix.

Open a live store's snapshot read-only (``TinyDB(path, storage=SnapshotStorage)`` and
only search it): the journal beside it (``path + ".journal"``) holds the writes made
since the last compaction, which TinyDB does not read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from jido_persistence.errors import StorageError
from jido_persistence_tinydb._journal import atomic_write, atomic_write_chunks
from jido_persistence_tinydb._tables import dumps

__all__ = [
    "SnapshotStorage",
    "atomic_write",
    "parse_snapshot",
    "render_snapshot",
    "snapshot_chunks",
]


def snapshot_chunks(tables: Mapping[str, Iterable[tuple[object, bytes]]]) -> Iterator[bytes]:
    """TinyDB's format for ``tables``, one document a line, as a stream of UTF-8 chunks.

    ``tables`` maps each table to ``(doc_id, text)`` pairs, ``text`` being the
    document's compact JSON (:func:`~._tables.encode_document`).  Lazy: a document is
    read from its iterable when its line is produced.
    """
    yield b"{"
    for table_number, (table, documents) in enumerate(tables.items()):
        opening = ("\n" if table_number == 0 else ",\n") + json.dumps(table) + ": {"
        yield opening.encode("utf-8")
        separator = b"\n"
        for doc_id, text in documents:
            yield b"%s  %s: %s" % (separator, json.dumps(str(doc_id)).encode("utf-8"), text)
            separator = b",\n"
        yield b"}" if separator == b"\n" else b"\n}"
    yield b"\n}\n"


def _encoded(
    tables: Mapping[str, Iterable[tuple[object, Mapping[str, Any]]]],
) -> dict[str, Iterator[tuple[object, bytes]]]:
    return {
        table: ((doc_id, dumps(document).encode("utf-8")) for doc_id, document in documents)
        for table, documents in tables.items()
    }


def render_snapshot(tables: Mapping[str, Iterable[tuple[object, Mapping[str, Any]]]]) -> bytes:
    """TinyDB's format for ``tables`` (``(doc_id, document)`` pairs), one document a line."""
    return b"".join(snapshot_chunks(_encoded(tables)))


def parse_snapshot(path: Path, data: bytes) -> dict[str, dict[str, Any]]:
    """Read snapshot bytes; an empty file is an empty database (as TinyDB has it).

    Raises StorageError naming ``path`` and the byte position of the first error.
    """
    if not data.strip():
        return {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StorageError(
            f"{path}: corrupt snapshot at byte {error.start}: not UTF-8; "
            "the file was left untouched"
        ) from error
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        position = len(text[: error.pos].encode("utf-8"))
        raise StorageError(
            f"{path}: corrupt snapshot at byte {position} (line {error.lineno}, "
            f"column {error.colno}): {error.msg}; the file was left untouched"
        ) from error
    if not isinstance(value, dict) or not all(
        isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values())
        for table in value.values()
    ):
        raise StorageError(
            f"{path}: corrupt snapshot at byte 0: not a TinyDB database "
            "({table: {doc_id: document}}); the file was left untouched"
        )
    return value


class SnapshotStorage(Storage):
    """A TinyDB ``Storage`` for snapshot files: plain JSON, written atomically.

    ``read()`` returns ``None`` for a missing or empty file and raises StorageError
    (naming the file and byte position) for a corrupt one; ``write()`` replaces the
    file atomically.  Both are O(size of the database).
    """

    def __init__(self, path: str | os.PathLike[str], **_: object) -> None:
        """Use the snapshot at ``path`` (not created until written)."""
        super().__init__()
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        """The whole database, or ``None`` when the file is missing or empty."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        return parse_snapshot(self.path, data) or None

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Replace the snapshot with ``data`` atomically (never in place)."""
        tables = {table: docs.items() for table, docs in data.items()}
        atomic_write_chunks(self.path, snapshot_chunks(_encoded(tables)))

    def close(self) -> None:
        """Nothing to release: no file stays open between calls."""
