"""Transactions (contract 1.3, section 9.4): nesting, store locks and undo by snapshot.

:meth:`~jido_persistence.adapter.PersistenceAdapter.transaction` is defined once, on the
base class: it counts how deeply the calling thread is nested in blocks of this store
and calls the adapter's hook ``_transaction(level)`` for each block, ``level`` 0 for the
outermost block and ``n > 0`` for a savepoint inside it.  The hook returns a context
manager that makes its block atomic: on a normal exit it commits (level 0) or releases
the savepoint, on an exception it undoes what the block did.  The callbacks the thread
makes meanwhile join the block because the hook holds, for the block's duration,
whatever makes the thread's calls its own: the store lock of an in-process store
(:class:`StoreLock`, re-entrant), a thread-pinned connection of a server store.

The helpers here serve adapters that keep their state in Python objects (the memory
reference adapter; TinyDB keeps its own undo log): :func:`snapshot_state` copies the
containers of an object so that :func:`restore_state` can put them back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType
from typing import Any, Final, Protocol

from sortedcontainers import SortedDict, SortedList  # type: ignore[import-untyped]

from jido_persistence.errors import StorageError, StoreClosed

__all__ = [
    "DEFAULT_BUSY_TIMEOUT",
    "SnapshotTransactions",
    "StoreLock",
    "TransactionHook",
    "TransactionLevels",
    "restore_state",
    "snapshot_state",
    "state_attributes",
    "transaction_block",
    "transaction_depth",
]

DEFAULT_BUSY_TIMEOUT: Final = 5.0
"""Seconds a callback of another thread waits for an open block (the ``busy_timeout``
option of the single-writer bundled adapters) before it raises StorageError."""


class TransactionHook(Protocol):
    """``_transaction(level)``: the context manager that makes one block atomic."""

    def __call__(self, level: int) -> AbstractContextManager[None]:
        """Open the block at nesting ``level`` (0 outermost); commit or undo on exit."""
        ...


class TransactionLevels:
    """How deeply each thread is nested in blocks of one store (thread-local, O(1))."""

    def __init__(self) -> None:
        """No thread is inside a block."""
        self._local = threading.local()

    def current(self) -> int:
        """The calling thread's depth: 0 outside every block."""
        depth: int = getattr(self._local, "depth", 0)
        return depth

    @contextmanager
    def entered(self) -> Iterator[int]:
        """Count one more level for the calling thread while the block runs; yield the
        level of the new block (0 for the outermost)."""
        level = self.current()
        self._local.depth = level + 1
        try:
            yield level
        finally:
            self._local.depth = level


class StoreLock:
    """A re-entrant lock whose waiters give up on another thread's open block.

    An in-process store serialises its callbacks with one lock; a transaction holds it
    for the whole block (:meth:`block`), so the owning thread's callbacks re-enter it
    and other threads wait.  A waiter that has waited ``timeout`` seconds while a block
    holds the lock raises StorageError naming the timeout instead of hanging; waiting
    behind ordinary callbacks never times out.  ``acquire`` and ``release`` are the
    underlying RLock's; :attr:`untimed` is that RLock itself, for helpers that must
    wait however long it takes (a background compaction).
    """

    def __init__(self, timeout: float = DEFAULT_BUSY_TIMEOUT, *, what: str = "the store") -> None:
        """A free lock; ``what`` names the store in the timeout's error message."""
        self.untimed = threading.RLock()
        self.timeout = timeout
        self._what = what
        self._blocks = 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """The RLock's ``acquire``."""
        return self.untimed.acquire(blocking, timeout)

    def release(self) -> None:
        """The RLock's ``release``."""
        self.untimed.release()

    def wait(self, timeout: float | None = None) -> None:
        """Acquire; raise StorageError once ``timeout`` (default :attr:`timeout`)
        seconds have passed while a transaction block holds the lock."""
        limit = self.timeout if timeout is None else timeout
        while not self.untimed.acquire(timeout=limit):
            if self._blocks:
                raise StorageError(
                    f"{self._what} stayed locked by another thread's transaction for more "
                    f"than {limit:g} s (the busy_timeout option)"
                )

    @contextmanager
    def block(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the lock for a transaction block (waiters may then time out)."""
        self.wait(timeout)
        self._blocks += 1
        try:
            yield
        finally:
            self._blocks -= 1
            self.untimed.release()

    def __enter__(self) -> StoreLock:
        """:meth:`wait`."""
        self.wait()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Release."""
        self.untimed.release()


def _copy(value: Any) -> Any:
    """A copy of ``value`` deep enough that no later write to the original reaches it.

    Containers (dict, list, set, SortedDict, SortedList, and the objects whose class
    sets ``copied_by_attributes``: the indexes and the
    :class:`~jido_persistence.state.InMemoryState`) are copied; everything else
    (frozen models, strings, tuples of immutables) is shared.
    """
    kind = type(value)
    if kind is dict:
        return {key: _copy(item) for key, item in value.items()}
    if kind is list:
        return [_copy(item) for item in value]
    if kind is set:
        return set(value)
    if isinstance(value, SortedDict):
        return type(value)({key: _copy(item) for key, item in value.items()})
    if isinstance(value, SortedList):
        return type(value)(value)
    if getattr(kind, "copied_by_attributes", False):
        clone = object.__new__(kind)
        clone.__dict__.update({key: _copy(item) for key, item in vars(value).items()})
        return clone
    return value


def state_attributes(owner: object) -> list[str]:
    """The names of ``owner``'s attributes that hold its data: dicts, lists, sets,
    sorted lists, indexes and in-memory states (not its options, locks or counters)."""
    return [
        name
        for name, value in vars(owner).items()
        if isinstance(value, dict | list | set | SortedList | SortedDict)
        or getattr(type(value), "copied_by_attributes", False)
    ]


def snapshot_state(owner: object, names: Iterable[str]) -> dict[str, Any]:
    """Copies of the attributes ``names`` of ``owner``, for :func:`restore_state`.

    O(size of those attributes): the memory adapter's undo is a snapshot taken when a
    block opens (transactions there are for tests and examples, not for big stores).
    """
    return {name: _copy(getattr(owner, name)) for name in names}


def restore_state(owner: object, snapshot: dict[str, Any]) -> None:
    """Put back the attributes saved by :func:`snapshot_state`.  O(1)."""
    for name, value in snapshot.items():
        setattr(owner, name, value)


class SnapshotTransactions:
    """The ``_transaction`` hook of a store whose data are attributes of the adapter,
    guarded by a :class:`StoreLock` named ``_lock`` (the memory reference adapter).

    A block holds the lock from its start to its end, so the thread's own callbacks
    re-enter it and other threads wait (at most the lock's timeout, then
    StorageError).  Each level copies the data attributes when it opens
    (:func:`snapshot_state`, O(n)) and puts the copy back when an exception leaves it.
    """

    _lock: StoreLock

    @contextmanager
    def _transaction(self, level: int) -> Iterator[None]:
        """Hold the store lock for the block; undo it from a snapshot on an exception."""
        with self._lock.block():
            saved = snapshot_state(self, state_attributes(self))
            try:
                yield
            except BaseException:
                restore_state(self, saved)
                raise


class _Transactional(Protocol):
    """What :func:`transaction_block` needs of a store (a PersistenceAdapter)."""

    @property
    def backend_errors(self) -> tuple[type[BaseException], ...]: ...

    @property
    def closed(self) -> bool: ...

    def _transaction(self, level: int) -> AbstractContextManager[None]: ...


_LEVELS_ATTRIBUTE: Final = "_jido_transaction_levels"


def _levels_of(store: object) -> TransactionLevels:
    levels: TransactionLevels | None = vars(store).get(_LEVELS_ATTRIBUTE)
    if levels is None:
        # dict.setdefault is atomic: two threads opening their first block at once
        # share one counter.
        levels = vars(store).setdefault(_LEVELS_ATTRIBUTE, TransactionLevels())
    return levels


def transaction_depth(store: object) -> int:
    """How many blocks of ``store`` the calling thread is inside (0: none).  O(1)."""
    return _levels_of(store).current()


@contextmanager
def transaction_block(store: _Transactional) -> Iterator[None]:
    """The body of ``PersistenceAdapter.transaction()``: one (possibly nested) block.

    Raises StoreClosed on a closed store, NotSupported from the adapter's default
    hook, and StorageError (the cause chained) when the backend fails to begin,
    commit or undo.  An exception raised in the block is re-raised unchanged after
    the block was undone.
    """
    if store.closed:
        raise StoreClosed(f"{type(store).__name__} is closed: transaction() needs an open store")
    errors = store.backend_errors
    with _levels_of(store).entered() as level:
        block = store._transaction(level)
        try:
            block.__enter__()
        except errors as error:
            raise StorageError(f"transaction() could not begin: {error}") from error
        try:
            yield
        except BaseException as raised:
            try:
                block.__exit__(type(raised), raised, raised.__traceback__)
            except errors as error:
                if error is raised:
                    raise
                raise StorageError(f"transaction() could not be undone: {error}") from error
            raise
        try:
            block.__exit__(None, None, None)
        except errors as error:
            raise StorageError(f"transaction() could not commit: {error}") from error
