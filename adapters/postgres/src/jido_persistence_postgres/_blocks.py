"""``transaction()`` blocks on PostgreSQL: one server transaction on a pinned connection.

A block takes a connection from the pool and pins it to the calling thread (the async
store: to the calling task) until the block ends; ``BEGIN`` opens it, a nested block
is a ``SAVEPOINT`` (psycopg's nested ``conn.transaction()``).  Every callback the
thread makes meanwhile runs on that connection in a savepoint of its own, so a
callback that fails inside a block undoes only itself, as outside one.  Other
connections proceed under MVCC and see none of the block until it commits (they wait
only for rows it locked: a key it is creating).  A process killed inside a block
leaves nothing: the server rolls back the dead connection's transaction.

Retries: outside blocks, serialization failures and deadlocks are retried by running
the callback again.  Inside a block they are **not** retried (a retry would have to
re-run the caller's code too): the callback raises StorageError, the block is rolled
back when that exception leaves it, and the caller may run the whole block again.
A lost get-or-create race (:class:`~._conflicts.Retry`) is still retried, in the
callback's savepoint.  A lost connection inside a block raises StorageError.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Protocol, TypeVar

import psycopg

from jido_persistence.errors import StorageError
from jido_persistence_postgres._conflicts import TRANSIENT, Connection, Retry
from jido_persistence_postgres._options import PostgresOptions

__all__ = ["BlockHost", "block_errors", "run_pinned"]

T = TypeVar("T")


class BlockHost(Protocol):
    """What the block helpers use of the store's ``Database`` (sync or async)."""

    @property
    def options(self) -> PostgresOptions:
        """The store's options (``retries``)."""
        ...

    def describe(self, what: str, error: BaseException) -> str:
        """``what`` and the error, the conninfo's password masked."""
        ...

    def _back_off(self, conflicts: int) -> None: ...


@contextlib.contextmanager
def block_errors(db: BlockHost, what: str) -> Iterator[None]:
    """Turn a psycopg error of ``BEGIN``/``COMMIT``/``ROLLBACK`` into StorageError."""
    try:
        yield
    except psycopg.Error as error:
        raise StorageError(db.describe(f"{what} of transaction() failed", error)) from error


def run_pinned(db: BlockHost, name: str, work: Callable[[Connection], T], conn: Connection) -> T:
    """Run one callback's ``work`` inside the open block, in a savepoint of its own."""
    conflicts = 0
    while True:
        try:
            with conn.transaction():
                return work(conn)
        except Retry:
            conflicts += 1
            if conflicts > db.options.retries:
                raise StorageError(
                    f"{name}() kept conflicting with concurrent calls after "
                    f"{db.options.retries} retries"
                ) from None
            db._back_off(conflicts)
        except TRANSIENT as error:
            raise StorageError(
                db.describe(
                    f"{name}() conflicted with a concurrent transaction inside a "
                    "transaction() block (not retried there: run the whole block again)",
                    error,
                )
            ) from error
        except psycopg.Error as error:
            raise StorageError(db.describe(f"{name}() failed", error)) from error
