"""``TinyDBAdapter``: the embedded default store, a journaled JSON file.

The callbacks are the core's shared in-memory read and write sides
(:class:`~jido_persistence.state_reads.StateReads`,
:class:`~jido_persistence.state_writes.StateWrites`, the very code of the reference
``MemoryAdapter``) over a :class:`~._state.StoreState`; this module keeps only what is
about the file.  Every mutating callback's record-level changes become document
operations, appended to the journal as ONE record and synced (``fsync`` durability)
before they are applied to the in-memory state: a callback is all-or-nothing on disk
and in memory.  Reads are served by the in-memory indexes (never TinyDB ``Query``
scans).  When the journal outgrows ``compact_ratio`` times the snapshot (and
``compact_min_bytes``), and at ``close()``, it is folded into a new snapshot written
atomically, so writes cost O(1) amortised.  See the package README for the file format.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from pydantic import Field

from jido_persistence.adapter import AdapterOptions, RawIndex
from jido_persistence.bulk import BulkMessageSaving
from jido_persistence.detach import detached
from jido_persistence.errors import ConfigurationError, StorageError, StoreClosed
from jido_persistence.models import Message
from jido_persistence.state import RecordChange, record_put
from jido_persistence.state_reads import StateReads
from jido_persistence.state_writes import StateWrites
from jido_persistence.transactions import DEFAULT_BUSY_TIMEOUT, StoreLock
from jido_persistence.urls import StoreUrl
from jido_persistence_tinydb._batch import block
from jido_persistence_tinydb._compaction import StoreFiles
from jido_persistence_tinydb._files import journal_path, load_store, lock_path
from jido_persistence_tinydb._interchange import TinyDBInterchange, document_sequence
from jido_persistence_tinydb._lock import ProcessLock
from jido_persistence_tinydb._state import DEFAULT_CACHE_BYTES, StoreState
from jido_persistence_tinydb._tables import document_ops

__all__ = ["TinyDBAdapter", "TinyDBOptions"]


class TinyDBOptions(AdapterOptions):
    """Options of :class:`TinyDBAdapter` (URL query parameters are coerced)."""

    path: Path
    """The snapshot file; its directory must exist.  Beside it: ``.journal``, ``.lock``."""

    durability: Literal["fsync", "flush"] = "fsync"
    """``fsync``: a write returns once it is on disk.  ``flush``: it returns once the OS
    has it; it survives the process being killed, but a power loss or kernel crash may
    lose the last writes (the file still opens)."""

    compact_ratio: float = Field(default=1.0, gt=0)
    """Compact when the journal is larger than this times the snapshot."""

    compact_min_bytes: int = Field(default=4 * 1024 * 1024, ge=0)
    """...and larger than this many bytes."""

    busy_timeout: float = Field(default=DEFAULT_BUSY_TIMEOUT, gt=0)
    """Seconds a callback waits while another thread's ``transaction()`` block is open,
    then StorageError."""

    cache_bytes: int = Field(default=DEFAULT_CACHE_BYTES, ge=0)
    """Memory for decoded messages, in bytes (a message counts six times its JSON text).
    Opening the store decodes messages into it until it is full, so a store that fits
    reads at the memory adapter's speed; past it, the least recently read are dropped
    and decoded again when read (tens of µs).  ``0``: decode on every read, memory near
    the file's size."""

    compact_on_close: bool = True
    """Fold the journal into the snapshot at ``close()``."""

    background_compaction: bool = True
    """Compact in a background thread (the store's lock is held only briefly); when
    false, the write that crosses the threshold compacts before it returns."""


class TinyDBAdapter(TinyDBInterchange, StateWrites, StateReads, BulkMessageSaving):
    """A durable single-process store in one JSON file (plus its journal).

    Thread-safe (one re-entrant lock; each callback atomic).  One open instance per
    file: a second one, in this or another process, raises StoreLocked naming the pid.
    """

    Options = TinyDBOptions
    _state: StoreState
    durable = True
    multi_process = False
    backend_errors = (OSError,)

    def __init__(self, **options: object) -> None:
        """Open (or create) the store at ``path``; see :class:`TinyDBOptions`.

        Raises ConfigurationError (bad option, missing directory), StoreLocked (the file
        is open elsewhere) and StorageError (a corrupt or unreadable file, named with
        the byte position; the file is left untouched).  O(size of the files).
        """
        self.options: TinyDBOptions = self.Options.parse(options)
        self.path = _store_path(self.options.path)
        self._lock = StoreLock(self.options.busy_timeout, what=f"the TinyDB store {self.path}")
        try:
            self._process_lock = ProcessLock(lock_path(self.path), self.path)
        except OSError as error:
            raise StorageError(f"cannot lock {self.path}: {error}") from error
        try:
            loaded = load_store(self.path, self.options.cache_bytes)
            self._state = loaded.state
            self._files = StoreFiles(
                self.path,
                loaded,
                self._lock.untimed,
                self._process_lock,
                sync=self.options.durability == "fsync",
                background=self.options.background_compaction,
                min_bytes=self.options.compact_min_bytes,
                ratio=self.options.compact_ratio,
            )
            if not loaded.snapshot_exists:
                self._files.compact()
        except OSError as error:
            self._process_lock.release()
            raise StorageError(f"cannot open {self.path}: {error}") from error
        except BaseException:
            self._process_lock.release()
            raise

    @classmethod
    def url_options(cls, url: StoreUrl) -> dict[str, object]:
        """``tinydb:///relative.json`` and ``tinydb:////absolute.json``; query = options."""
        return super().url_options(url)

    @classmethod
    def fresh_store_url(cls, directory: Path, unique: str) -> str | None:
        """Test hook: ``tinydb:///<directory>/store-<unique>.json`` (absolute: four slashes)."""
        return "tinydb:///" + quote(str(Path(directory).absolute() / f"store-{unique}.json"))

    @classmethod
    def destroy_store(cls, url: str) -> None:
        """Test hook: remove the snapshot, journal, lock and temporary file of ``url``."""
        path = _store_path(Path(StoreUrl.parse(url).path))
        journal = journal_path(path)
        for file in (path, journal, lock_path(path)):
            file.unlink(missing_ok=True)
            file.with_name(file.name + ".tmp").unlink(missing_ok=True)

    def close(self) -> None:
        """Wait for running calls and compactions, compact, release the files and the
        in-memory state (so a store reopened while this object lives does not hold
        two copies).

        Idempotent.  Later callbacks raise StoreClosed.
        """
        with self._lock:
            if self._closed:
                return
            self._files.stop()
        self._files.wait()
        with self._lock:
            if self._closed:
                return
            try:
                self._files.close(compact=self.options.compact_on_close)
            finally:
                self._process_lock.release()
                super().close()
                self._state = self._files.state = StoreState()

    # --- writing -------------------------------------------------------------------

    @contextmanager
    def _transaction(self, level: int) -> Iterator[None]:
        """Hold the store lock for the block; its operations become one journal record
        when the outermost block ends (see :mod:`._batch`)."""
        with self._lock.block():
            self._check_open()
            with block(self._files, level):
                yield

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosed(f"TinyDBAdapter on {self.path} is closed")

    def _commit(self, changes: list[RecordChange]) -> None:
        """Journal the changes' documents as one synced record, then apply them (see
        StoreFiles)."""
        self._files.commit(document_ops(changes, *self._sequences()))

    def _sequences(self) -> tuple[int, Callable[[str], int]]:
        """The next save sequence, and the stored sequence of a message by id."""
        docs = self._state.docs["messages"]
        return self._state.next_save_sequence(), lambda key: document_sequence(docs[key])

    def _bulk_save_messages(self, messages: list[Message]) -> int:
        """Apply the checked messages in memory, then write one snapshot.  O(n log n).

        The bulk path of :class:`~jido_persistence.bulk.BulkMessageSaving` (not a
        contract callback).  Not crash-safe while it runs: nothing is journaled until
        the final compaction writes the snapshot, so a crash before that loses the
        whole batch (and only it); a failing snapshot write raises StorageError and
        leaves the batch in memory only, written by the next compaction or ``close()``.
        Inside a ``transaction()`` block the messages join the block's batch (one
        journal record when it ends) instead of bypassing it with a snapshot.
        """
        with self._lock:
            self._check_open()
            if self._files.batch is not None:
                for message in messages:
                    self._commit([record_put("messages", detached(message))])
                return len(messages)
            for message in messages:
                change = record_put("messages", detached(message))
                for op in document_ops([change], *self._sequences()):
                    self._state.apply_op(op)
            self._files.compact()
        return len(messages)

    # --- test hook -----------------------------------------------------------------

    def raw_index(self) -> RawIndex:
        """The keys and row counts re-read from the files (snapshot + journal).

        Bypasses the in-memory indexes the callbacks use, so the kit checks what is
        on disk.  O(size of the files).  Raises StoreClosed after ``close()``.
        """
        with self._lock:
            self._check_open()
            try:
                return load_store(self.path).state.raw_index()
            except OSError as error:
                raise StorageError(f"cannot read {self.path}: {error}") from error


def _store_path(path: Path) -> Path:
    """The absolute snapshot path; ConfigurationError when its directory is missing."""
    absolute = Path(os.path.abspath(os.path.expanduser(path)))
    if not absolute.parent.is_dir():
        raise ConfigurationError(
            f"cannot open the TinyDB store {absolute}: its directory {absolute.parent} "
            "does not exist (create it first)"
        )
    if absolute.is_dir():
        raise ConfigurationError(f"cannot open the TinyDB store {absolute}: it is a directory")
    return absolute
