"""Building a large PostgreSQL store with ``COPY``: benchmark builder code, not the adapter's API.

Through callbacks a store of 1,000,000 messages takes hours (one round trip and one
commit per record).  :func:`copy_build` lets the adapter create its schema (opening the
store runs its migrations), makes the 100 rooms and their bindings through the
callbacks, then streams participants with their platform keys, threads and messages
into the adapter's tables with one ``COPY`` each, the rows the ``save_*`` callbacks
would write.

The builder knows the adapter's columns by name (:data:`COLUMN_VALUES`) and reads the
tables' columns from the catalog (generated columns left out), so that it follows the
adapter's schema as long as every column is one it knows; a column it does not know
stops the build with :class:`UnknownColumn` rather than store a wrong row.  A test
builds one small store both ways and compares every key, count and read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

import psycopg
from psycopg import sql

from jido_persistence import PersistenceAdapter, open_store
from jido_persistence.models import Message, Participant, Thread
from jido_persistence.validation import message_external_key
from jido_persistence_bench.dataset import (
    BRIDGE_ID,
    CHANNEL,
    Dataset,
    room_external_id,
)
from jido_persistence_bench.pg_probe import analyse

__all__ = ["COLUMN_VALUES", "CopyCounts", "UnknownColumn", "copy_build", "table_columns"]

Row = tuple[Any, int]
"""A record and its save sequence number."""


class UnknownColumn(Exception):
    """The adapter's table has a column the ``COPY`` builder cannot fill."""


def _fold(value: object) -> str | None:
    return value.casefold() if isinstance(value, str) else None


def _key(message: Message, part: int) -> str | None:
    key = message_external_key(message)
    return None if key is None else str(key[part])


COLUMN_VALUES: Final[dict[str, dict[str, Callable[[Any, int], object]]]] = {
    "participants": {
        "id": lambda p, _: p.id,
        "name_fold": lambda p, _: _fold(p.identity.get("name")),
        "doc": lambda p, _: p.model_dump_json(),
    },
    "participant_keys": {
        "channel": lambda p, _: CHANNEL,
        "external_id": lambda p, _: p.external_ids[CHANNEL],
        "participant_id": lambda p, _: p.id,
    },
    "threads": {
        "id": lambda t, _: t.id,
        "room_id": lambda t, _: t.room_id,
        "inserted_at": lambda t, _: t.inserted_at,
        "external_thread_id": lambda t, _: t.external_thread_id,
        "root_message_id": lambda t, _: t.root_message_id,
        "save_seq": lambda _, seq: seq,
        "doc": lambda t, _: t.model_dump_json(),
    },
    "messages": {
        "id": lambda m, _: m.id,
        "room_id": lambda m, _: m.room_id,
        "thread_id": lambda m, _: m.thread_id,
        "inserted_at": lambda m, _: m.inserted_at,
        "key_channel": lambda m, _: _key(m, 0),
        "key_bridge_id": lambda m, _: _key(m, 1),
        "key_external_id": lambda m, _: _key(m, 2),
        "save_seq": lambda _, seq: seq,
        "doc": lambda m, _: m.model_dump_json(),
    },
}
"""Per table the builder fills, how each column's value is made from a record and its
save sequence number (as the adapter's row functions make it)."""


@dataclass(frozen=True)
class CopyCounts:
    """Rows streamed per table."""

    participants: int
    threads: int
    messages: int


def table_columns(conn: psycopg.Connection[Any], schema: str, table: str) -> list[str]:
    """The columns of ``schema.table`` a row is written with (generated ones left out)."""
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s"
        " AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
        (schema, table),
    ).fetchall()
    columns = [str(row[0]) for row in rows]
    unknown = sorted(set(columns) - set(COLUMN_VALUES[table]))
    if not columns or unknown:
        raise UnknownColumn(
            f"{schema}.{table}: the COPY builder cannot fill columns {unknown or 'any'} "
            "(teach jido_persistence_bench.pg_copy.COLUMN_VALUES the adapter's new schema)"
        )
    return columns


def _copy(conn: psycopg.Connection[Any], schema: str, table: str, records: Iterable[Row]) -> int:
    columns = table_columns(conn, schema, table)
    values = [COLUMN_VALUES[table][column] for column in columns]
    statement = sql.SQL("COPY {}.{} ({}) FROM STDIN").format(
        sql.Identifier(schema),
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(column) for column in columns),
    )
    count = 0
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for record, seq in records:
            copy.write_row([value(record, seq) for value in values])
            count += 1
    return count


def _numbered(records: Iterator[Any], start: int) -> Iterator[Row]:
    return ((record, start + offset) for offset, record in enumerate(records))


def copy_build(
    url: str, conninfo: str, schema: str, data: Dataset, progress: Callable[[str], None]
) -> CopyCounts:
    """Create the store at ``url`` (schema ``schema`` on ``conninfo``) holding ``data``.

    Rooms and bindings go through the callbacks; participants (with their keys),
    threads and messages through ``COPY`` in one transaction, with save sequence
    numbers in insertion order (threads before messages, as the callback build), the
    store's sequence then set past them; every table is vacuumed and analysed
    afterwards (:func:`~.pg_probe.analyse`).
    Raises :class:`UnknownColumn` before writing any row of a table it cannot fill.
    """
    store: PersistenceAdapter = open_store(url)
    try:
        progress("rooms and bindings through callbacks")
        for index in range(data.rooms):
            room = store.save_room(data.room(index))
            store.create_room_binding(room.id, CHANNEL, BRIDGE_ID, room_external_id(index))
    finally:
        store.close()
    participants = (data.participant(index) for index in range(data.participants))
    threads = (data.thread(index) for index in range(data.threads))
    with psycopg.connect(conninfo, autocommit=False) as conn:
        conn.execute("SET synchronous_commit TO off")
        progress(f"COPY {data.participants:,} participants")
        people: list[Participant] = list(participants)
        copied_people = _copy(conn, schema, "participants", _numbered(iter(people), 0))
        _copy(conn, schema, "participant_keys", _numbered(iter(people), 0))
        del people
        progress(f"COPY {data.threads:,} threads")
        thread_rows: Iterator[Thread] = threads
        copied_threads = _copy(conn, schema, "threads", _numbered(thread_rows, 1))
        progress(f"COPY {data.size:,} messages")
        start = data.threads + 1
        copied = _copy(conn, schema, "messages", _numbered(data.messages(), start))
        conn.execute(
            "SELECT setval(%s, %s)",
            (sql.Identifier(schema, "save_seq").as_string(conn), start + copied),
        )
        conn.commit()
    analyse(conninfo, schema)
    return CopyCounts(copied_people, copied_threads, copied)
