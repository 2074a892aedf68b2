"""Raw bulk baselines: messages loaded and read back through each backend's bulk path.

What an application would write to load a backup of messages into an empty table and
stream it out again, without jido-persistence, with the backend library alone:

- ``sqlite3``: one ``executemany`` of a plain ``INSERT`` in one ``BEGIN IMMEDIATE``
  transaction (WAL, ``synchronous=FULL``: the adapter's defaults); read back with
  ``fetchmany`` in save order.
- ``duckdb``: DuckDB's Appender (``connection.appender(table)``, the Python client's
  bulk row path; faster here than list parameters through ``unnest`` or a registered
  dict of numpy arrays) in one transaction; read back with ``fetchmany``.
- ``psycopg``: ``COPY ... FROM STDIN`` (``cursor.copy()``, rows written with
  ``write_row``) in one transaction; read back through a server-side (named) cursor.
- ``dict`` (beside the memory adapter): the messages in a dict by id, with the two
  look-ups a hand-written store needs (platform key -> id, room -> ids in save order);
  read back as the same objects, in save order.
- ``tinydb`` (beside the TinyDB adapter): TinyDB's own ``insert_multiple`` of every
  message's ``model_dump(mode="json")`` into a JSON file (one write); read back by
  iterating the table and validating each document.

Each table is the message table an application would need to answer what the
contract asks of messages: the id as primary key, the order index of a room's
history ``(room_id, inserted_at, id)`` and of a thread's, the platform-key index, a
sender index (erasure) and the save order, with the message as its JSON text
(``model_dump_json``).  The indexes exist before the load, as they do in a store that
``import_records`` fills.  Export rebuilds every :class:`Message` from its text
(``model_validate_json``): an application needs its objects too.  Memory is bounded
the same way as the adapters': rows are converted and sent in batches.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any, Final, Protocol

from jido_persistence.models import Message
from jido_persistence.validation import message_external_key

__all__ = [
    "BATCH",
    "BULK_BASELINES",
    "BULK_BASELINE_OF",
    "DictBulk",
    "DuckDBBulk",
    "PsycopgBulk",
    "RawBulk",
    "SQLiteBulk",
    "TinyDBBulk",
]

BATCH: Final = 2000
"""Rows converted, sent or fetched at a time."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_NULL_SORT_US: Final = -(2**63)
_US: Final = timedelta(microseconds=1)


class RawBulk(Protocol):
    """A raw backend table of messages, loaded and read through its bulk path."""

    def import_messages(self, messages: Iterable[Message]) -> int:
        """Load ``messages`` (save order) into the empty table; how many went in."""

    def export_messages(self) -> Iterator[Message]:
        """Every message, in save order, rebuilt from its JSON text."""

    def close(self) -> None:
        """Release the backend and remove what it created outside its directory."""


def _key_row(message: Message, seq: int) -> tuple[Any, ...]:
    key = message_external_key(message)
    channel, bridge_id, external_id = key if key is not None else (None, None, None)
    inserted = message.inserted_at
    return (
        seq,
        message.id,
        message.room_id,
        message.thread_id,
        message.sender_id,
        _NULL_SORT_US if inserted is None else (inserted - _EPOCH) // _US,
        channel,
        bridge_id,
        external_id,
        message.model_dump_json(),
    )


def _batches(messages: Iterable[Message]) -> Iterator[list[tuple[Any, ...]]]:
    """Rows of :func:`_key_row` in batches of :data:`BATCH`, numbered in save order."""
    numbered = enumerate(messages, start=1)
    while batch := [_key_row(message, seq) for seq, message in islice(numbered, BATCH)]:
        yield batch


_COLUMNS: Final = (
    "seq, id, room_id, thread_id, sender_id, sort_us, key_channel, key_bridge_id,"
    " key_external_id, doc"
)
_INDEXES: Final = (
    "CREATE INDEX room_order ON {t} (room_id, sort_us, id)",
    "CREATE INDEX thread_order ON {t} (room_id, thread_id, sort_us, id)",
    "CREATE INDEX platform_key ON {t} (key_channel, key_bridge_id, key_external_id)",
    "CREATE INDEX sender ON {t} (sender_id)",
)


def _indexes(table: str) -> list[str]:
    return [statement.format(t=table) for statement in _INDEXES]


def _rebuilt(rows: Callable[[], list[Any]]) -> Iterator[Message]:
    """Messages from successive ``fetchmany`` batches of ``(doc,)`` rows."""
    validate = Message.model_validate_json
    while batch := rows():
        for (doc,) in batch:
            yield validate(doc)


class SQLiteBulk:
    """A SQLite file: one ``executemany`` in one immediate transaction."""

    def __init__(self, directory: Path, options: dict[str, str]) -> None:
        """A new file in ``directory`` with the table and its indexes."""
        self._conn = sqlite3.connect(directory / "raw-bulk.sqlite3", isolation_level=None)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.execute(
            "CREATE TABLE messages (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
            " room_id TEXT NOT NULL, thread_id TEXT, sender_id TEXT NOT NULL,"
            " sort_us INTEGER NOT NULL, key_channel TEXT, key_bridge_id TEXT,"
            " key_external_id TEXT, doc TEXT NOT NULL)"
        )
        for statement in _indexes("messages"):
            self._conn.execute(statement)

    def import_messages(self, messages: Iterable[Message]) -> int:
        """``executemany`` of every batch inside one ``BEGIN IMMEDIATE`` ... ``COMMIT``."""
        count = 0
        insert = f"INSERT INTO messages ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for batch in _batches(messages):
                self._conn.executemany(insert, batch)
                count += len(batch)
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return count

    def export_messages(self) -> Iterator[Message]:
        """``fetchmany`` over one read transaction, in save order."""
        cursor = self._conn.execute("SELECT doc FROM messages ORDER BY seq")
        yield from _rebuilt(lambda: cursor.fetchmany(BATCH))

    def close(self) -> None:
        """Close the connection (the file goes with the temporary directory)."""
        self._conn.close()


class DuckDBBulk:
    """A DuckDB file: the Appender, in one transaction."""

    def __init__(self, directory: Path, options: dict[str, str]) -> None:
        """A new file in ``directory`` with the table and its indexes."""
        import duckdb

        self._conn = duckdb.connect(str(directory / "raw-bulk.duckdb"))
        self._conn.execute(
            "CREATE TABLE messages (seq BIGINT NOT NULL, id VARCHAR PRIMARY KEY,"
            " room_id VARCHAR NOT NULL, thread_id VARCHAR, sender_id VARCHAR NOT NULL,"
            " sort_us BIGINT NOT NULL, key_channel VARCHAR, key_bridge_id VARCHAR,"
            " key_external_id VARCHAR, doc JSON NOT NULL)"
        )
        # DuckDB's ART indexes serve point look-ups: one on the room, one on the key.
        self._conn.execute("CREATE INDEX room ON messages (room_id)")
        self._conn.execute("CREATE INDEX platform_key ON messages (key_external_id)")
        self._conn.execute("CREATE INDEX sender ON messages (sender_id)")

    def import_messages(self, messages: Iterable[Message]) -> int:
        """Every batch appended through one Appender, flushed, in one transaction."""
        count = 0
        self._conn.execute("BEGIN TRANSACTION")
        try:
            with self._conn.appender("messages") as appender:
                for batch in _batches(messages):
                    appender.append_rows(batch)
                    count += len(batch)
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return count

    def export_messages(self) -> Iterator[Message]:
        """``fetchmany`` of the table in save order."""
        cursor = self._conn.cursor()
        cursor.execute("SELECT doc FROM messages ORDER BY seq")
        yield from _rebuilt(lambda: cursor.fetchmany(BATCH))

    def close(self) -> None:
        """Close the connection (the file goes with the temporary directory)."""
        self._conn.close()


class PsycopgBulk:
    """A PostgreSQL table in a schema of its own: ``COPY FROM STDIN`` in one transaction."""

    def __init__(self, directory: Path, options: dict[str, str]) -> None:
        """Connect to ``options["conninfo"]``; create a fresh schema with the table."""
        import psycopg
        from psycopg.types.string import TextLoader

        self._conn = psycopg.connect(options["conninfo"], autocommit=True)
        self._conn.adapters.register_loader("json", TextLoader)
        self._schema = "jido_bench_bulk_" + secrets.token_hex(6)
        table = f"{self._schema}.messages"
        self._table = table
        self._conn.execute(f"CREATE SCHEMA {self._schema}")
        self._conn.execute(
            f'CREATE TABLE {table} (seq bigint NOT NULL, id TEXT COLLATE "C" PRIMARY KEY,'
            ' room_id TEXT COLLATE "C" NOT NULL, thread_id TEXT COLLATE "C",'
            ' sender_id TEXT COLLATE "C" NOT NULL, sort_us bigint NOT NULL,'
            ' key_channel TEXT COLLATE "C", key_bridge_id TEXT COLLATE "C",'
            ' key_external_id TEXT COLLATE "C", doc json NOT NULL)'
        )
        for statement in _indexes(table):
            self._conn.execute(statement)
        self._conn.execute(f"CREATE INDEX ON {table} (seq)")

    def import_messages(self, messages: Iterable[Message]) -> int:
        """One ``COPY ... FROM STDIN`` of every row, inside one transaction."""
        count = 0
        with (
            self._conn.transaction(),
            self._conn.cursor() as cursor,
            cursor.copy(f"COPY {self._table} ({_COLUMNS}) FROM STDIN") as copy,
        ):
            for batch in _batches(messages):
                for row in batch:
                    copy.write_row(row)
                count += len(batch)
        return count

    def export_messages(self) -> Iterator[Message]:
        """A server-side cursor over the table in save order, :data:`BATCH` rows a trip."""
        with (
            self._conn.transaction(),
            self._conn.cursor(name="jido_bench_export") as cursor,
        ):
            cursor.itersize = BATCH
            cursor.execute(f"SELECT doc FROM {self._table} ORDER BY seq")
            yield from _rebuilt(lambda: cursor.fetchmany(BATCH))

    def close(self) -> None:
        """Drop the schema and close the connection."""
        try:
            self._conn.execute(f"DROP SCHEMA IF EXISTS {self._schema} CASCADE")
        finally:
            self._conn.close()


class DictBulk:
    """Python dicts: the messages by id, their platform keys, each room's messages."""

    def __init__(self, directory: Path, options: dict[str, str]) -> None:
        """Empty dicts (``directory`` and ``options`` are not used)."""
        self._messages: dict[str, Message] = {}
        self._keys: dict[tuple[str, str, str], str] = {}
        self._rooms: dict[str, list[str]] = {}

    def import_messages(self, messages: Iterable[Message]) -> int:
        """Every message into the dicts, in save order."""
        for message in messages:
            self._messages[message.id] = message
            key = message_external_key(message)
            if key is not None:
                self._keys[key] = message.id
            self._rooms.setdefault(message.room_id, []).append(message.id)
        return len(self._messages)

    def export_messages(self) -> Iterator[Message]:
        """The stored messages, in save order."""
        yield from self._messages.values()

    def close(self) -> None:
        """Drop the dicts."""
        self._messages.clear()


class TinyDBBulk:
    """A TinyDB JSON file: ``insert_multiple`` of every message's document."""

    def __init__(self, directory: Path, options: dict[str, str]) -> None:
        """A new file in ``directory``."""
        from tinydb import TinyDB

        self._db = TinyDB(directory / "raw-bulk.json")
        self._table = self._db.table("messages")

    def import_messages(self, messages: Iterable[Message]) -> int:
        """One ``insert_multiple`` (TinyDB writes the file once)."""
        return len(self._table.insert_multiple(m.model_dump(mode="json") for m in messages))

    def export_messages(self) -> Iterator[Message]:
        """Every document of the table, validated back into a message."""
        validate = Message.model_validate
        for document in self._table:
            yield validate(dict(document))

    def close(self) -> None:
        """Close the file (it goes with the temporary directory)."""
        self._db.close()


BulkFactory = Callable[[Path, dict[str, str]], RawBulk]

BULK_BASELINES: Final[dict[str, BulkFactory]] = {
    "sqlite3": SQLiteBulk,
    "duckdb": DuckDBBulk,
    "psycopg": PsycopgBulk,
    "dict": DictBulk,
    "tinydb": TinyDBBulk,
}
"""Every raw bulk baseline by name."""

BULK_BASELINE_OF: Final[dict[str, str]] = {
    "sqlite": "sqlite3",
    "duckdb": "duckdb",
    "postgres": "psycopg",
    "memory": "dict",
    "tinydb": "tinydb",
}
"""The raw bulk baseline timed beside each bundled adapter."""
