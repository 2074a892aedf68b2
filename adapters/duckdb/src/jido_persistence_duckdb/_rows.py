"""Row <-> model conversion: one :class:`TableSpec` per table, built from its columns.

Values go to DuckDB as parameters: text and ints as they are, timestamps as aware
``datetime`` objects (TIMESTAMPTZ), free-form maps and content as JSON *text* produced
by :func:`json_text`.  DuckDB's ``JSON`` type keeps the text exactly as given (verified
with DuckDB 2.0: ``1e16``, ``-0.0`` and ``1.0`` come back byte for byte), so
``json.loads`` restores floats, ints and bools type-exactly.

Timestamps are read back as ``epoch_us(column)`` (a BIGINT of microseconds since the
epoch) and rebuilt in Python, so results never depend on the session ``TimeZone`` and
``datetime.min``/``datetime.max`` (UTC) round-trip exactly.

An *encoded* table (``encoded=True``, the messages) also keeps the whole record in a
``body`` VARCHAR column, as pydantic writes it (``model_dump_json``), beside the typed
columns analytics reads.  The callbacks read only ``body`` and rebuild the record with
``model_validate_json``: a profile of ``get_message`` put about 90% of its time in
DuckDB fetching the seventeen typed columns of one row, and one column costs what the
raw baseline's single JSON column costs.  Every write sets ``body`` with the typed
columns (:meth:`TableSpec.params`); a write that changes typed columns in SQL (the
redaction of ``erase_participant``) rebuilds ``body`` from them (:meth:`TableSpec.from_columns`).
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import cached_property
from operator import attrgetter
from typing import Any, Final, Generic, TypeVar

from pydantic import BaseModel
from pydantic_core import to_json

__all__ = [
    "EPOCH",
    "NULL_SORT_US",
    "ColumnKind",
    "TableSpec",
    "from_epoch_us",
    "json_text",
    "latest_holder",
    "to_epoch_us",
]

ModelT = TypeVar("ModelT", bound=BaseModel)

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

NULL_SORT_US: Final = -(2**63)
"""The sort key of a ``None`` ``Message.inserted_at``: below every datetime (NULLS FIRST)."""


class ColumnKind(Enum):
    """How a model field is stored."""

    TEXT = "VARCHAR"
    JSON = "JSON"
    TIMESTAMP = "TIMESTAMPTZ"
    BOOLEAN = "BOOLEAN"
    BIGINT = "BIGINT"


def json_text(value: Any) -> str:
    """Serialise a JSON value compactly, keeping non-ASCII text as it is.

    pydantic-core's encoder, a dozen times faster than ``json.dumps`` (the cost of a
    bulk import's rows): floats in their shortest round-trip form (``1e16``, ``-0.0``,
    ``1.0``), which ``json.loads`` reads back as the same floats, ints as integer
    literals, no spaces.
    """
    return to_json(value).decode()


def to_epoch_us(value: datetime) -> int:
    """Microseconds since the epoch of an aware datetime, exactly (no float rounding)."""
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_epoch_us(value: int | None) -> datetime | None:
    """The aware UTC datetime of ``value`` microseconds since the epoch (``None`` stays)."""
    if value is None:
        return None
    return EPOCH + timedelta(microseconds=value)


_AS_IS: Final = 0
_JSON: Final = 1
_ENUM: Final = 2


def _mode(model: type[BaseModel], name: str, kind: ColumnKind) -> int:
    """How :meth:`TableSpec.params` turns field ``name`` of ``model`` into its column's
    value without ``model_dump``: as it is, as JSON text, or as its enum's value."""
    if kind is ColumnKind.JSON:
        return _JSON
    annotation = model.model_fields[name].annotation
    held = (annotation, *typing.get_args(annotation))
    if any(isinstance(item, type) and issubclass(item, Enum) for item in held):
        return _ENUM
    return _AS_IS


def _positions(modes: list[int], mode: int) -> tuple[int, ...]:
    return tuple(at for at, found in enumerate(modes) if found == mode)


@dataclass(frozen=True)
class TableSpec(Generic[ModelT]):
    """How one model maps to one table.

    ``columns`` lists the model fields in table order with their kind; ``extras`` are
    extra columns the adapter computes at write time (sort keys, lookup keys, folds),
    given as ``(column, SQL value expression)`` where the expression is usually ``?``.
    ``conflict`` is the primary-key column of the upsert.  ``encoded``: the table has a
    ``body`` column (after the model columns) holding the record's JSON, which the
    callbacks read instead of the typed columns (see the module docstring).
    """

    table: str
    model: type[ModelT]
    columns: Sequence[tuple[str, ColumnKind]]
    conflict: str = "id"
    extras: Sequence[tuple[str, str]] = ()
    encoded: bool = False
    _names: tuple[str, ...] = field(init=False, repr=False)
    _json_fields: tuple[str, ...] = field(init=False, repr=False)
    _ts_fields: tuple[str, ...] = field(init=False, repr=False)
    _values: Callable[[ModelT], tuple[Any, ...]] = field(init=False, repr=False)
    _json_at: tuple[int, ...] = field(init=False, repr=False)
    _enum_at: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_names", tuple(name for name, _ in self.columns))
        object.__setattr__(self, "_values", attrgetter(*self._names))
        modes = [_mode(self.model, name, kind) for name, kind in self.columns]
        object.__setattr__(self, "_json_at", _positions(modes, _JSON))
        object.__setattr__(self, "_enum_at", _positions(modes, _ENUM))
        object.__setattr__(
            self,
            "_json_fields",
            tuple(name for name, kind in self.columns if kind is ColumnKind.JSON),
        )
        object.__setattr__(
            self,
            "_ts_fields",
            tuple(name for name, kind in self.columns if kind is ColumnKind.TIMESTAMP),
        )

    @cached_property
    def select_list(self) -> str:
        """The columns to read, timestamps as ``epoch_us`` BIGINTs, in ``columns`` order."""
        return self.select_list_of("")

    def select_list_of(self, alias: str) -> str:
        """:attr:`select_list` with every column qualified by ``alias`` (when not empty)."""
        prefix = f"{alias}." if alias else ""
        return ", ".join(
            f"epoch_us({prefix}{name})" if kind is ColumnKind.TIMESTAMP else f"{prefix}{name}"
            for name, kind in self.columns
        )

    @cached_property
    def read_list(self) -> str:
        """What the callbacks read of a row, for :meth:`to_model`: ``body`` when the
        table is encoded, else :attr:`select_list`."""
        return "body" if self.encoded else self.select_list

    @property
    def stored_columns(self) -> list[tuple[str, str]]:
        """``(name, DuckDB type)`` of every column :meth:`params` gives a value for."""
        stored = [(name, kind.value) for name, kind in self.columns]
        return [*stored, ("body", "VARCHAR")] if self.encoded else stored

    def _insert(self, verb: str) -> str:
        stored = [name for name, _ in self.stored_columns]
        names = stored + [name for name, _ in self.extras]
        values = ["?"] * len(stored) + [expression for _, expression in self.extras]
        return f"{verb} INTO {self.table} ({', '.join(names)}) VALUES ({', '.join(values)})"

    @cached_property
    def upsert_sql(self) -> str:
        """``INSERT OR REPLACE`` of one row: the stored columns, then the extras."""
        return self._insert("INSERT OR REPLACE")

    @cached_property
    def insert_sql(self) -> str:
        """Plain ``INSERT`` of one row (the parameters of :attr:`upsert_sql`): for a row
        whose key no row holds, see :mod:`._writes`."""
        return self._insert("INSERT")

    @cached_property
    def exists_sql(self) -> str:
        """``SELECT 1`` of the row holding a key (one ``conflict`` parameter)."""
        return f"SELECT 1 FROM {self.table} WHERE {self.conflict} = ?"

    def params(self, record: ModelT) -> list[Any]:
        """The parameters of :attr:`upsert_sql` for the model columns of ``record``.

        JSON columns go through :func:`json_text`; a profile of a bulk import put most
        of a message row's time in the JSON encoding of ``json.dumps``.  An encoded
        table reads the fields off the record (an enum as its value, a JSON column's
        models and maps encoded by pydantic-core as they are) instead of building
        ``model_dump(mode="json")`` beside the ``body`` text: the same values, about
        40% less time per message row.
        """
        if self.encoded:
            return self._encoded_params(record)
        dumped = record.model_dump(mode="json")
        values: list[Any] = []
        append = values.append
        for name, kind in self.columns:
            if kind is ColumnKind.JSON:
                append(json_text(dumped[name]))
            elif kind is ColumnKind.TIMESTAMP:
                append(getattr(record, name))
            else:
                append(dumped[name])
        return values

    def _encoded_params(self, record: ModelT) -> list[Any]:
        values = list(self._values(record))
        for at in self._json_at:
            values[at] = to_json(values[at]).decode()
        for at in self._enum_at:
            value = values[at]
            if isinstance(value, Enum):
                values[at] = value.value
        values.append(record.model_dump_json())
        return values

    def to_model(self, row: Sequence[Any]) -> ModelT:
        """Build the model from a row read with :attr:`read_list`."""
        if self.encoded:
            return self.model.model_validate_json(row[0])
        return self.from_columns(row)

    def from_columns(self, row: Sequence[Any]) -> ModelT:
        """Build the model from a row read with :attr:`select_list` (the typed columns)."""
        data = dict(zip(self._names, row, strict=True))
        for name in self._json_fields:
            text = data[name]
            # Empty maps and lists are the common case: skip the JSON parser for them.
            data[name] = {} if text == "{}" else [] if text == "[]" else json.loads(text)
        for name in self._ts_fields:
            value = data[name]
            if value is not None:
                data[name] = EPOCH + timedelta(microseconds=value)
        return self.model.model_validate(data)

    def column_ddl(self) -> str:
        """The ``name TYPE`` list of the model columns, for ``CREATE TABLE``."""
        return ",\n    ".join(f"{name} {kind.value}" for name, kind in self.columns)


def converter(spec: TableSpec[ModelT]) -> Callable[[Sequence[Any]], ModelT]:
    """The bound :meth:`TableSpec.to_model` of ``spec`` (a short name for hot paths)."""
    return spec.to_model


def latest_holder(rows: Sequence[Sequence[Any]]) -> Sequence[Any] | None:
    """The row of a key's most recently saved holder: the one with the highest save
    sequence (column 0), without that column; ``None`` when the key has no holder."""
    if not rows:
        return None
    return max(rows, key=lambda row: row[0])[1:]
