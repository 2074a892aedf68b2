"""The journal: one JSON line per committed callback, appended and synced before it returns.

A record is one line of plain JSON::

    {"seq":42,"crc":"1c291ca3","ops":[["put","messages",{...}],["del","threads","t1"]]}

``seq`` numbers records consecutively across compactions; ``crc`` is the CRC-32 of the
UTF-8 bytes of the ``ops`` text exactly as written.  Reading checks every record: the
*last* one may be torn by a crash, which leaves it without its final newline (a record
and its newline are one write, the newline last) or with blocks that never reached the
disk (zeros, which record text never holds), and is then dropped; any other bad record
(a complete line with bad JSON or a bad checksum, the last one included: a flipped
bit), or a gap in the sequence, is corruption and raises
:class:`~jido_persistence.errors.StorageError` naming the file and the byte position.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import weakref
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final, NamedTuple

from jido_persistence.errors import StorageError
from jido_persistence_tinydb._tables import Op, Put, dumps

__all__ = [
    "JournalFile",
    "JournalScan",
    "RawRecord",
    "atomic_write",
    "atomic_write_chunks",
    "data_sync",
    "dumps",
    "encode_record",
    "full_sync",
    "scan_journal",
    "sync_directory",
    "write_temporary",
]

_RECORD: Final = re.compile(rb'\{"seq":(\d+),"crc":"([0-9a-f]{8})","ops":(.*)\}', re.DOTALL)
# Temporary files are created exclusively and never through a link: a planted
# ``*.tmp`` symlink must not redirect the write to its target.
_CREATE_FLAGS: Final = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_OPEN_FLAGS: Final = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)


_WRITE_CHUNK: Final = 1 << 20


def _encode_op(op: Op) -> bytes:
    """``dumps(["put", table, doc])`` (from the document's text) or ``dumps(["del", ...])``."""
    if isinstance(op, Put):
        return b'["put",%s,%s]' % (dumps(op.table).encode("utf-8"), op.encoded())
    return dumps(["del", op.table, op.key]).encode("utf-8")


def encode_record(sequence: int, ops: Sequence[Op]) -> bytes:
    """The journal line (with its newline) recording ``ops`` as record ``sequence``.

    The ops text is ``dumps`` of the list of ops, assembled from each document's text.
    """
    body = b"[" + b",".join(_encode_op(op) for op in ops) + b"]"
    return b'{"seq":%d,"crc":"%08x","ops":%s}\n' % (sequence, zlib.crc32(body), body)


class RawRecord(NamedTuple):
    """A checked journal record: its sequence, its undecoded ops, its byte offset."""

    sequence: int
    ops: list[Any]
    offset: int


class JournalScan(NamedTuple):
    """What :func:`scan_journal` found.

    ``records`` are those after the snapshot's sequence, in order; ``valid_end`` is the
    byte length of the good prefix (shorter than ``size`` when a torn tail was dropped);
    ``last_sequence`` is the highest sequence seen (at least the snapshot's).
    """

    records: list[RawRecord]
    valid_end: int
    size: int
    last_sequence: int


def _parse(line: bytes) -> tuple[int, list[Any]]:
    match = _RECORD.fullmatch(line)
    if match is None:
        raise ValueError("not a journal record")
    body = match.group(3)
    if zlib.crc32(body) != int(match.group(2), 16):
        raise ValueError("checksum mismatch")
    ops = json.loads(body.decode("utf-8"))
    if not isinstance(ops, list):
        raise ValueError("ops is not a list")
    return int(match.group(1)), ops


def scan_journal(path: Path, data: bytes, after: int) -> JournalScan:
    """Check every record of the journal ``data`` read from ``path``.

    Records with ``seq <= after`` are already in the snapshot (a compaction died between
    renaming the snapshot and truncating the journal) and are skipped.  Raises
    StorageError naming ``path`` and the byte offset of the first corrupt record.
    O(len(data)).
    """
    records: list[RawRecord] = []
    last = after
    offset = 0
    while offset < len(data):
        newline = data.find(b"\n", offset)
        if newline == -1:
            break  # a torn last record: the crash came before its newline
        try:
            sequence, ops = _parse(data[offset:newline])
        except (ValueError, UnicodeDecodeError) as error:
            if newline + 1 == len(data) and b"\x00" in data[offset:newline]:
                # Blocks of the last write that never reached the disk read as zeros
                # (record text never holds a raw NUL): torn, not acknowledged, dropped.
                break
            # Any other bad line, the last one included, was damaged after its write
            # was acknowledged: dropping it would lose that write without a word.
            raise StorageError(
                f"{path}: corrupt journal record at byte {offset}: {error}; "
                "the file was left untouched"
            ) from error
        if sequence > after:
            if sequence != last + 1:
                raise StorageError(
                    f"{path}: journal record at byte {offset} has sequence {sequence}, "
                    f"expected {last + 1} (records are missing); the file was left untouched"
                )
            records.append(RawRecord(sequence, ops, offset))
            last = sequence
        offset = newline + 1
    return JournalScan(records, offset, len(data), last)


def full_sync(fd: int) -> None:
    """Flush ``fd`` to stable storage (``F_FULLFSYNC`` on macOS, where fsync is not enough)."""
    if sys.platform == "darwin":  # pragma: no cover - exercised on macOS only
        import fcntl

        fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
    else:
        os.fsync(fd)


def data_sync(fd: int) -> None:
    """Flush an appended file's data and size (``fdatasync`` where the OS has it)."""
    if sys.platform == "darwin" or not hasattr(os, "fdatasync"):  # pragma: no cover
        full_sync(fd)
    else:
        os.fdatasync(fd)


def sync_directory(directory: Path) -> None:
    """Make a rename or a file creation in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_temporary(path: Path, data: bytes | Iterable[bytes]) -> tuple[Path, int]:
    """Write ``data`` (bytes, or chunks of them written as they come, about 1 MiB at a
    time) to ``path + ".tmp"`` (mode 0600) and sync it; return that path and its size.
    """
    temporary = path.with_name(path.name + ".tmp")
    chunks = (data,) if isinstance(data, bytes) else data
    # A leftover of a crash (or anything planted there) is removed, not followed.
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)
    fd = os.open(temporary, _CREATE_FLAGS, 0o600)
    size = 0
    try:
        os.fchmod(fd, 0o600)
        pending: list[bytes] = []
        buffered = 0
        for chunk in chunks:
            pending.append(chunk)
            buffered += len(chunk)
            if buffered >= _WRITE_CHUNK:
                _write_all(fd, b"".join(pending))
                size += buffered
                pending, buffered = [], 0
        _write_all(fd, b"".join(pending))
        size += buffered
        full_sync(fd)
    finally:
        os.close(fd)
    return temporary, size


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: temp file (0600), sync, rename, sync the directory.

    Raises OSError; on failure before the rename the old file is intact.  O(len(data)).
    """
    atomic_write_chunks(path, (data,))


def atomic_write_chunks(path: Path, chunks: Iterable[bytes]) -> int:
    """:func:`atomic_write` of the concatenated ``chunks``, streamed to the temp file.

    Returns the number of bytes written.  Memory: about 1 MiB besides the chunks.
    """
    temporary, size = write_temporary(path, chunks)
    os.replace(temporary, path)
    sync_directory(path.parent)
    return size


class JournalFile:
    """The open journal: appends records, each synced before :meth:`append` returns.

    A failed append (a full disk, a failed sync) leaves the file marked dirty, and the
    next append first truncates it back to the last good record, so a partial record
    never ends up in the middle of the journal.
    """

    def __init__(self, path: Path, valid_end: int, size: int, *, sync: bool) -> None:
        """Open (or create, mode 0600) the journal whose good prefix is ``valid_end`` bytes."""
        created = not path.exists()
        self.path = path
        self.size = valid_end
        self._sync = sync
        self._dirty = size != valid_end
        self._fd = os.open(path, _OPEN_FLAGS, 0o600)
        self._finalizer = weakref.finalize(self, _close_quietly, self._fd)
        if created:
            sync_directory(path.parent)

    def append(self, record: bytes) -> None:
        """Append one encoded record; synced to disk in ``fsync`` durability.  O(record)."""
        try:
            if self._dirty:
                os.ftruncate(self._fd, self.size)
                self._dirty = False
            view = memoryview(record)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            if self._sync:
                data_sync(self._fd)
        except OSError:
            self._dirty = True
            raise
        self.size += len(record)

    def keep_from(self, start: int) -> None:
        """Keep only the records from byte ``start`` on (a compaction's snapshot holds the
        rest): the remainder is written to a new file renamed over the journal.  O(tail).
        """
        with open(self.path, "rb") as journal:
            journal.seek(start)
            tail = journal.read(self.size - start)
        temporary, _ = write_temporary(self.path, tail)
        # Open the new journal before publishing it, so that once the rename is done
        # every later append goes to the published file, whatever fails after it.
        fd = os.open(temporary, _OPEN_FLAGS | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            os.replace(temporary, self.path)
        except BaseException:
            os.close(fd)
            raise
        self._finalizer()
        self._fd = fd
        self._finalizer = weakref.finalize(self, _close_quietly, fd)
        self.size = len(tail)
        self._dirty = False
        sync_directory(self.path.parent)

    def reset(self) -> None:
        """Empty the journal (its records are in the snapshot now) and sync it."""
        os.ftruncate(self._fd, 0)
        full_sync(self._fd)
        self.size = 0
        self._dirty = False

    def close(self) -> None:
        """Close the file descriptor; idempotent."""
        self._finalizer()


def _close_quietly(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)
