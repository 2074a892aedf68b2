"""The DuckDB adapter's export and import (contract 9.2): its SQL and bulk path over
the shared plan of :mod:`jido_persistence.export_plan`.

Export runs on a cursor of its own (a DuckDB connection to the same database) inside
one transaction, so it reads one snapshot while writers go on, and the caller may use
the store on the same thread while it iterates.  One query per kind, in export order,
is read ``fetchmany`` at a time (memory O(one batch) on the Python side).  Messages and
threads come in ``save_seq`` order, their save order; a key's record names the holder
with the largest ``save_seq`` (``arg_max``), listed in that holder's save order.

Import is one transaction under the write lock into an empty store: every record
becomes the row its ``save_*`` callback writes (the adapter's own parameter functions,
so every column comes along) and goes in through DuckDB's Appender, :data:`BATCH` rows
per table at a time.  Messages and threads get ``save_seq`` values drawn from
``jp_save_seq`` in the order given, so every key resolves as it did in the source.
Any failure rolls the whole import back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final

import duckdb

from jido_persistence import export_plan as plan
from jido_persistence.errors import InvalidArgument, StorageError
from jido_persistence.models import ImportReport, Message, Participant, Thread
from jido_persistence.records import Record
from jido_persistence_duckdb._connection import Database
from jido_persistence_duckdb._rows import TableSpec, json_text
from jido_persistence_duckdb._schema import name_fold
from jido_persistence_duckdb._statements import lookup_key
from jido_persistence_duckdb._tables import (
    BINDINGS,
    BRIDGE_CONFIGS,
    INGRESS,
    MESSAGES,
    PARTICIPANTS,
    ROOMS,
    ROUTING_POLICIES,
    THREADS,
)

__all__ = ["BATCH", "DuckDBInterchange"]

BATCH: Final = 2048
"""Rows fetched, or appended before a flush, at a time."""

Cursor = duckdb.DuckDBPyConnection
Reader = Callable[[tuple[Any, ...]], Record]


def _select(spec: TableSpec[Any], order: str) -> str:
    return f"SELECT {spec.read_list} FROM {spec.table} ORDER BY {order}"


def _derived(kind: str) -> Reader:
    """A resolved key's row (its JSON key parts, its holder) to its record."""
    reader = plan.record_reader(kind)
    return lambda row: reader((*json.loads(row[0]), row[1]))


def _resolved(table: str, key: str) -> str:
    """Each key of ``table``'s column ``key`` with its most recently saved holder, in
    that holder's save order."""
    return (
        f"SELECT {key}, arg_max(id, save_seq) FROM {table} WHERE {key} IS NOT NULL"
        f" GROUP BY {key} ORDER BY max(save_seq)"
    )


_SPECS: Final[dict[str, tuple[TableSpec[Any], str]]] = {
    "bridge_config": (BRIDGE_CONFIGS, "id"),
    "room": (ROOMS, "inserted_at, id"),
    "participant": (PARTICIPANTS, "id"),
    "routing_policy": (ROUTING_POLICIES, "room_id"),
    "room_binding": (BINDINGS, "id"),
    "ingress_subscription": (INGRESS, "bridge_id, subscription_id"),
    "thread": (THREADS, "save_seq"),
    "message": (MESSAGES, "save_seq"),
}
_QUERIES: Final[dict[str, tuple[str, Reader]]] = {
    **{
        kind: (_select(spec, order), plan.record_reader(kind, spec.to_model))
        for kind, (spec, order) in _SPECS.items()
    },
    "onboarding": (
        "SELECT flow FROM jp_onboarding ORDER BY onboarding_id",
        plan.record_reader("onboarding"),
    ),
    "binding_key": (
        "SELECT channel, bridge_id, external_id, room_id FROM jp_binding_keys ORDER BY 1, 2, 3",
        plan.record_reader("binding_key"),
    ),
    "participant_key": (
        "SELECT channel, external_id, participant_id FROM jp_participant_keys ORDER BY 1, 2",
        plan.record_reader("participant_key"),
    ),
    "message_key": (_resolved(MESSAGES.table, "external_key"), _derived("message_key")),
    "thread_external_key": (
        _resolved(THREADS.table, "external_key"),
        _derived("thread_external_key"),
    ),
    "thread_root_key": (_resolved(THREADS.table, "root_key"), _derived("thread_root_key")),
}
EXPORT: Final = tuple(_QUERIES[kind.kind] for kind in plan.PLAN)
"""One query per kind, in export order, with what makes each row a record."""
ANY_RECORD: Final = plan.any_record_query(f"jp_{table}" for table in plan.TABLES)
_NEXT_SEQ: Final = "SELECT nextval('jp_save_seq') FROM range(?)"


def _columns(spec: TableSpec[Any]) -> list[str]:
    return [name for name, _ in spec.stored_columns] + [name for name, _ in spec.extras]


class _Table:
    """One table the Appender fills: its columns, and whether ``save_seq`` is drawn."""

    def __init__(self, table: str, columns: list[str], sequenced: bool) -> None:
        self.table = table
        self.columns = columns
        self.sequenced = sequenced

    def write(self, cursor: Cursor, rows: list[list[Any]]) -> None:
        if self.sequenced:
            # Save order: the values of one draw ascend (the write lock is held).
            drawn = sorted(v for (v,) in cursor.execute(_NEXT_SEQ, [len(rows)]).fetchall())
            for row, value in zip(rows, drawn, strict=True):
                row.append(value)
        with cursor.appender(self.table, columns=self.columns) as appender:
            appender.append_rows(rows)


class DuckDBInterchange:
    """``_export_records`` and ``_import_records`` on DuckDB."""

    _db: Database

    if TYPE_CHECKING:

        @staticmethod
        def _participant_params(participant: Participant) -> list[Any]: ...

        @staticmethod
        def _message_params(message: Message) -> list[Any]: ...

        @staticmethod
        def _thread_params(thread: Thread) -> list[Any]: ...

    def _export_records(self) -> Iterator[Record]:
        """Every record and key of one snapshot, in the documented order; streamed."""
        self._db.cursor()  # StoreClosed once closed
        cursor = self._db.connection.cursor()
        try:
            cursor.execute("SET TimeZone = 'UTC'")
            cursor.execute("BEGIN TRANSACTION")
            for query, reader in EXPORT:
                cursor.execute(query)
                while rows := cursor.fetchmany(BATCH):
                    for row in rows:
                        yield reader(row)
            cursor.execute("COMMIT")
        except duckdb.Error as error:
            raise StorageError(f"export_records() failed in the backend: {error}") from error
        finally:
            cursor.close()

    def _writers(self) -> dict[str, tuple[_Table, Callable[[Any], list[Any]]]]:
        def table(spec: TableSpec[Any], *, sequenced: bool = False) -> _Table:
            columns = _columns(spec)
            if sequenced:
                # save_seq (drawn here, not a parameter) is the last column.
                assert columns[-1] == "save_seq", columns
            return _Table(spec.table, columns, sequenced)

        def ingress(record: Any) -> list[Any]:
            s = record.record
            return [*INGRESS.params(s), lookup_key(s.bridge_id, s.subscription_id)]

        def binding(record: Any) -> list[Any]:
            b = record.record
            key = (b.channel, b.bridge_id, b.external_room_id)
            return [*BINDINGS.params(b), lookup_key(*key), lookup_key(b.room_id, *key)]

        def key(record: Any) -> list[Any]:
            row = plan.key_row(record)
            return [lookup_key(*row[:-1]), *row]

        def flow(record: Any) -> list[Any]:
            data = dict(record.record)
            return [data["onboarding_id"], json_text(data)]

        def keys(name: str, kind: str) -> _Table:
            fields = next(entry.fields for entry in plan.PLAN if entry.kind == kind)
            return _Table(name, [kind, *fields], False)

        message_params, thread_params = self._message_params, self._thread_params
        participant_params = self._participant_params
        return {
            "bridge_config": (table(BRIDGE_CONFIGS), lambda r: BRIDGE_CONFIGS.params(r.record)),
            "room": (table(ROOMS), lambda r: [*ROOMS.params(r.record), name_fold(r.record.name)]),
            "participant": (table(PARTICIPANTS), lambda r: participant_params(r.record)),
            "routing_policy": (
                table(ROUTING_POLICIES),
                lambda r: ROUTING_POLICIES.params(r.record),
            ),
            "room_binding": (table(BINDINGS), binding),
            "onboarding": (_Table("jp_onboarding", ["onboarding_id", "flow"], False), flow),
            "ingress_subscription": (table(INGRESS), ingress),
            "thread": (table(THREADS, sequenced=True), lambda r: thread_params(r.record)),
            "message": (table(MESSAGES, sequenced=True), lambda r: message_params(r.record)),
            "binding_key": (keys("jp_binding_keys", "binding_key"), key),
            "participant_key": (keys("jp_participant_keys", "participant_key"), key),
        }

    def _import_records(self, records: Iterable[Record]) -> ImportReport:
        """All of ``records`` into the empty store in one transaction."""
        writers = self._writers()
        rows = {kind: writer[1] for kind, writer in writers.items()}
        attempt = plan.OneAttempt()

        def work(cursor: Cursor) -> ImportReport:
            attempt.start()
            row = cursor.execute(ANY_RECORD).fetchall()[0]
            if row is not None and row[0]:
                raise InvalidArgument(plan.NOT_EMPTY)
            return plan.load_in_batches(
                records, rows, lambda kind, batch: writers[kind][0].write(cursor, batch), BATCH
            )

        with self._db.entered():
            try:
                return self._db.transaction(work)
            except duckdb.ConstraintException as error:
                raise plan.conflicting_records(error) from error
