"""The PostgreSQL store's lifecycle, test hooks and call helpers (no callbacks).

:class:`PostgresBase` opens and closes the store, answers the test hooks of contract
section 8 (``fresh_store_url``, ``destroy_store``, ``raw_index``) and holds the helpers
that every callback of :class:`~jido_persistence_postgres.PostgresAdapter` runs its SQL
through.  The callbacks themselves live in :mod:`jido_persistence_postgres.adapter`.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Self, TypeVar

import psycopg
from psycopg import sql
from pydantic import BaseModel

from jido_persistence.adapter import PersistenceAdapter, RawIndex
from jido_persistence.errors import NotFound, StoreClosed
from jido_persistence.models import Health
from jido_persistence.urls import StoreUrl
from jido_persistence_postgres._database import Connection, Database
from jido_persistence_postgres._options import (
    MAX_IDENTIFIER_BYTES,
    PostgresOptions,
    check_conninfo,
    options_from_url,
    redacted_conninfo,
    with_schema,
)
from jido_persistence_postgres._statements import Statements

if TYPE_CHECKING:
    from jido_persistence_postgres.aio import PostgresRunner

__all__ = ["TEST_URL_VARIABLE", "PostgresBase"]

TEST_URL_VARIABLE: Final = "JIDO_PERSISTENCE_TEST_POSTGRES_URL"
"""The environment variable naming the database the test hooks create schemas in."""

T = TypeVar("T")
ModelT = TypeVar("ModelT", bound=BaseModel)


class PostgresBase(PersistenceAdapter):
    """A store in one PostgreSQL schema, without the callbacks: see ``PostgresAdapter``."""

    Options = PostgresOptions
    durable = True
    multi_process = True
    native_async = True
    """``open_async_store`` runs this adapter natively (psycopg's async pool, no threads)."""
    backend_errors = (psycopg.Error,)

    def __init__(self, **options: object) -> None:
        """Validate the options, create or migrate the schema, and start the pool."""
        self.options = PostgresOptions.parse(options)
        check_conninfo(self.options.conninfo)
        self._db = Database(self.options)
        self._sql = Statements(self.options.schema)

    @classmethod
    async def open_native_async(cls, **options: object) -> tuple[Self, PostgresRunner]:
        """The native async store: this class's callbacks over an async pool.

        Returns the adapter and its runner (:mod:`jido_persistence_postgres.aio`); the
        adapter may only be called through the runner.  Raises what construction
        raises.
        """
        from jido_persistence_postgres._async_database import AsyncDatabase
        from jido_persistence_postgres.aio import PostgresRunner

        parsed = PostgresOptions.parse(options)
        check_conninfo(parsed.conninfo)
        database = await AsyncDatabase.open(parsed)
        store = cls.__new__(cls)
        store.options = parsed
        store._db = database
        store._sql = Statements(parsed.schema)
        return store, PostgresRunner(store, database)

    def __repr__(self) -> str:
        state = " closed" if self._closed else ""
        return (
            f"<{type(self).__name__}{state} {redacted_conninfo(self.options.conninfo)!r}"
            f" schema={self.options.schema!r}>"
        )

    @classmethod
    def url_options(cls, url: StoreUrl) -> dict[str, object]:
        """``schema`` and the other options from the query; the rest of the URL is conninfo."""
        return options_from_url(url)

    @classmethod
    def fresh_store_url(cls, directory: Path, unique: str) -> str | None:
        """Test hook: the ``$JIDO_PERSISTENCE_TEST_POSTGRES_URL`` database, schema ``unique``.

        ``None`` when the variable is unset.  A ``unique`` that is not a usable schema
        name (too long, or starting with ``pg_``) is shortened with a hash.
        """
        url = os.environ.get(TEST_URL_VARIABLE)
        if not url:
            return None
        schema = unique
        if len(schema.encode("utf-8")) > MAX_IDENTIFIER_BYTES or schema.lower().startswith("pg_"):
            digest = hashlib.sha256(unique.encode("utf-8")).hexdigest()[:16]
            schema = f"jp_{digest}"
        return with_schema(url, schema)

    @classmethod
    def destroy_store(cls, url: str) -> None:
        """Test hook: drop the store's schema and everything in it."""
        options = PostgresOptions.parse(options_from_url(StoreUrl.parse(url)))
        with psycopg.connect(options.conninfo, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(options.schema))
            )

    def _health_check(self) -> Health:
        """``SELECT 1`` through the pool, bounded by a short timeout, so an unreachable
        server answers ``ok=False`` within seconds (the base probe would wait for the
        pool's full timeout and retry).  The detail never shows the password."""
        started = time.perf_counter()
        try:
            self._db.probe()
        except psycopg.Error as error:
            detail = self._db.describe("SELECT 1 failed", error)
            return Health(ok=False, latency_s=time.perf_counter() - started, detail=detail)
        return Health(ok=True, latency_s=time.perf_counter() - started, detail="ok (SELECT 1)")

    def close(self) -> None:
        """Close the pool; calls already running finish, later ones raise StoreClosed."""
        if self._closed:
            return
        super().close()
        self._db.close()

    # --- helpers -------------------------------------------------------------------

    def _one(self, name: str, query: str, params: Any) -> Any:
        def work(conn: Connection) -> Any:
            row = conn.execute(query, params).fetchone()
            return None if row is None else row[0]

        return self._db.run(name, work)

    def _column(self, name: str, query: str, params: Any) -> list[Any]:
        def work(conn: Connection) -> list[Any]:
            return [row[0] for row in conn.execute(query, params).fetchall()]

        return self._db.run(name, work)

    def _write(self, name: str, query: str, params: Any) -> None:
        def work(conn: Connection) -> None:
            conn.execute(query, params)

        self._db.run(name, work)

    def _get(self, name: str, query: str, key: str, model: type[ModelT], entity: str) -> ModelT:
        doc = self._one(name, query, (key,))
        if doc is None:
            raise NotFound(entity, key)
        return model.model_validate_json(doc)

    def _delete_existing(self, name: str, query: str, params: Any, entity: str, key: Any) -> None:
        """Delete with NotFound when nothing was there; not repeated after a lost connection."""

        def work(conn: Connection) -> bool:
            return conn.execute(query, params).fetchone() is not None

        if not self._db.run(name, work, repeatable=False):
            raise NotFound(entity, key)

    def _in_transaction(self, name: str, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one server transaction (with the retries of ``Database.run``)."""
        return self._db.run(name, work, transaction=True)

    def _transaction(self, level: int) -> AbstractContextManager[None]:
        """A server transaction on a connection pinned to the thread; nested blocks are
        savepoints (see :mod:`._blocks`)."""
        return self._db.block(level)

    # --- test hook -----------------------------------------------------------------

    def raw_index(self) -> RawIndex:
        """The keys and row counts read straight from the tables (the kit's back door)."""
        self._raise_if_closed()
        statements = self._sql

        def work(conn: Connection) -> RawIndex:
            def rows(query: str) -> list[tuple[Any, ...]]:
                # (): run with parameters, so the schema's doubled % reads as one
                return conn.execute(query, (), prepare=False).fetchall()

            # One snapshot for every table, so the index is consistent even under writes.
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", prepare=False)
            counts = rows(statements.raw_row_counts)[0]
            return RawIndex(
                room_binding_keys={
                    (c, b, e): r for c, b, e, r in rows(statements.raw_binding_keys)
                },
                participant_keys={(c, e): p for c, e, p in rows(statements.raw_participant_keys)},
                message_keys={(c, b, e): m for c, b, e, m in rows(statements.raw_message_keys)},
                thread_external_keys={
                    (r, e): t for r, e, t in rows(statements.raw_thread_external_keys)
                },
                thread_root_keys={(r, m): t for r, m, t in rows(statements.raw_thread_root_keys)},
                row_counts=dict(zip(Statements.RAW_COUNT_TABLES, map(int, counts), strict=True)),
            )

        return self._db.run("raw_index", work, transaction=True)

    def _raise_if_closed(self) -> None:
        """Raise StoreClosed after :meth:`close` (``raw_index`` is not a guarded callback)."""
        if self._closed:
            raise StoreClosed("PostgresAdapter is closed: raw_index() needs an open store")
