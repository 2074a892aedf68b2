"""Transactions of a TinyDB store: the block's operations, journaled as ONE record.

While a ``transaction()`` block is open (the store's lock held by its thread for the
whole block), the callbacks' operations are applied to the in-memory state at once, so
the block's own reads see them, and kept in a :class:`Batch` instead of being
journaled.  Each applied operation records its inverse (the document it replaced, or
a delete of the key it created): an exception leaving a block, or a savepoint inside
it, applies the inverses back in reverse order.  When the outermost block ends, its
operations are appended as one journal record (synced), so a crash leaves all of the
block or none of it on disk; a failed append undoes the whole block in memory too.
Other threads never see the state while a block is open: they wait for the lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol

from jido_persistence_tinydb._state import StoreState, decode_document
from jido_persistence_tinydb._tables import KEY_OF, Delete, Op, Put, decode_record

__all__ = ["Batch", "BatchedFiles", "block", "inverse"]


def inverse(state: StoreState, op: Op) -> Op | None:
    """The operation that undoes ``op`` on ``state`` (read before ``op`` is applied).

    ``None`` when ``op`` changes nothing (deleting an absent key).  O(size of the
    replaced document).
    """
    key = KEY_OF[op.table](op.doc) if isinstance(op, Put) else op.key
    old = state.docs[op.table].get(key)
    if old is None:
        return Delete(op.table, key) if isinstance(op, Put) else None
    doc = decode_document(old)
    return Put(op.table, doc, decode_record(op.table, doc), old)


class Batch:
    """The operations of one open block, with their inverses and savepoint marks."""

    def __init__(self, state: StoreState) -> None:
        """An empty batch over ``state`` (the live state, changed as operations come)."""
        self.state = state
        self.ops: list[Op] = []
        self._undo: list[Op | None] = []

    def apply(self, ops: Iterable[Op]) -> None:
        """Apply ``ops`` to the state now and keep them for the journal.  O(size of ops)."""
        for op in ops:
            self._undo.append(inverse(self.state, op))
            self.state.apply_op(op)
            self.ops.append(op)

    def mark(self) -> int:
        """A savepoint: the number of operations so far."""
        return len(self.ops)

    def undo_to(self, mark: int) -> None:
        """Undo every operation after ``mark``, newest first.  O(undone operations)."""
        while len(self.ops) > mark:
            self.ops.pop()
            undo = self._undo.pop()
            if undo is not None:
                self.state.apply_op(undo)


class BatchedFiles(Protocol):
    """What a block uses of the store's files (:class:`~._compaction.StoreFiles`)."""

    state: StoreState
    """The live in-memory state."""
    batch: Batch | None
    """The open block's batch, else None."""

    def journal_applied(self, ops: list[Op]) -> None:
        """Journal ``ops``, already applied to the state, as one record (synced)."""
        ...


@contextmanager
def block(files: BatchedFiles, level: int) -> Iterator[None]:
    """One transaction block at nesting ``level`` over ``files`` (call under the store's
    lock, held until the block ends).

    Level 0 opens the batch and journals it when the block ends; a failed journal
    write (OSError, raised) undoes the block in memory, so memory and disk agree.
    """
    if level == 0:
        files.batch = Batch(files.state)
    batch = files.batch
    assert batch is not None, "a nested block needs its outer block's batch"
    mark = batch.mark()
    try:
        yield
    except BaseException:
        batch.undo_to(mark)
        if level == 0:
            files.batch = None
        raise
    if level == 0:
        files.batch = None
        try:
            files.journal_applied(batch.ops)
        except BaseException:
            batch.undo_to(0)
            raise
