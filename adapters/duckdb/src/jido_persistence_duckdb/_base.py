"""The DuckDB store's lifecycle, test hooks and call helpers (no callbacks).

:class:`DuckDBBase` opens (creating and migrating) and closes the store, answers the
test hooks of contract section 8 (``fresh_store_url``, ``destroy_store``,
``raw_index``), lends a cursor to :mod:`jido_persistence_duckdb.analytics` and holds
the helpers every callback of :class:`~jido_persistence_duckdb.DuckDBAdapter` runs its
SQL through.  The callbacks live in :mod:`jido_persistence_duckdb.adapter` and its
mixins.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, ClassVar

import duckdb

from jido_persistence.adapter import AdapterOptions, PersistenceAdapter, RawIndex
from jido_persistence.errors import StoreClosed
from jido_persistence.models import Participant, Thread
from jido_persistence.urls import StoreUrl
from jido_persistence_duckdb._connection import Database
from jido_persistence_duckdb._keys import read_raw_index
from jido_persistence_duckdb._message_row import message_params
from jido_persistence_duckdb._options import DuckDBOptions
from jido_persistence_duckdb._rows import TableSpec
from jido_persistence_duckdb._schema import migrate, participant_name_fold
from jido_persistence_duckdb._statements import lookup_key
from jido_persistence_duckdb._tables import PARTICIPANTS, THREADS
from jido_persistence_duckdb._writes import put_record

__all__ = ["Cursor", "DuckDBBase"]

Cursor = duckdb.DuckDBPyConnection


class DuckDBBase(PersistenceAdapter):
    """A store in one DuckDB file, without the callbacks: see ``DuckDBAdapter``."""

    Options: ClassVar[type[AdapterOptions]] = DuckDBOptions
    durable = True
    """Data in a file survives ``close()``; a ``:memory:`` store does not."""
    multi_process = False
    """DuckDB allows one read-write process per file."""
    backend_errors = (duckdb.Error,)

    def __init__(self, **options: object) -> None:
        """Open (creating and migrating when needed) the DuckDB store at ``path``.

        Raises StoreLocked when another process holds the file, ConfigurationError for
        bad options or a store written by a newer schema version.
        """
        self.options: DuckDBOptions = DuckDBOptions.parse(options)
        config: dict[str, str | bool | int | float | list[str]] = {}
        if self.options.threads is not None:
            config["threads"] = self.options.threads
        if self.options.memory_limit is not None:
            config["memory_limit"] = self.options.memory_limit
        self._db = Database(self.options.path, config, self.options.busy_timeout)
        try:
            with self._db.write_lock:
                migrate(self._db.connection, self._db.location)
        except BaseException:
            self._db.abandon()
            raise

    @property
    def location(self) -> str:
        """The absolute path of the database file (or ``:memory:``)."""
        return self._db.location

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        """This thread's DuckDB cursor, for read-only use (:mod:`.analytics`).

        ``close()`` waits for the block to end; raises StoreClosed after ``close()``.
        """
        if self._closed:
            raise StoreClosed(f"{type(self).__name__} is closed")
        with self._db.entered():
            yield self._db.cursor()

    @classmethod
    def fresh_store_url(cls, directory: Path, unique: str) -> str | None:
        """A new database file inside ``directory``: ``duckdb:////<directory>/<unique>.duckdb``."""
        return f"duckdb:///{Path(directory).resolve() / (unique + '.duckdb')}"

    @classmethod
    def destroy_store(cls, url: str) -> None:
        """Remove the database file of ``url`` and its write-ahead log."""
        path = StoreUrl.parse(url).path
        if not path or path.startswith(":memory:"):
            return
        for candidate in (Path(path), Path(path + ".wal")):
            candidate.unlink(missing_ok=True)

    def _transaction(self, level: int) -> AbstractContextManager[None]:
        """A DuckDB transaction holding the write lock; savepoints replayed (see
        :mod:`._blocks`)."""
        return self._db.block(level)

    def close(self) -> None:
        """Wait for running calls, then close the database; idempotent."""
        super().close()
        self._db.close()

    def raw_index(self) -> RawIndex:
        """The keys and row counts read straight from the tables (the kit's back door)."""
        with self._db.entered():
            return read_raw_index(self._db.cursor())

    # --- row parameters (what the callbacks, ingest and import write) ------------------

    _message_params = staticmethod(message_params)

    @staticmethod
    def _participant_params(participant: Participant) -> list[Any]:
        pairs = [lookup_key(channel, ext) for channel, ext in participant.external_ids.items()]
        return [
            *PARTICIPANTS.params(participant),
            participant_name_fold(participant.identity),
            pairs,
        ]

    @staticmethod
    def _thread_params(thread: Thread) -> list[Any]:
        external, root = thread.external_thread_id, thread.root_message_id
        return [
            *THREADS.params(thread),
            None if external is None else lookup_key(thread.room_id, external),
            None if root is None else lookup_key(thread.room_id, root),
        ]

    # --- helpers ---------------------------------------------------------------------

    def _one(self, statement: str, params: list[Any]) -> Any:
        with self._db.entered():
            return self._db.cursor().execute(statement, params).fetchone()

    def _all(self, statement: str, params: list[Any]) -> list[Any]:
        with self._db.entered():
            return self._db.cursor().execute(statement, params).fetchall()

    def _write(self, statement: str, params: list[Any]) -> None:
        with self._db.entered():
            self._db.write(statement, params)

    def _put(self, spec: TableSpec[Any], key: str, params: list[Any]) -> None:
        """Save one record's row (``key``: its primary key), see :mod:`._writes`."""
        with self._db.entered():
            self._db.locked(lambda cursor: put_record(cursor, spec, key, params))

    def _deleted(self, statement: str, params: list[Any]) -> bool:
        """Run a ``DELETE ... RETURNING``; whether a row was deleted."""
        with self._db.entered():
            found: list[Any] = []

            def work(cursor: Cursor) -> None:
                found.extend(cursor.execute(statement, params).fetchall())

            self._db.transaction(work)
            return bool(found)
