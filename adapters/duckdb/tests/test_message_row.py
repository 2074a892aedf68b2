"""A message's row, built without ``model_dump``, holds what ``model_dump`` gives.

``TableSpec.params`` reads an encoded table's fields off the record (enums as their
values, JSON columns encoded by pydantic-core from the models and maps themselves)
and :func:`checked_key` reads the external-id key the guard has already checked.
Both are compared here, for every message the kit's strategy builds (every content
part type, ``int`` bridge ids, keys missing a part), with what they replaced: the
columns of ``model_dump(mode="json")`` (JSON ones through ``json_text``) and
``message_external_key``.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given

from jido_persistence.models import Message, Thread
from jido_persistence.validation import message_external_key
from jido_persistence_conformance.strategies import messages, threads
from jido_persistence_duckdb._message_row import checked_key, message_params
from jido_persistence_duckdb._rows import ColumnKind, TableSpec, json_text
from jido_persistence_duckdb._statements import lookup_key
from jido_persistence_duckdb._tables import MESSAGES, THREADS


def _dumped_params(spec: TableSpec[Any], record: Any) -> list[Any]:
    """The row as the adapter built it from ``model_dump(mode="json")``."""
    dumped = record.model_dump(mode="json")
    values = [
        json_text(dumped[name])
        if kind is ColumnKind.JSON
        else getattr(record, name)
        if kind is ColumnKind.TIMESTAMP
        else dumped[name]
        for name, kind in spec.columns
    ]
    return [*values, record.model_dump_json()] if spec.encoded else values


def _typed(values: list[Any]) -> list[tuple[type, Any]]:
    return [(type(value), value) for value in values]


@given(messages())
def test_a_message_row_holds_what_model_dump_gives(message: Message) -> None:
    assert _typed(MESSAGES.params(message)) == _typed(_dumped_params(MESSAGES, message))


@given(threads())
def test_a_plain_table_row_still_comes_from_model_dump(thread: Thread) -> None:
    assert _typed(THREADS.params(thread)) == _typed(_dumped_params(THREADS, thread))


@given(messages(bridge_ids=("b", 7, "7", -3)))
def test_the_row_key_is_the_key_the_guard_checked(message: Message) -> None:
    key = message_external_key(message)
    assert checked_key(message) == key
    assert message_params(message)[-1] == (None if key is None else lookup_key(*key))
