"""Raw baselines: the four single-row operations done directly with each backend library.

Each baseline offers the methods of :class:`~.workloads.MessageStore`, so the same
workload code times it and the adapter side by side.  A baseline does what an
application would do without jido-persistence, and nothing more:

- ``dict``: a plain dict of :class:`Message` objects plus a key dict and a list
  per room (no validation, no lock, no copy): the floor of every figure.
- ``tinydb-json``: stock TinyDB with its default ``JSONStorage`` (every write
  rewrites the file, every read parses it: O(n) per call), query cache off.
- ``tinydb-snapshot``: the same on the TinyDB adapter's public storage layer,
  ``jido_persistence_tinydb.SnapshotStorage`` (atomic, synced rewrites).
- ``duckdb``: one table with the key columns and the message as JSON text on one
  connection to a file, written as a careful DuckDB user would: loaded in one
  transaction through the Appender (the row-group layout of the adapter's
  ``import_records`` build), indexed on ``external_id`` (DuckDB looks up through a
  single-column ART index, not a composite one) and on ``(room_id, inserted_at, id)``;
  a save reads the id and then runs a plain ``INSERT`` (``INSERT OR REPLACE`` only
  when the id is stored: DuckDB's conflict path costs several times a plain insert)
  and draws a save sequence value, and the external-id lookup is an ``arg_max`` of
  that sequence over the key's rows (the contract's most recently saved holder; an
  ``ORDER BY ... LIMIT 1`` makes DuckDB scan the table instead of using the index).
- ``psycopg``: the same table in a schema of its own (dropped afterwards), one
  autocommit connection, server-side prepared statements.
- ``sqlite3``: the SQLite adapter's own schema and statements (its public
  ``jido_persistence_sqlite.statements``: the same text and row parameters), run
  directly on one ``sqlite3`` connection with the adapter's settings (WAL,
  ``synchronous=FULL``, a 256 MiB memory map, each write in ``BEGIN IMMEDIATE``): what
  the adapter costs beyond the SQL it runs.

The SQL and TinyDB baselines store ``model_dump_json()`` / ``model_dump(mode="json")``
and rebuild a :class:`Message` on read, since an application needs its objects too.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Protocol

from jido_persistence.memory import message_sort_key
from jido_persistence.models import Message
from jido_persistence.validation import message_external_key

__all__ = [
    "RAW_BASELINES",
    "DictBaseline",
    "DuckDBBaseline",
    "PsycopgBaseline",
    "RawBaseline",
    "SQLiteBaseline",
    "TinyDBJSONBaseline",
    "TinyDBSnapshotBaseline",
]

TINYDB_JSON_MAX_SIZE: Final = 10_000
"""Stock TinyDB rewrites its whole file on each write: above this size it is skipped."""


class RawBaseline(Protocol):
    """A raw backend holding messages; the methods of :class:`~.workloads.MessageStore`."""

    def load(self, messages: Iterable[Message]) -> None:
        """Store ``messages`` (in insertion order) as fast as the library allows."""

    def save_message(self, message: Message) -> Message:
        """Insert or replace ``message``."""

    def get_message(self, message_id: str) -> Message:
        """The message with this id."""

    def get_message_by_external_id(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Message:
        """The message holding this external key."""

    def get_messages(self, room_id: str, *, limit: int = 50) -> list[Message]:
        """The newest ``limit`` messages of the room, oldest first."""

    def delete_before(self, room_id: str, before: datetime) -> int:
        """Delete the room's messages with ``inserted_at < before``; how many went."""

    def close(self) -> None:
        """Release the backend and remove what it created outside its directory."""


class DictBaseline:
    """Messages in plain dicts: the fastest anything can be in Python."""

    def __init__(self, directory: Path, options: dict[str, str]) -> None:
        """An empty baseline; ``directory`` and ``options`` are unused."""
        self._messages: dict[str, Message] = {}
        self._keys: dict[tuple[str, str, str], str] = {}
        self._rooms: dict[str, list[str]] = {}

    def load(self, messages: Iterable[Message]) -> None:
        """Save every message (dict inserts are already as fast as it gets)."""
        for message in messages:
            self.save_message(message)

    def save_message(self, message: Message) -> Message:
        """Insert ``message``; assumes new ids arrive in insertion order, as here."""
        self._messages[message.id] = message
        key = message_external_key(message)
        if key is not None:
            self._keys[key] = message.id
        self._rooms.setdefault(message.room_id, []).append(message.id)
        return message

    def get_message(self, message_id: str) -> Message:
        """One dict read."""
        return self._messages[message_id]

    def get_message_by_external_id(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Message:
        """Two dict reads."""
        return self._messages[self._keys[(channel, str(bridge_id), str(external_id))]]

    def get_messages(self, room_id: str, *, limit: int = 50) -> list[Message]:
        """A slice of the room's list."""
        return [self._messages[key] for key in self._rooms.get(room_id, [])[-limit:]]

    def delete_before(self, room_id: str, before: datetime) -> int:
        """One pass over the room's list (timestamps ascend with insertion here)."""
        room = self._rooms.get(room_id, [])
        cut = 0
        while cut < len(room) and _older(self._messages[room[cut]], before):
            del self._messages[room[cut]]
            cut += 1
        del room[:cut]
        return cut

    def close(self) -> None:
        """Drop everything."""
        self._messages.clear()


class TinyDBJSONBaseline:
    """Stock TinyDB on its default JSON file storage, queried with ``Query``."""

    def __init__(self, directory: Path, options: dict[str, str]) -> None:
        """A new TinyDB file in ``directory``."""
        self._open(directory / "raw-tinydb.json", {})

    def _open(self, path: Path, storage: dict[str, Any]) -> None:
        from tinydb import Query, TinyDB

        self._db = TinyDB(path, **storage)
        self._table = self._db.table("messages", cache_size=0)
        self._query = Query()

    def load(self, messages: Iterable[Message]) -> None:
        """One ``insert_multiple`` (one file write)."""
        self._table.insert_multiple(message.model_dump(mode="json") for message in messages)

    def save_message(self, message: Message) -> Message:
        """``upsert`` by id: reads and rewrites the whole file."""
        self._table.upsert(message.model_dump(mode="json"), self._query.id == message.id)
        return message

    def get_message(self, message_id: str) -> Message:
        """A ``Query`` scan for the id."""
        return Message.model_validate(self._table.get(self._query.id == message_id))

    def get_message_by_external_id(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Message:
        """A ``Query`` scan for the key."""
        query = self._query
        found = self._table.get(
            (query.external_id == str(external_id))
            & (query.metadata.channel == channel)
            & (query.metadata.bridge_id == str(bridge_id))
        )
        return Message.model_validate(found)

    def get_messages(self, room_id: str, *, limit: int = 50) -> list[Message]:
        """A ``Query`` scan for the room, every match rebuilt and sorted in Python."""
        found = [
            Message.model_validate(doc)
            for doc in self._table.search(self._query.room_id == room_id)
        ]
        found.sort(key=message_sort_key)
        return found[len(found) - limit :] if limit else []

    def delete_before(self, room_id: str, before: datetime) -> int:
        """One ``remove`` by ``Query`` (timestamps parsed per document): one file write."""
        query = self._query

        def older(text: str | None) -> bool:
            return text is None or datetime.fromisoformat(text) < before

        return len(self._table.remove((query.room_id == room_id) & query.inserted_at.test(older)))

    def close(self) -> None:
        """Close the file."""
        self._db.close()


class TinyDBSnapshotBaseline(TinyDBJSONBaseline):
    """Stock TinyDB on the TinyDB adapter's own storage layer, ``SnapshotStorage``
    (atomic, synced rewrites of the whole file: O(n) per write)."""

    def __init__(self, directory: Path, options: dict[str, str]) -> None:
        """A new snapshot file in ``directory``."""
        from jido_persistence_tinydb import SnapshotStorage

        self._open(directory / "raw-snapshot.json", {"storage": SnapshotStorage})


_COLUMNS: Final = "id, room_id, inserted_at, channel, bridge_id, external_id, body"


def _row(message: Message) -> tuple[Any, ...]:
    key = message_external_key(message)
    channel, bridge_id, external_id = key if key is not None else (None, None, None)
    return (
        message.id,
        message.room_id,
        message.inserted_at,
        channel,
        bridge_id,
        external_id,
        message.model_dump_json(),
    )


class DuckDBBaseline:
    """One DuckDB table on a file, written as a careful DuckDB user would (module doc)."""

    def __init__(self, directory: Path, options: dict[str, str]) -> None:
        """A new DuckDB file in ``directory`` with the table and its indexes."""
        import duckdb

        self._connection = duckdb.connect(str(directory / "raw.duckdb"))
        self._connection.execute(
            "CREATE TABLE messages (id VARCHAR PRIMARY KEY, room_id VARCHAR NOT NULL, "
            "inserted_at TIMESTAMPTZ, channel VARCHAR, bridge_id VARCHAR, "
            "external_id VARCHAR, body VARCHAR NOT NULL, save_seq BIGINT NOT NULL)"
        )

    def load(self, messages: Iterable[Message]) -> None:
        """One transaction through the Appender, then the indexes (built once)."""
        connection = self._connection
        connection.execute("BEGIN TRANSACTION")
        count = 0
        with connection.appender("messages", columns=[*_COLUMNS.split(", "), "save_seq"]) as app:
            for count, message in enumerate(messages, start=1):
                app.append_row(*_row(message), count)
        connection.execute(f"CREATE SEQUENCE save_seq START {count + 1}")
        connection.execute("COMMIT")
        connection.execute("CREATE INDEX messages_key ON messages (external_id)")
        connection.execute("CREATE INDEX messages_room ON messages (room_id, inserted_at, id)")

    def save_message(self, message: Message) -> Message:
        """Read the id; a plain ``INSERT`` when it is new, else ``INSERT OR REPLACE``."""
        found = self._connection.execute(
            "SELECT 1 FROM messages WHERE id = ?", [message.id]
        ).fetchone()
        verb = "INSERT" if found is None else "INSERT OR REPLACE"
        self._connection.execute(
            f"{verb} INTO messages ({_COLUMNS}, save_seq) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, nextval('save_seq'))",
            _row(message),
        )
        return message

    def _one(self, sql: str, parameters: list[Any]) -> Message:
        row = self._connection.execute(sql, parameters).fetchone()
        if row is None or row[0] is None:  # arg_max over no rows is one NULL
            raise KeyError(parameters)
        return Message.model_validate_json(row[0])

    def get_message(self, message_id: str) -> Message:
        """Select by primary key."""
        return self._one("SELECT body FROM messages WHERE id = ?", [message_id])

    def get_message_by_external_id(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Message:
        """Select by the external key: its most recently saved holder, as the contract
        says (``save_seq``), through the ``external_id`` index."""
        return self._one(
            "SELECT arg_max(body, save_seq) FROM messages "
            "WHERE channel = ? AND bridge_id = ? AND external_id = ?",
            [channel, str(bridge_id), str(external_id)],
        )

    def get_messages(self, room_id: str, *, limit: int = 50) -> list[Message]:
        """The newest ``limit`` rows of the room, reversed."""
        rows = self._connection.execute(
            "SELECT body FROM messages WHERE room_id = ? "
            "ORDER BY inserted_at DESC NULLS LAST, id DESC LIMIT ?",
            [room_id, limit],
        ).fetchall()
        return [Message.model_validate_json(row[0]) for row in reversed(rows)]

    def delete_before(self, room_id: str, before: datetime) -> int:
        """One ``DELETE ... WHERE room_id = ? AND inserted_at < ?``."""
        row = self._connection.execute(
            "DELETE FROM messages WHERE room_id = ? AND inserted_at < ?", [room_id, before]
        ).fetchone()
        return 0 if row is None else int(row[0])

    def close(self) -> None:
        """Close the connection (the file goes with the temporary directory)."""
        self._connection.close()


class PsycopgBaseline:
    """The same table in PostgreSQL, in a schema of its own, over one connection."""

    def __init__(self, directory: Path, options: dict[str, str]) -> None:
        """Connect to ``options["conninfo"]`` and create a fresh schema with the table."""
        import psycopg

        self._connection = psycopg.connect(options["conninfo"], autocommit=True)
        self._schema = "jido_bench_raw_" + secrets.token_hex(6)
        schema = self._schema
        self._connection.execute(f"CREATE SCHEMA {schema}")
        self._connection.execute(
            f'CREATE TABLE {schema}.messages (id TEXT COLLATE "C" PRIMARY KEY, '
            'room_id TEXT COLLATE "C" NOT NULL, inserted_at TIMESTAMPTZ, '
            'channel TEXT COLLATE "C", bridge_id TEXT COLLATE "C", '
            'external_id TEXT COLLATE "C", body TEXT NOT NULL)'
        )

    def load(self, messages: Iterable[Message]) -> None:
        """``COPY`` every row, then build the indexes and analyse."""
        schema = self._schema
        with (
            self._connection.cursor() as cursor,
            cursor.copy(f"COPY {schema}.messages ({_COLUMNS}) FROM STDIN") as copy,
        ):
            for message in messages:
                copy.write_row(_row(message))
        self._connection.execute(
            f"CREATE INDEX ON {schema}.messages (channel, bridge_id, external_id)"
        )
        self._connection.execute(f"CREATE INDEX ON {schema}.messages (room_id, inserted_at, id)")
        self._connection.execute(f"ANALYZE {schema}.messages")

    def save_message(self, message: Message) -> Message:
        """``INSERT ... ON CONFLICT (id) DO UPDATE`` one row."""
        self._connection.execute(
            f"INSERT INTO {self._schema}.messages ({_COLUMNS}) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET "
            "room_id = EXCLUDED.room_id, inserted_at = EXCLUDED.inserted_at, "
            "channel = EXCLUDED.channel, bridge_id = EXCLUDED.bridge_id, "
            "external_id = EXCLUDED.external_id, body = EXCLUDED.body",
            _row(message),
            prepare=True,
        )
        return message

    def _one(self, sql: str, parameters: list[Any]) -> Message:
        row = self._connection.execute(sql, parameters, prepare=True).fetchone()
        if row is None:
            raise KeyError(parameters)
        return Message.model_validate_json(row[0])

    def get_message(self, message_id: str) -> Message:
        """Select by primary key."""
        return self._one(f"SELECT body FROM {self._schema}.messages WHERE id = %s", [message_id])

    def get_message_by_external_id(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Message:
        """Select by the external key (newest holder)."""
        return self._one(
            f"SELECT body FROM {self._schema}.messages WHERE channel = %s AND bridge_id = %s "
            "AND external_id = %s ORDER BY inserted_at DESC LIMIT 1",
            [channel, str(bridge_id), str(external_id)],
        )

    def get_messages(self, room_id: str, *, limit: int = 50) -> list[Message]:
        """The newest ``limit`` rows of the room, reversed."""
        rows = self._connection.execute(
            f"SELECT body FROM {self._schema}.messages WHERE room_id = %s "
            "ORDER BY inserted_at DESC, id DESC LIMIT %s",
            [room_id, limit],
            prepare=True,
        ).fetchall()
        return [Message.model_validate_json(row[0]) for row in reversed(rows)]

    def delete_before(self, room_id: str, before: datetime) -> int:
        """One ``DELETE ... WHERE room_id = %s AND inserted_at < %s``."""
        return self._connection.execute(
            f"DELETE FROM {self._schema}.messages WHERE room_id = %s AND inserted_at < %s",
            [room_id, before],
        ).rowcount

    def close(self) -> None:
        """Drop the schema and close the connection."""
        try:
            self._connection.execute(f"DROP SCHEMA IF EXISTS {self._schema} CASCADE")
        finally:
            self._connection.close()


class SQLiteBaseline:
    """The SQLite adapter's schema and statements on one plain ``sqlite3`` connection."""

    def __init__(self, directory: Path, options: dict[str, str]) -> None:
        """A new SQLite file in ``directory`` with the adapter's tables and settings."""
        import sqlite3

        from jido_persistence_sqlite.statements import MIGRATIONS

        self._connection = sqlite3.connect(directory / "raw.sqlite3", isolation_level=None)
        self._connection.execute("PRAGMA journal_mode = WAL")
        self._connection.execute("PRAGMA synchronous = FULL")
        self._connection.execute(f"PRAGMA mmap_size = {256 * 2**20}")
        for migration in MIGRATIONS:
            for statement in migration:
                # A function step (the directory's name index) touches no message table.
                if isinstance(statement, str):
                    self._connection.execute(statement)

    def _write(self, rows: list[tuple[Any, ...]]) -> None:
        from jido_persistence_sqlite import statements as sql

        self._connection.execute(sql.BEGIN_WRITE)
        self._connection.executemany(sql.MESSAGE_UPSERT, rows)
        self._connection.execute(sql.COMMIT)

    def load(self, messages: Iterable[Message]) -> None:
        """One ``executemany`` of the upsert in one transaction, then the WAL checkpointed
        and truncated: the adapter's store is measured after a close and a reopen (its
        ``close()`` truncates the WAL), and a WAL already grown by the load would let the
        baseline's saves overwrite frames in place while the adapter's extend its file."""
        from jido_persistence_sqlite import statements as sql

        self._write([sql.message_row(message) for message in messages])
        self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def save_message(self, message: Message) -> Message:
        """The adapter's upsert in ``BEGIN IMMEDIATE`` ... ``COMMIT``."""
        from jido_persistence_sqlite import statements as sql

        self._connection.execute(sql.BEGIN_WRITE)
        self._connection.execute(sql.MESSAGE_UPSERT, sql.message_row(message))
        self._connection.execute(sql.COMMIT)
        return message

    def _one(self, statement: str, parameters: tuple[Any, ...]) -> Message:
        row = self._connection.execute(statement, parameters).fetchone()
        if row is None:
            raise KeyError(parameters)
        return Message.model_validate_json(row[0])

    def get_message(self, message_id: str) -> Message:
        """The adapter's primary-key select."""
        from jido_persistence_sqlite import statements as sql

        return self._one(sql.MESSAGE_GET, (message_id,))

    def get_message_by_external_id(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Message:
        """The adapter's key select (newest holder)."""
        from jido_persistence_sqlite import statements as sql

        return self._one(sql.MESSAGE_BY_KEY, (channel, str(bridge_id), str(external_id)))

    def get_messages(self, room_id: str, *, limit: int = 50) -> list[Message]:
        """The adapter's latest-page select, reversed."""
        from jido_persistence_sqlite import statements as sql

        rows = self._connection.execute(sql.MESSAGES_LATEST[False], (room_id, limit)).fetchall()
        return [Message.model_validate_json(row[0]) for row in reversed(rows)]

    def delete_before(self, room_id: str, before: datetime) -> int:
        """One ``DELETE ... WHERE room_id = ? AND sort_us < ?`` in ``BEGIN IMMEDIATE``."""
        from jido_persistence_sqlite import statements as sql

        self._connection.execute(sql.BEGIN_WRITE)
        deleted = self._connection.execute(
            "DELETE FROM messages WHERE room_id = ? AND sort_us < ?",
            (room_id, sql.epoch_us(before)),
        ).rowcount
        self._connection.execute(sql.COMMIT)
        return deleted

    def close(self) -> None:
        """Close the connection (the file goes with the temporary directory)."""
        self._connection.close()


def _older(message: Message, before: datetime) -> bool:
    return message.inserted_at is None or message.inserted_at < before


BaselineFactory = Callable[[Path, dict[str, str]], RawBaseline]

RAW_BASELINES: Final[dict[str, tuple[BaselineFactory, int | None]]] = {
    "dict": (DictBaseline, None),
    "tinydb-json": (TinyDBJSONBaseline, TINYDB_JSON_MAX_SIZE),
    "tinydb-snapshot": (TinyDBSnapshotBaseline, TINYDB_JSON_MAX_SIZE),
    "duckdb": (DuckDBBaseline, None),
    "psycopg": (PsycopgBaseline, None),
    "sqlite3": (SQLiteBaseline, None),
}
"""Every raw baseline by name, with the largest store size it runs at (``None``: any)."""
