"""The PostgreSQL adapter's export and import (contract 9.2): its SQL and bulk path
over the shared plan of :mod:`jido_persistence.export_plan`.

Export holds one pooled connection in one ``REPEATABLE READ, READ ONLY`` transaction
(one snapshot: writers go on, the export sees none of their commits) and reads one
query per kind, in the documented order (:mod:`jido_persistence.interchange`),
through a server-side cursor, :data:`BATCH` rows a round trip: memory O(one batch)
whatever the store's size (the server sorts what an index does not order, within
its ``work_mem``, spilling to disk).  Messages and threads come in ``save_seq`` order,
their save order; a key is listed with its holder when no holder saved later holds
it, in that holder's save order.

Import is one transaction: the store's tables are locked against writers (``LOCK
TABLE ... IN EXCLUSIVE MODE``: readers go on) and must hold no record (else
InvalidArgument, nothing written); every record becomes the row its ``save_*``
callback writes (:mod:`._rows`, in the columns of its statement in
:mod:`._statements`) and goes in through ``COPY ... FROM STDIN``, one ``COPY`` for
each batch of records of one kind.  Messages and threads get ``save_seq`` values in the
order given, after the sequence's current value, and the sequence is then set past
them, so every key resolves as it did in the source and later saves number after
them.  Message and thread key records follow from that order and are counted, not
written.  Both run without the per-statement timeout (a ``COPY`` of a million rows is
one statement).  Any failure rolls the whole import back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import psycopg
import psycopg.errors
from psycopg_pool import PoolClosed

from jido_persistence import export_plan as plan
from jido_persistence.errors import InvalidArgument, StorageError, StoreClosed
from jido_persistence.models import ImportReport
from jido_persistence.records import Record
from jido_persistence_postgres._base import PostgresBase
from jido_persistence_postgres._database import Connection
from jido_persistence_postgres._rows import (
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
from jido_persistence_postgres._statements import Statements

__all__ = ["BATCH", "PostgresInterchange"]

BATCH: Final = 2000
"""Rows fetched per round trip of the export's server-side cursor."""

IMPORT_BATCH: Final = 5000
"""Rows of one kind sent in one ``COPY`` of an import."""


def _keys(select: str, table: str, *key: str) -> str:
    same = " AND ".join(f"later.{column} = held.{column}" for column in key)
    newest = (
        f"NOT EXISTS (SELECT 1 FROM {{s}}.{table} AS later WHERE {same}"
        " AND later.save_seq > held.save_seq)"
    )
    where = f"{key[-1]} IS NOT NULL AND {newest}"
    return f"SELECT {select} FROM {{s}}.{table} AS held WHERE {where} ORDER BY save_seq"


_KEY: Final = ("key_channel", "key_bridge_id", "key_external_id")
EXPORT: Final = (
    "SELECT doc FROM {s}.bridge_configs ORDER BY id",
    "SELECT doc FROM {s}.rooms ORDER BY inserted_at, id",
    "SELECT doc FROM {s}.participants ORDER BY id",
    "SELECT doc FROM {s}.routing_policies ORDER BY room_id",
    "SELECT doc FROM {s}.room_bindings ORDER BY id",
    "SELECT doc FROM {s}.onboarding ORDER BY id",
    "SELECT doc FROM {s}.ingress_subscriptions ORDER BY bridge_id, subscription_id",
    "SELECT doc FROM {s}.threads ORDER BY save_seq",
    "SELECT doc FROM {s}.messages ORDER BY save_seq",
    "SELECT channel, bridge_id, external_id, room_id FROM {s}.binding_keys"
    " ORDER BY channel, bridge_id, external_id",
    "SELECT channel, external_id, participant_id FROM {s}.participant_keys"
    " ORDER BY channel, external_id",
    _keys(", ".join(_KEY) + ", id", "messages", *_KEY),
    _keys("room_id, external_thread_id, id", "threads", "room_id", "external_thread_id"),
    _keys("room_id, root_message_id, id", "threads", "room_id", "root_message_id"),
)
"""One query template per kind of :data:`~jido_persistence.export_plan.PLAN`, in its order."""
_READERS: Final = tuple(plan.record_reader(kind.kind) for kind in plan.PLAN)

_LOCK: Final = (
    "LOCK TABLE " + ", ".join(f"{{s}}.{table}" for table in plan.TABLES) + " IN EXCLUSIVE MODE"
)
_ANY_RECORD: Final = plan.any_record_query(f"{{s}}.{table}" for table in plan.TABLES)
_SEQ_NEXT: Final = "SELECT nextval({seq})"
_SEQ_SET: Final = "SELECT setval({seq}, %s)"
_INSERT: Final = re.compile(r"INSERT INTO \{s\}\.(\w+) \(([^)]*)\)")


@dataclass(frozen=True)
class CopyTarget:
    """Where one kind's rows go: its table, its columns, and where ``save_seq`` goes."""

    statement: str
    """The ``COPY ... FROM STDIN`` template."""
    seq_at: int | None
    """The position of ``save_seq`` among the columns (``None``: not numbered)."""
    row: Callable[[Any], tuple[object, ...]]
    """The parameters of the kind's ``save_*`` statement, from its record."""


def copy_target(insert: str, row: Callable[[Any], tuple[object, ...]]) -> CopyTarget:
    """The COPY of the rows that the ``INSERT`` template ``insert`` writes.

    The columns are the statement's own, so a column the statement gains comes along;
    ``nextval({seq})`` among its values marks the ``save_seq`` column.
    """
    found = _INSERT.search(insert)
    if found is None:
        raise ValueError(f"not an INSERT template: {insert[:60]!r}")
    table, columns = found.group(1), [c.strip() for c in found.group(2).split(",")]
    seq_at = columns.index("save_seq") if "nextval({seq})" in insert else None
    statement = f"COPY {{s}}.{table} ({', '.join(columns)}) FROM STDIN"
    return CopyTarget(statement, seq_at, row)


S = Statements
TARGETS: Final[dict[str, CopyTarget]] = {
    "bridge_config": copy_target(S.bridge_config_upsert, lambda r: bridge_config_row(r.record)),
    "room": copy_target(S.room_upsert, lambda r: room_row(r.record)),
    "participant": copy_target(S.participant_upsert, lambda r: participant_row(r.record)),
    "routing_policy": copy_target(S.routing_policy_upsert, lambda r: routing_policy_row(r.record)),
    "room_binding": copy_target(S.binding_upsert, lambda r: binding_row(r.record)),
    "onboarding": copy_target(S.onboarding_upsert, lambda r: onboarding_row(dict(r.record))),
    "ingress_subscription": copy_target(S.ingress_upsert, lambda r: ingress_row(r.record)),
    "thread": copy_target(S.thread_upsert, lambda r: thread_row(r.record)),
    "message": copy_target(S.message_upsert, lambda r: message_row(r.record)),
    "binding_key": copy_target(S.binding_key_upsert, plan.key_row),
    "participant_key": copy_target(S.participant_key_insert, plan.key_row),
}
"""Each written kind's COPY (the derived key kinds are not written)."""


if TYPE_CHECKING:
    _Mixin = PostgresBase
else:
    # A plain mixin at run time: its hooks are half of the enumeration group, which is
    # checked whole on PostgresEnumeration (a group is all or none at class definition).
    _Mixin = object


class PostgresInterchange(_Mixin):
    """``_export_records`` and ``_import_records`` on PostgreSQL."""

    def _export_records(self) -> Iterator[Record]:
        """Every record and key of one snapshot, in the documented order; streamed."""
        try:
            conn = self._db.getconn()
        except PoolClosed:
            raise StoreClosed("the store is closed: export_records() needs an open store") from None
        except psycopg.Error as error:
            raise StorageError(self._db.describe("export_records() failed", error)) from error
        try:
            with conn.transaction():
                conn.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", prepare=False
                )
                conn.execute("SET LOCAL statement_timeout = 0", prepare=False)
                for template, reader in zip(EXPORT, _READERS, strict=True):
                    with conn.cursor(name="jido_persistence_export") as cursor:
                        cursor.itersize = BATCH
                        cursor.execute(self._sql.render(template), ())
                        while rows := cursor.fetchmany(BATCH):
                            for row in rows:
                                yield reader(row)
        except psycopg.Error as error:
            raise StorageError(self._db.describe("export_records() failed", error)) from error
        finally:
            self._db.putconn(conn)

    def _import_records(self, records: Iterable[Record]) -> ImportReport:
        """All of ``records`` into the empty store in one transaction of COPYs."""
        attempt = plan.OneAttempt()
        render = self._sql.render

        def work(conn: Connection) -> ImportReport:
            attempt.start()
            conn.execute("SET LOCAL statement_timeout = 0", prepare=False)
            conn.execute(render(_LOCK), (), prepare=False)
            row = conn.execute(render(_ANY_RECORD), (), prepare=False).fetchone()
            if row is not None and row[0]:
                raise InvalidArgument(plan.NOT_EMPTY)
            first = conn.execute(render(_SEQ_NEXT), (), prepare=False).fetchone()
            seq = [int(first[0]) if first is not None else 1]

            def numbered(target: CopyTarget) -> Callable[[Any], tuple[object, ...]]:
                at = target.seq_at
                if at is None:
                    return target.row

                def row(record: Any) -> tuple[object, ...]:
                    values = target.row(record)
                    seq[0] += 1
                    return (*values[:at], seq[0] - 1, *values[at:])

                return row

            def write(kind: str, rows: list[Any]) -> None:
                with conn.cursor() as cursor, cursor.copy(render(TARGETS[kind].statement)) as copy:
                    for values in rows:
                        copy.write_row(values)

            rows = {kind: numbered(target) for kind, target in TARGETS.items()}
            report = plan.load_in_batches(records, rows, write, IMPORT_BATCH)
            conn.execute(render(_SEQ_SET), (seq[0],), prepare=False)
            return report

        try:
            return self._db.run("import_records", work, transaction=True, repeatable=False)
        except StorageError as error:
            cause = error.__cause__
            if isinstance(cause, psycopg.errors.IntegrityError):
                raise plan.conflicting_records(cause) from cause
            raise
