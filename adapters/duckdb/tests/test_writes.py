"""Saves write exactly the rows ``INSERT OR REPLACE`` would, through the cheaper statement.

The adapter saves a new row with a plain ``INSERT`` and a re-save with ``INSERT OR
REPLACE`` (``_writes``), and ``update_message_external_id`` with an ``UPDATE`` of the
columns the id changes.  The oracle is a second store of the same schema written only
by ``INSERT OR REPLACE`` of the whole row (what the adapter did before): after the same
sequence of saves, inside and outside ``transaction()`` blocks, both tables hold the
same rows, column by column (typed columns, ``body``, keys and ``save_seq``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jido_persistence.models import Message, MessageRole, MessageStatus, Thread
from jido_persistence_conformance.strategies import messages
from jido_persistence_duckdb._message_row import message_params
from jido_persistence_duckdb._tables import MESSAGES, THREADS
from jido_persistence_duckdb.adapter import DuckDBAdapter

MESSAGE_IDS = ("a", "b", "c")
THREAD_IDS = ("t1", "t2")

message_saves = messages(
    room_ids=("r1",),
    message_ids=MESSAGE_IDS,
    thread_ids=THREAD_IDS,
    channels=("slack",),
    bridge_ids=("b",),
    external_ids=("e1", "e2"),
)
thread_saves = st.builds(
    Thread,
    id=st.sampled_from(THREAD_IDS),
    room_id=st.just("r1"),
    external_thread_id=st.sampled_from([None, "x1", "x2"]),
    root_message_id=st.sampled_from([None, *MESSAGE_IDS]),
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("message"), message_saves),
        st.tuples(st.just("thread"), thread_saves),
        st.tuples(st.just("external_id"), st.sampled_from(MESSAGE_IDS), st.text(min_size=1)),
        st.tuples(st.just("block"), st.booleans()),
    ),
    max_size=10,
)


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[Any, ...]]:
    return con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


class _Oracle:
    """The same schema, written only by whole-row ``INSERT OR REPLACE``."""

    def __init__(self) -> None:
        self.store = DuckDBAdapter(path=":memory:", threads=1)
        self.con = self.store._db.connection

    def save_message(self, message: Message) -> None:
        self.con.execute(MESSAGES.upsert_sql, message_params(message))

    def save_thread(self, thread: Thread) -> None:
        self.con.execute(THREADS.upsert_sql, DuckDBAdapter._thread_params(thread))

    def update_message_external_id(self, message_id: str, external_id: str) -> None:
        row = self.con.execute(f"SELECT body FROM {MESSAGES.table} WHERE id = ?", [message_id])
        found = row.fetchone()
        if found is None:
            return
        message = MESSAGES.to_model(found)
        self.save_message(message.model_copy(update={"external_id": external_id}))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps)
def test_saves_write_the_rows_a_whole_row_replace_writes(steps: list[tuple[Any, ...]]) -> None:
    store = DuckDBAdapter(path=":memory:", threads=1)
    oracle = _Oracle()
    try:
        for step in steps:
            kind = step[0]
            if kind == "message":
                store.save_message(step[1])
                oracle.save_message(step[1])
            elif kind == "thread":
                store.save_thread(step[1])
                oracle.save_thread(step[1])
            elif kind == "external_id":
                _, message_id, external_id = step
                exists = oracle.con.execute(
                    f"SELECT 1 FROM {MESSAGES.table} WHERE id = ?", [message_id]
                ).fetchone()
                if exists is not None:
                    updated = store.update_message_external_id(message_id, external_id)
                    assert updated.external_id == external_id
                    oracle.update_message_external_id(message_id, external_id)
            else:
                # A block of two saves of the same new message: the second is a re-save
                # that must see the first inside the block's transaction.
                message = Message(id="in-block", room_id="r1", sender_id="s", role=MessageRole.USER)
                with store.transaction():
                    store.save_message(message)
                    if step[1]:
                        store.save_message(
                            message.model_copy(update={"status": MessageStatus.SENT})
                        )
                oracle.save_message(message)
                if step[1]:
                    oracle.save_message(message.model_copy(update={"status": MessageStatus.SENT}))
        with store.reading() as cursor:
            for table in (MESSAGES.table, THREADS.table):
                assert _rows(cursor, table) == _rows(oracle.con, table)
    finally:
        store.close()
        oracle.store.close()


class _Recording:
    """A cursor that records the text of every statement it runs."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, log: list[str]) -> None:
        self._cursor = cursor
        self._log = log

    def execute(self, statement: str, *args: Any) -> Any:
        self._log.append(statement)
        return self._cursor.execute(statement, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


@contextmanager
def _recorded(store: DuckDBAdapter, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    log: list[str] = []
    cursor = store._db.cursor()
    monkeypatch.setattr(store._db, "cursor", lambda: _Recording(cursor, log))
    yield log


def _writes_to(log: list[str], table: str) -> list[str]:
    return [s.split(" INTO ")[0] for s in log if f"INTO {table} " in s or f"{table} SET" in s]


def test_a_new_row_is_a_plain_insert_a_resave_a_replace(
    store: DuckDBAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = Message(room_id="r1", sender_id="s", role=MessageRole.USER)
    with _recorded(store, monkeypatch) as log:
        store.save_message(message)
        store.save_message(message)
        store.update_message_external_id(message.id, "e1")
    assert _writes_to(log, MESSAGES.table) == [
        "INSERT",
        "INSERT OR REPLACE",
        f"UPDATE {MESSAGES.table} SET external_id = ?, external_key = ?, body = ?,"
        " save_seq = nextval('jp_save_seq') WHERE id = ?",
    ]
    assert "BEGIN TRANSACTION" not in log
