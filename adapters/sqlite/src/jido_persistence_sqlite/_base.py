"""The SQLite store's lifecycle, test hooks (contract section 8) and the hooks through which
:mod:`jido_persistence.sqlkit` runs its statements on the ``_database.Database``."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from jido_persistence.adapter import AdapterOptions, PersistenceAdapter
from jido_persistence.urls import StoreUrl
from jido_persistence_sqlite._database import Database
from jido_persistence_sqlite._options import SQLiteOptions

__all__ = ["SQLiteBase"]

T = TypeVar("T")


class SQLiteBase(PersistenceAdapter):
    """A store in one SQLite file, without the callbacks: see ``SQLiteAdapter``."""

    Options: ClassVar[type[AdapterOptions]] = SQLiteOptions
    durable = True
    multi_process = True
    """Several processes on one machine may share the file (SQLite's file locks)."""
    backend_errors = (sqlite3.Error,)

    def __init__(self, **options: object) -> None:
        """Open (creating and migrating when needed) the SQLite store at ``path``.

        Raises ConfigurationError for bad options (``:memory:`` included), a missing
        directory, a file that is not a SQLite database or one written by a newer
        schema version; StorageError when the file stays locked for ``busy_timeout``.
        """
        self.options: SQLiteOptions = SQLiteOptions.parse(options)
        self._db = Database(self.options)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}{' closed' * self._closed} {self._db.location!r}>"

    @property
    def location(self) -> str:
        """The absolute path of the database file."""
        return self._db.location

    @classmethod
    def fresh_store_url(cls, directory: Path, unique: str) -> str | None:
        """Test hook: a new file inside ``directory``: ``sqlite:////<dir>/<unique>.sqlite3``."""
        return f"sqlite:///{Path(directory).resolve() / (unique + '.sqlite3')}"

    @classmethod
    def destroy_store(cls, url: str) -> None:
        """Test hook: remove the database file of ``url`` with its WAL and shared memory."""
        path = StoreUrl.parse(url).path
        for suffix in ("", "-wal", "-shm", "-journal") if path else ():
            Path(path + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        """Wait for running calls, checkpoint the WAL and close every connection; idempotent."""
        super().close()
        self._db.close()

    def _sql_one(self, statement: str, params: tuple[object, ...]) -> Any:
        return self._db.one(statement, params)

    def _sql_all(self, statement: str, params: tuple[object, ...]) -> list[Any]:
        return self._db.all(statement, params)

    # ``work`` takes this thread's sqlite3.Connection (a SqlConnection of the toolkit).
    def _sql_read(self, work: Callable[[Any], T]) -> T:
        return self._db.read(work)

    def _sql_write(self, name: str, work: Callable[[Any], T]) -> T:
        """Run ``work`` in one immediate transaction (with ``Database.write``'s retries)."""
        return self._db.write(name, work)

    sql_integrity_errors: ClassVar[tuple[type[BaseException], ...]] = (sqlite3.IntegrityError,)

    def _sql_export_connection(self) -> AbstractContextManager[Any]:
        """The export's own read-only connection in one snapshot (``Database``)."""
        return self._db.read_only_snapshot()

    def _transaction(self, level: int) -> AbstractContextManager[None]:
        """One ``BEGIN IMMEDIATE`` transaction for the block (``Database.block``)."""
        return self._db.block(level)
