"""The SQL toolkit's export and import loops, over a recording DB-API stand-in.

The SQLite adapter runs them against a real database in the kit's round-trip area and in
``tests/test_cross_adapter_interchange.py``; here are the rules the loops keep for any
driver: every query in plan order, ``fetchmany`` batches, the connection closed however
the export ends, one write per batch, and the errors of a non-empty store, of a record
twice and of a retried transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jido_persistence import export_plan as plan
from jido_persistence.errors import InvalidArgument, StorageError
from jido_persistence.models import Room, RoomType
from jido_persistence.records import BindingKeyRecord, MessageKeyRecord, Record, RoomRecord
from jido_persistence.sqlkit_interchange import (
    ROWS,
    WRITTEN_KINDS,
    SqlInterchange,
    SqlInterchangeStatements,
)
from jido_persistence.sqlkit_rows import room_row


class _Conflict(Exception):
    pass


class _Cursor:
    def __init__(self, rows: list[Any], sizes: list[int]) -> None:
        self._rows = rows
        self._sizes = sizes

    def fetchone(self) -> Any:
        return self._rows[0]

    def fetchmany(self, size: int) -> list[Any]:
        self._sizes.append(size)
        taken, self._rows = self._rows[:size], self._rows[size:]
        return taken


class _Connection:
    """Answers each statement with the rows given for it; records what it ran."""

    def __init__(self, answers: dict[str, list[Any]]) -> None:
        self.answers = answers
        self.executed: list[str] = []
        self.written: list[tuple[str, list[Any]]] = []
        self.sizes: list[int] = []
        self.closed = False

    def execute(self, statement: str, params: Any = (), /) -> _Cursor:
        self.executed.append(statement)
        return _Cursor(list(self.answers.get(statement, [])), self.sizes)

    def executemany(self, statement: str, rows: Any, /) -> None:
        if statement == "conflict":
            raise _Conflict("UNIQUE constraint failed")
        self.written.append((statement, list(rows)))


STATEMENTS = SqlInterchangeStatements(
    export=tuple(f"export {kind.kind}" for kind in plan.PLAN),
    inserts={kind: f"insert {kind}" for kind in WRITTEN_KINDS},
    any_record="any",
)


class _Store(SqlInterchange):
    sql_integrity_errors: ClassVar[tuple[type[BaseException], ...]] = (_Conflict,)

    def __init__(self, conn: _Connection, batch: int, attempts: int = 1) -> None:
        self.conn = conn
        self.sql_batch = batch  # type: ignore[misc]
        self.attempts = attempts
        self._sql_interchange = STATEMENTS

    @contextmanager
    def _sql_export_connection(self) -> Iterator[Any]:
        try:
            yield self.conn
        finally:
            self.conn.closed = True

    def _sql_import(self, work: Callable[[Any], Any]) -> Any:
        for _ in range(self.attempts - 1):
            try:
                work(self.conn)
            except StorageError:
                raise
            except Exception:
                pass
        return work(self.conn)


def _room(name: str) -> RoomRecord:
    return RoomRecord(record=Room(id=name, type=RoomType.GROUP))


def test_the_rows_cover_exactly_the_written_kinds_of_the_plan() -> None:
    assert set(ROWS) == set(WRITTEN_KINDS)
    assert tuple(kind.kind for kind in plan.PLAN if not kind.derived) == WRITTEN_KINDS


def test_a_statements_table_missing_a_query_or_an_insert_is_refused() -> None:
    with pytest.raises(ValueError, match="export needs"):
        SqlInterchangeStatements(
            export=STATEMENTS.export[:-1], inserts=STATEMENTS.inserts, any_record=""
        )
    inserts = {kind: "x" for kind in WRITTEN_KINDS if kind != "room"}
    with pytest.raises(ValueError, match="inserts needs"):
        SqlInterchangeStatements(export=STATEMENTS.export, inserts=inserts, any_record="")


@given(st.integers(0, 12), st.integers(1, 5))
def test_export_runs_every_query_in_plan_order_in_batches(rooms: int, batch: int) -> None:
    stored = [_room(f"r{i}") for i in range(rooms)]
    docs = [(record.record.model_dump_json(),) for record in stored]
    key = ("c", "b", "e", "r0")
    conn = _Connection({"export room": docs, "export binding_key": [key]})
    exported = list(_Store(conn, batch)._export_records())
    assert exported == [
        *stored,
        BindingKeyRecord(channel="c", bridge_id="b", external_id="e", room_id="r0"),
    ]
    assert conn.executed == list(STATEMENTS.export)
    assert set(conn.sizes) == {batch}
    # one empty fetch ends each query; the rooms take ceil(rooms / batch) more, the key one
    assert len(conn.sizes) == len(plan.PLAN) + -(-rooms // batch) + 1
    assert conn.closed


def test_an_export_closed_early_closes_its_connection() -> None:
    room = _room("a")
    conn = _Connection({"export room": [(room.record.model_dump_json(),)] * 3})
    records = _Store(conn, 2)._export_records()
    assert next(records) == room
    records.close()  # type: ignore[attr-defined]
    assert conn.closed


@given(st.integers(0, 9), st.integers(1, 4))
def test_import_writes_each_kind_a_batch_at_a_time_and_skips_derived_keys(
    rooms: int, batch: int
) -> None:
    conn = _Connection({"any": [(0,)]})
    derived = MessageKeyRecord(channel="c", bridge_id="b", external_id="e", message_id="m")
    records: list[Record] = [_room(f"r{i}") for i in range(rooms)] + [derived]
    report = _Store(conn, batch)._import_records(records)
    assert report.records == rooms + 1
    assert conn.executed == ["any"]
    assert all(statement == "insert room" for statement, _ in conn.written)
    assert [len(rows) for _, rows in conn.written] == [batch] * (rooms // batch) + (
        [rooms % batch] if rooms % batch else []
    )
    assert [row for _, rows in conn.written for row in rows] == [
        room_row(record.record) for record in records[:rooms]
    ]


def test_import_into_a_store_holding_records_writes_nothing() -> None:
    conn = _Connection({"any": [(1,)]})
    with pytest.raises(InvalidArgument, match="empty store"):
        _Store(conn, 10)._import_records([_room("a")])
    assert conn.written == []


def test_a_record_twice_is_the_drivers_integrity_error_as_invalid_argument() -> None:
    store = _Store(_Connection({"any": [(0,)]}), 10)
    store._sql_interchange = SqlInterchangeStatements(
        export=STATEMENTS.export,
        inserts={**STATEMENTS.inserts, "room": "conflict"},
        any_record="any",
    )
    with pytest.raises(InvalidArgument, match="conflict with each other") as raised:
        store._import_records([_room("a"), _room("a")])
    assert isinstance(raised.value.__cause__, _Conflict)


def test_a_retried_import_transaction_is_refused() -> None:
    store = _Store(_Connection({"any": [(0,)]}), 10, attempts=2)
    with pytest.raises(StorageError, match="interrupted"):
        store._import_records([_room("a")])
