"""``SqlInterchange``: export and import (contract 9.2) for an adapter on the SQL toolkit.

The loops of :mod:`jido_persistence.export_plan` over a DB-API 2 connection, so that an
adapter built on :class:`~jido_persistence.sqlkit_records.SqlRecords` writes only the
SQL of its export and import (a :class:`SqlInterchangeStatements`) and two hooks:

- export reads one snapshot: ``_sql_export_connection()``, a context manager yielding a
  connection already inside one read snapshot (a read-only connection of the export's
  own, so that the caller may use the store on the same thread while it iterates, and
  writers go on); then one query per kind in :data:`~jido_persistence.export_plan.PLAN`
  order, :attr:`SqlInterchange.sql_batch` rows at a time (``fetchmany``): memory O(one
  batch).  Messages and threads come in their save order;
- import is one write transaction into an empty store (``_sql_import(work)``, by default
  ``_sql_write("import_records", work)``): the empty-store check
  (:attr:`SqlInterchangeStatements.any_record`), then the rows of
  :mod:`jido_persistence.sqlkit_rows` (:data:`ROWS`) inserted with ``executemany``, a
  batch per kind at a time, messages and threads in the order given, so that the save
  order rebuilds every key's resolution.  The inserts are plain ``INSERT``: nothing can
  conflict in an empty store, and a record twice raises one of the adapter's
  :attr:`~SqlInterchange.sql_integrity_errors`, which becomes InvalidArgument.  Any
  failure rolls the whole import back.

A backend error while exporting is the guard's: the adapter's ``backend_errors`` become
StorageError.  List this mixin after ``SqlRecords`` among the adapter's bases; the two
required hooks may be defined in any base.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final, TypeVar

from jido_persistence import export_plan as plan
from jido_persistence.errors import InvalidArgument
from jido_persistence.models import ImportReport
from jido_persistence.records import Record
from jido_persistence.sqlkit import SqlConnection, Work
from jido_persistence.sqlkit_rows import (
    binding_row,
    bridge_config_row,
    ingress_row,
    message_row,
    onboarding_row,
    participant_row,
    room_row,
    routing_policy_row,
    thread_row,
)

__all__ = ["BATCH", "ROWS", "WRITTEN_KINDS", "SqlInterchange", "SqlInterchangeStatements"]

T = TypeVar("T")

BATCH: Final = 1000
"""Rows fetched, or rows inserted, at a time (the default :attr:`SqlInterchange.sql_batch`)."""

WRITTEN_KINDS: Final[tuple[str, ...]] = tuple(kind.kind for kind in plan.PLAN if not kind.derived)
"""The kinds an import writes, in export order (message and thread keys are derived)."""

ROWS: Final[Mapping[str, Callable[[Any], Sequence[Any]]]] = {
    "bridge_config": lambda r: bridge_config_row(r.record),
    "room": lambda r: room_row(r.record),
    "participant": lambda r: participant_row(r.record),
    "routing_policy": lambda r: routing_policy_row(r.record),
    "room_binding": lambda r: binding_row(r.record),
    "onboarding": lambda r: onboarding_row(dict(r.record)),
    "ingress_subscription": lambda r: ingress_row(r.record),
    "thread": lambda r: thread_row(r.record),
    "message": lambda r: message_row(r.record),
    "binding_key": plan.key_row,
    "participant_key": plan.key_row,
}
"""Each written kind's insert parameters, from its record: the rows of
:mod:`jido_persistence.sqlkit_rows` (those the ``*_upsert`` statements take), and a
key's fields in :attr:`~jido_persistence.export_plan.KindPlan.fields` order (those of
``binding_key_put`` / ``participant_key_put``)."""

_READERS: Final = tuple(plan.record_reader(kind.kind) for kind in plan.PLAN)


@dataclass(frozen=True, slots=True)
class SqlInterchangeStatements:
    """The SQL of an export and an import, in the driver's placeholders.

    Raises ValueError when built with a query per kind missing or an insert missing.
    """

    export: Sequence[str]
    """One query per kind of :data:`~jido_persistence.export_plan.PLAN`, in its order,
    each in the kind's documented order: a stored kind's rows are one ``doc`` column, a
    key kind's its :attr:`~jido_persistence.export_plan.KindPlan.fields` in order (a
    message or thread key listed with its holder when no later-saved row holds it)."""
    inserts: Mapping[str, str]
    """Each of :data:`WRITTEN_KINDS`' plain ``INSERT`` (no conflict resolution), taking
    the parameters :data:`ROWS` gives; messages and threads get their save order from
    the order of the inserts."""
    any_record: str
    """One row of one truthy column when any table holds a row
    (:func:`~jido_persistence.export_plan.any_record_query` over the adapter's tables)."""

    def __post_init__(self) -> None:
        if len(self.export) != len(plan.PLAN):
            raise ValueError(f"export needs {len(plan.PLAN)} queries, got {len(self.export)}")
        if set(self.inserts) != set(WRITTEN_KINDS):
            raise ValueError(f"inserts needs exactly the kinds {', '.join(WRITTEN_KINDS)}")


if TYPE_CHECKING:
    from jido_persistence.sqlkit_groups import SqlHooks

    _Mixin = SqlHooks
else:
    # A plain mixin at run time: its hooks are half of the enumeration group, which is
    # checked whole on the adapter class (a group is all or none at class definition).
    _Mixin = object


class SqlInterchange(_Mixin):
    """``_export_records`` and ``_import_records`` over ``_sql_interchange`` statements.

    The adapter provides ``_sql_interchange`` (its :class:`SqlInterchangeStatements`),
    ``_sql_export_connection()`` and ``sql_integrity_errors`` (see the module doc).
    """

    sql_batch: ClassVar[int] = BATCH
    """Rows fetched, or rows inserted, at a time."""

    if TYPE_CHECKING:
        _sql_interchange: SqlInterchangeStatements
        sql_integrity_errors: ClassVar[tuple[type[BaseException], ...]]

        def _sql_export_connection(self) -> AbstractContextManager[SqlConnection]: ...

    def _sql_import(self, work: Work[T]) -> T:
        """``work(conn)`` in the import's one write transaction (``_sql_write``)."""
        return self._sql_write("import_records", work)

    def _export_records(self) -> Iterator[Record]:
        """Every record and key of one snapshot, in the documented order; streamed."""
        batch = self.sql_batch
        with self._sql_export_connection() as conn:
            for query, reader in zip(self._sql_interchange.export, _READERS, strict=True):
                cursor = conn.execute(query)
                while rows := cursor.fetchmany(batch):
                    for row in rows:
                        yield reader(row)

    def _import_records(self, records: Iterable[Record]) -> ImportReport:
        """All of ``records`` into the empty store in one write transaction."""
        statements = self._sql_interchange
        attempt = plan.OneAttempt()

        def work(conn: SqlConnection) -> ImportReport:
            attempt.start()
            if conn.execute(statements.any_record).fetchone()[0]:
                raise InvalidArgument(plan.NOT_EMPTY)

            def write(kind: str, rows: list[Any]) -> object:
                return conn.executemany(statements.inserts[kind], rows)

            return plan.load_in_batches(records, ROWS, write, self.sql_batch)

        try:
            return self._sql_import(work)
        except self.sql_integrity_errors as error:
            raise plan.conflicting_records(error) from error
