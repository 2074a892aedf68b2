"""The SQLite store's lifecycle, test hooks and call helpers (no callbacks).

:class:`SQLiteBase` opens and closes the store, answers the test hooks of contract
section 8 (``fresh_store_url``, ``destroy_store``, ``raw_index``) and holds the helpers
every callback of :class:`~jido_persistence_sqlite.SQLiteAdapter` runs its SQL through.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

from jido_persistence.adapter import AdapterOptions, PersistenceAdapter, RawIndex
from jido_persistence.errors import NotFound, StoreClosed
from jido_persistence.urls import StoreUrl
from jido_persistence_sqlite import _statements as sql
from jido_persistence_sqlite._database import Database
from jido_persistence_sqlite._options import SQLiteOptions

__all__ = ["SQLiteBase"]

T = TypeVar("T")
ModelT = TypeVar("ModelT", bound=BaseModel)
Connection = sqlite3.Connection

_FILE_SUFFIXES = ("", "-wal", "-shm", "-journal")


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
        state = " closed" if self._closed else ""
        return f"<{type(self).__name__}{state} {self._db.location!r}>"

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
        if not path:
            return
        for suffix in _FILE_SUFFIXES:
            Path(path + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        """Wait for running calls, checkpoint the WAL and close every connection; idempotent."""
        super().close()
        self._db.close()

    # --- helpers -------------------------------------------------------------------

    def _doc(self, query: str, params: tuple[object, ...]) -> str | None:
        row = self._db.one(query, params)
        return None if row is None else str(row[0])

    def _docs(self, query: str, params: tuple[object, ...]) -> list[str]:
        return [row[0] for row in self._db.all(query, params)]

    def _get(self, query: str, key: str, model: type[ModelT], entity: str) -> ModelT:
        doc = self._doc(query, (key,))
        if doc is None:
            raise NotFound(entity, key)
        return model.model_validate_json(doc)

    def _write(self, name: str, query: str, params: tuple[object, ...]) -> int:
        """Run one write statement in its own immediate transaction; the rows it changed."""
        return self._db.write(name, lambda conn: conn.execute(query, params).rowcount)

    def _delete_existing(
        self, name: str, query: str, params: tuple[object, ...], entity: str, key: object
    ) -> None:
        if not self._write(name, query, params):
            raise NotFound(entity, key)

    def _in_transaction(self, name: str, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one immediate transaction (with ``Database.write``'s retries)."""
        return self._db.write(name, work)

    def _transaction(self, level: int) -> AbstractContextManager[None]:
        """One ``BEGIN IMMEDIATE`` transaction holding the write lock for the block;
        nested blocks are savepoints (see ``Database.block``)."""
        return self._db.block(level)

    # --- test hook -----------------------------------------------------------------

    def raw_index(self) -> RawIndex:
        """The keys and row counts read straight from the tables, in one snapshot."""
        if self._closed:
            raise StoreClosed("SQLiteAdapter is closed: raw_index() needs an open store")

        def work(conn: Connection) -> RawIndex:
            def rows(query: str) -> list[Any]:
                return conn.execute(query).fetchall()

            counts = rows(sql.RAW_ROW_COUNTS)[0]
            return RawIndex(
                room_binding_keys={(c, b, e): r for c, b, e, r in rows(sql.RAW_BINDING_KEYS)},
                participant_keys={(c, e): p for c, e, p in rows(sql.RAW_PARTICIPANT_KEYS)},
                message_keys={(c, b, e): m for c, b, e, m, _ in rows(sql.RAW_MESSAGE_KEYS)},
                thread_external_keys={
                    (r, e): t for r, e, t, _ in rows(sql.RAW_THREAD_EXTERNAL_KEYS)
                },
                thread_root_keys={(r, m): t for r, m, t, _ in rows(sql.RAW_THREAD_ROOT_KEYS)},
                row_counts=dict(zip(sql.RAW_COUNT_TABLES, map(int, counts), strict=True)),
            )

        return self._db.snapshot(work)
