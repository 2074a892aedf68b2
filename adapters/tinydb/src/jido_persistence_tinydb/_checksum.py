"""The snapshot's checksum: a last table holding the CRC-32 of every byte before it.

A snapshot (format version 2) ends with the table ``_jido_persistence_checksum``,
whose one document ``{"crc32": "<8 hex digits>"}`` is the CRC-32 of the file's bytes
up to the line that holds it (so through the table's opening ``{``).  It is computed
while the snapshot streams to its temporary file, and checked when a store opens, so
an edit that keeps the JSON valid ("100 USD" to "900 USD") or a damaged block that
still parses is refused, naming the file and the bytes covered.  A snapshot holding
the table in any other layout (rewritten by another program) cannot be checked and is
refused too; snapshots of format version 1 have no checksum and are read as before.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from jido_persistence.errors import StorageError
from jido_persistence_tinydb._tables import encode_document

__all__ = ["CHECKSUM_TABLE", "checksummed", "verify_checksum"]

CHECKSUM_TABLE: Final = "_jido_persistence_checksum"


def checksummed(render: Any, tables: dict[str, Iterable[tuple[object, bytes]]]) -> Iterator[bytes]:
    """``render(tables)`` (a stream of chunks) with :data:`CHECKSUM_TABLE` appended.

    The checksum document is produced lazily, when ``render`` reaches it, from the
    CRC of every chunk already yielded.  O(size) time, O(1) extra memory.
    """
    crc = 0

    def checksum_document() -> Iterator[tuple[object, bytes]]:
        yield 1, encode_document({"crc32": f"{crc:08x}"})

    for chunk in render({**tables, CHECKSUM_TABLE: checksum_document()}):
        yield chunk
        crc = zlib.crc32(chunk, crc)


def verify_checksum(path: Path, data: bytes, document: dict[str, Any], text: bytes) -> None:
    """Raise StorageError unless ``document`` (whose exact ``text`` is in ``data``) holds
    the CRC-32 of the bytes before its line.  O(len(data)).
    """
    line = data.rfind(b'\n  "1": ' + text)
    expected = document.get("crc32")
    if line < 0 or not isinstance(expected, str) or len(document) != 1:
        raise StorageError(
            f"{path}: damaged snapshot: its checksum table is malformed; "
            "the file was left untouched"
        )
    actual = f"{zlib.crc32(data[:line]):08x}"
    if actual != expected:
        raise StorageError(
            f"{path}: damaged snapshot: the checksum of bytes 0 to {line} is {actual}, "
            f"the snapshot recorded {expected} at byte {line + 1} (edited or corrupted "
            "after it was written); the file was left untouched"
        )
