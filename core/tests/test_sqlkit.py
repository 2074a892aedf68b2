"""The SQL toolkit's own rules: its statements table, its rows, the trigram choice.

The callbacks themselves are run by the kit on the SQLite adapter, which is built on
the toolkit; here are the parts that hold for all inputs, and the table's shape.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jido_persistence import sqlkit_groups, sqlkit_records
from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.directory import name_fold
from jido_persistence.models import Message, Participant, Room
from jido_persistence.ngrams import ngrams, rarest_ngrams
from jido_persistence.sqlkit import SqlStatements
from jido_persistence.sqlkit_records import SqlRecords
from jido_persistence.sqlkit_rows import (
    NULL_SORT_US,
    epoch_us,
    message_row,
    participant_row,
    room_row,
)
from jido_persistence.validation import message_external_key

MOMENTS = st.datetimes(min_value=datetime.min, max_value=datetime.max, timezones=st.just(UTC))
FIELDS = {field.name for field in dataclasses.fields(SqlStatements)}


def _used_statements() -> set[str]:
    source = inspect.getsource(sqlkit_records) + inspect.getsource(sqlkit_groups)
    return set(re.findall(r"\bsql\.([a-z_]+)\b", source)) | set(
        re.findall(r"self\._sql\.([a-z_]+)\b", source)
    )


def test_the_toolkit_runs_exactly_the_statements_of_its_table() -> None:
    used = _used_statements()
    assert used - FIELDS == set(), "statements used but not in SqlStatements"
    assert FIELDS - used == set(), "SqlStatements fields no callback runs"


def test_the_statements_table_is_frozen() -> None:
    values = dict.fromkeys(FIELDS, "SELECT 1")
    table = SqlStatements(**values)  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.room_get = "SELECT 2"  # type: ignore[misc]


@given(MOMENTS, MOMENTS)
def test_epoch_microseconds_are_exact_and_keep_the_order(a: datetime, b: datetime) -> None:
    assert datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=epoch_us(a)) == a
    assert (epoch_us(a) < epoch_us(b)) == (a < b)
    assert NULL_SORT_US < epoch_us(a) < 2**63


@given(st.none() | st.text(max_size=12), st.none() | MOMENTS)
def test_rows_carry_the_fold_the_key_and_the_sort_key(
    name: str | None, inserted: datetime | None
) -> None:
    room = Room(id="r1", type="group", name=name)
    assert room_row(room)[2] == name_fold(name)
    person = Participant(id="p1", type="human", identity={} if name is None else {"name": name})
    assert participant_row(person)[1] == name_fold(name)
    message = Message(
        id="m1",
        room_id="r1",
        sender_id="p1",
        role="user",
        external_id="e1",
        metadata={"channel": "slack", "bridge_id": "b1"},
        inserted_at=inserted,
    )
    row = message_row(message)
    assert row[4:7] == message_external_key(message)
    assert row[3] == (NULL_SORT_US if inserted is None else epoch_us(inserted))
    assert Message.model_validate_json(str(row[7])) == message


@given(st.lists(st.text("abcxy", max_size=6), max_size=8), st.text("abcxy", min_size=3, max_size=5))
def test_the_rarest_trigrams_miss_no_match(folds: list[str], query: str) -> None:
    def counts(grams: list[str]) -> dict[str, int]:
        assert grams == sorted(set(grams))
        found = {gram: sum(gram in fold for fold in folds) for gram in grams}
        return {gram: count for gram, count in found.items() if count}

    chosen = rarest_ngrams(query, counts, 2)
    held = {gram for fold in folds for gram in ngrams(fold)}
    if not ngrams(query) <= held:
        assert chosen is None
        assert not any(query in fold for fold in folds)
        return
    assert chosen is not None
    assert 1 <= len(chosen) <= 2
    assert set(chosen) <= ngrams(query)
    for fold in folds:
        if query in fold:
            assert all(gram in fold for gram in chosen)
    rarest = min(counts(sorted(ngrams(query))).values())
    assert counts(chosen)[chosen[0]] == rarest


def test_sql_records_is_a_plain_mixin_whose_groups_need_export_and_import() -> None:
    assert not issubclass(SqlRecords, PersistenceAdapter)
    with pytest.raises(TypeError, match="_export_records"):

        class Incomplete(SqlRecords, PersistenceAdapter):  # pragma: no cover - refused
            pass
