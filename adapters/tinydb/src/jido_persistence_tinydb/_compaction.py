"""The open files of a store: journal appends and snapshot compaction.

Compaction folds the journal into a new snapshot.  In the background (the default) it
holds the store's lock only to copy the lists of document texts (O(n) reference
copies) and, at the end, to cut the journal down to the records written meanwhile;
writing the snapshot (the O(n) part, streamed line by line to the temporary file, so
it never exists whole in memory) runs while callbacks go on.  Crash safety:

1. the snapshot is written to ``path + ".tmp"``, synced, renamed over ``path``, and the
   directory synced: a crash leaves the old or the new snapshot;
2. only then is the journal cut (rewritten the same way, or truncated): a crash in
   between leaves a journal whose first records are in the snapshot too, and replay
   skips every record up to the snapshot's ``journal_sequence``.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from jido_persistence_tinydb._batch import Batch
from jido_persistence_tinydb._files import Loaded, copy_tables, journal_path, state_chunks
from jido_persistence_tinydb._journal import JournalFile, atomic_write_chunks, encode_record
from jido_persistence_tinydb._state import StoreState
from jido_persistence_tinydb._tables import Op

__all__ = ["StoreFiles"]

_log = logging.getLogger("jido_persistence_tinydb")


class StoreFiles:
    """Journal + snapshot of one open store.  Call under the store's lock, except
    :meth:`wait`, and :meth:`stop` then :meth:`wait` before :meth:`close`.
    """

    def __init__(
        self,
        path: Path,
        loaded: Loaded,
        lock: threading.RLock,
        process_lock: object,
        *,
        sync: bool,
        background: bool,
        min_bytes: int,
        ratio: float,
    ) -> None:
        """Open the journal after :func:`~._files.load_store` read the store."""
        self.path = path
        self.state: StoreState = loaded.state
        self.sequence = loaded.journal.last_sequence
        self.snapshot_size = loaded.snapshot_size
        self.journal = JournalFile(
            journal_path(path), loaded.journal.valid_end, loaded.journal.size, sync=sync
        )
        self._lock = lock
        # Held so a background compaction keeps the store locked even when the
        # adapter is dropped without close() while it runs.
        self._process_lock = process_lock
        self._background = background
        self._min_bytes = min_bytes
        self._ratio = ratio
        self._retry_after = 0
        self._worker: threading.Thread | None = None
        self._stopping = False
        self.batch: Batch | None = None
        """The open transaction block's operations (see :mod:`._batch`), else None."""

    def commit(self, ops: list[Op]) -> None:
        """Journal ``ops`` as one record (synced), then apply them.  O(size of ops).

        Inside a transaction block the ops are applied and kept in :attr:`batch`
        instead; the block's end journals them (:meth:`journal_applied`).

        Raises OSError (nothing applied) when the journal cannot be written.
        """
        if not ops:
            return
        if self.batch is not None:
            self.batch.apply(ops)
            return
        self._append(ops)
        for op in ops:
            self.state.apply_op(op)
        self._compact_when_due()

    def journal_applied(self, ops: list[Op]) -> None:
        """Journal ``ops``, already applied to the state (a transaction block), as one
        record (synced).  Raises OSError when the journal cannot be written."""
        if not ops:
            return
        self._append(ops)
        self._compact_when_due()

    def _append(self, ops: list[Op]) -> None:
        self.journal.append(encode_record(self.sequence + 1, ops))
        self.sequence += 1

    def _compact_when_due(self) -> None:
        if self._due():
            if self._background:
                self._start_worker()
            else:
                self._compact_guarded()

    def _due(self) -> bool:
        threshold = max(self._min_bytes, self._ratio * self.snapshot_size, self._retry_after)
        return self.journal.size > threshold and self._worker is None and not self._stopping

    def compact(self) -> None:
        """Compact now, holding the lock throughout.  O(n).  Raises OSError."""
        size = atomic_write_chunks(self.path, state_chunks(copy_tables(self.state), self.sequence))
        self.snapshot_size = size
        self.journal.reset()
        self._retry_after = 0

    def _compact_guarded(self) -> None:
        try:
            self.compact()
        except OSError as error:  # the write that triggered it is durable; retry later
            self._retry_after = 2 * self.journal.size
            _log.warning("compaction of %s failed: %s", self.path, error)

    def _start_worker(self) -> None:
        self._worker = threading.Thread(
            target=self._compact_in_background, name=f"compact {self.path.name}"
        )
        self._worker.start()

    def _compact_in_background(self) -> None:
        try:
            with self._lock:
                if self._stopping:
                    return
                sequence, start = self.sequence, self.journal.size
                tables = copy_tables(self.state)
            size = atomic_write_chunks(self.path, state_chunks(tables, sequence))
            del tables
            with self._lock:
                self.journal.keep_from(start)
                self.snapshot_size = size
                self._retry_after = 0
        except OSError as error:
            with self._lock:
                self._retry_after = 2 * self.journal.size
            _log.warning("background compaction of %s failed: %s", self.path, error)
        except Exception:  # pragma: no cover - a bug; the journal still has everything
            with self._lock:
                self._retry_after = 2 * self.journal.size
            _log.exception("background compaction of %s failed", self.path)
        finally:
            with self._lock:
                self._worker = None

    def stop(self) -> None:
        """Start no more background compactions."""
        self._stopping = True

    def wait(self) -> None:
        """Wait for a running background compaction (call without holding the lock)."""
        worker = self._worker
        if worker is not None:
            worker.join()

    def close(self, *, compact: bool) -> None:
        """Compact when asked and the journal is not empty, then close the journal."""
        try:
            if compact and self.journal.size > 0:
                self._compact_guarded()
        finally:
            self.journal.close()
