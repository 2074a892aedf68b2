"""The SQLite adapter's export and import (contract 9.2): its SQL and bulk path over
the shared plan of :mod:`jido_persistence.export_plan`.

Export reads one snapshot: a read-only connection of its own (so a caller may use the
store on the same thread while it iterates), one read transaction (WAL: writers go on),
one query per kind in export order, ``fetchmany`` at a time: memory O(one batch).
Messages and threads come in ``seq`` order, their save order; a key is listed with its
holder when no later row holds it (an index probe per row, no sort).

Import is one ``BEGIN IMMEDIATE`` transaction into an empty store: the rows ``save_*``
writes (:mod:`._rows`), inserted with ``executemany`` as plain ``INSERT`` (nothing can
conflict in an empty store; a record twice raises IntegrityError), messages and threads
in the order given so that ``seq`` rebuilds every key's resolution.  Any failure rolls
the whole import back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from jido_persistence import export_plan as plan
from jido_persistence.errors import InvalidArgument, StorageError
from jido_persistence.models import ImportReport
from jido_persistence.records import Record
from jido_persistence_sqlite import _rows
from jido_persistence_sqlite import _statements as sql
from jido_persistence_sqlite._base import Connection, SQLiteBase

__all__ = ["BATCH", "SQLiteInterchange"]

BATCH: Final = 1000
"""Rows fetched, or rows inserted, at a time."""


def _newest(table: str, *columns: str) -> str:
    same = " AND ".join(f"later.{column} = held.{column}" for column in columns)
    return f"NOT EXISTS (SELECT 1 FROM {table} AS later WHERE {same} AND later.seq > held.seq)"


def _keys(select: str, table: str, *key: str) -> str:
    where = f"{key[-1]} IS NOT NULL AND {_newest(table, *key)}"
    return f"SELECT {select} FROM {table} AS held WHERE {where} ORDER BY seq"


_KEY: Final = ("key_channel", "key_bridge_id", "key_external_id")
EXPORT: Final = (
    "SELECT doc FROM bridge_configs ORDER BY id",
    "SELECT doc FROM rooms ORDER BY inserted_us, id",
    "SELECT doc FROM participants ORDER BY id",
    "SELECT doc FROM routing_policies ORDER BY room_id",
    "SELECT doc FROM room_bindings ORDER BY id",
    "SELECT doc FROM onboarding ORDER BY id",
    "SELECT doc FROM ingress_subscriptions ORDER BY bridge_id, subscription_id",
    "SELECT doc FROM threads ORDER BY seq",
    "SELECT doc FROM messages ORDER BY seq",
    "SELECT channel, bridge_id, external_id, room_id FROM binding_keys ORDER BY 1, 2, 3",
    "SELECT channel, external_id, participant_id FROM participant_keys ORDER BY 1, 2",
    _keys(", ".join(_KEY) + ", id", "messages", *_KEY),
    _keys("room_id, external_thread_id, id", "threads", "room_id", "external_thread_id"),
    _keys("room_id, root_message_id, id", "threads", "room_id", "root_message_id"),
)
"""One query per kind of :data:`~jido_persistence.export_plan.PLAN`, in its order."""
_READERS: Final = tuple(plan.record_reader(kind.kind) for kind in plan.PLAN)
ANY_RECORD: Final = plan.any_record_query(plan.TABLES)


def plain_insert(upsert: str) -> str:
    """The ``save_*`` statement ``upsert`` as a plain ``INSERT`` (same columns, same
    parameters): into an empty store nothing conflicts, and SQLite inserts several
    times faster without conflict resolution."""
    return upsert.replace("INSERT OR REPLACE INTO", "INSERT INTO", 1).split(" ON CONFLICT", 1)[0]


def _doc(r: Any) -> str:
    return str(r.record.model_dump_json())


INSERTS: Final = {
    "bridge_config": plain_insert(sql.BRIDGE_CONFIG_UPSERT),
    "room": plain_insert(sql.ROOM_UPSERT),
    "participant": plain_insert(sql.PARTICIPANT_UPSERT),
    "routing_policy": plain_insert(sql.ROUTING_POLICY_UPSERT),
    "room_binding": plain_insert(sql.BINDING_UPSERT),
    "onboarding": plain_insert(sql.ONBOARDING_UPSERT),
    "ingress_subscription": plain_insert(sql.INGRESS_UPSERT),
    "thread": plain_insert(sql.THREAD_UPSERT),
    "message": plain_insert(sql.MESSAGE_UPSERT),
    "binding_key": plain_insert(sql.BINDING_KEY_PUT),
    "participant_key": plain_insert(sql.PARTICIPANT_KEY_PUT),
}
"""Each written kind's statement (the derived key kinds are not written)."""
ROWS: Final = {
    "bridge_config": lambda r: (r.record.id, r.record.enabled, _doc(r)),
    "room": lambda r: _rows.room_row(r.record),
    "participant": lambda r: _rows.participant_row(r.record),
    "routing_policy": lambda r: (r.record.room_id, _doc(r)),
    "room_binding": lambda r: _rows.binding_row(r.record),
    "onboarding": lambda r: _rows.onboarding_row(dict(r.record)),
    "ingress_subscription": lambda r: (
        r.record.bridge_id,
        r.record.subscription_id,
        r.record.status.value,
        _doc(r),
    ),
    "thread": lambda r: _rows.thread_row(r.record),
    "message": lambda r: _rows.message_row(r.record),
    "binding_key": plan.key_row,
    "participant_key": plan.key_row,
}
"""Each written kind's parameters, from its record."""


if TYPE_CHECKING:
    _Mixin = SQLiteBase
else:
    # A plain mixin at run time: its hooks are half of the enumeration group, which is
    # checked whole on SQLiteEnumeration (a group is all or none at class definition).
    _Mixin = object


class SQLiteInterchange(_Mixin):
    """``_export_records`` and ``_import_records`` on SQLite."""

    def _export_records(self) -> Iterator[Record]:
        """Every record and key of one snapshot, in the documented order; streamed."""
        location = f"file:{quote(self._db.location)}?mode=ro"
        try:
            conn = sqlite3.connect(location, uri=True, isolation_level=None)
        except sqlite3.Error as error:
            raise StorageError(f"export_records() cannot read the store: {error}") from error
        try:
            conn.execute(f"PRAGMA busy_timeout = {round(self._db.busy_timeout * 1000)}")
            conn.execute(sql.BEGIN_READ)
            for query, reader in zip(EXPORT, _READERS, strict=True):
                cursor = conn.execute(query)
                while rows := cursor.fetchmany(BATCH):
                    for row in rows:
                        yield reader(row)
        except sqlite3.Error as error:
            raise StorageError(f"export_records() failed in the backend: {error}") from error
        finally:
            conn.close()

    def _import_records(self, records: Iterable[Record]) -> ImportReport:
        """All of ``records`` into the empty store in one immediate transaction."""
        attempt = plan.OneAttempt()

        def work(conn: Connection) -> ImportReport:
            attempt.start()
            if conn.execute(ANY_RECORD).fetchone()[0]:
                raise InvalidArgument(plan.NOT_EMPTY)
            return plan.load_in_batches(
                records, ROWS, lambda kind, rows: conn.executemany(INSERTS[kind], rows), BATCH
            )

        try:
            return self._in_transaction("import_records", work)
        except sqlite3.IntegrityError as error:
            raise plan.conflicting_records(error) from error
