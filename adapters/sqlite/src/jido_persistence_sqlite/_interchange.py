"""The SQLite adapter's export and import (contract 9.2).

Export reads one snapshot: a read-only connection of its own opened for the export
(so a caller may use the store on the same thread while it iterates), one read
transaction (WAL: writers go on, the export sees none of their commits), and one
query per kind in the documented order (:mod:`jido_persistence.interchange`), each
read ``fetchmany`` at a time: memory O(one batch), whatever the store's size.
Messages and threads come in ``seq`` order, which is their save order; a message or
thread key is listed with its holder when that holder is the key's most recently
saved one (no later row holds the key: an index probe per row, no sort).

Import is one ``BEGIN IMMEDIATE`` transaction: the store must hold no record (else
InvalidArgument, nothing written), then the records are converted with the rows of
:mod:`._rows` that ``save_*`` writes and inserted with ``executemany``, a batch per
kind at a time, messages and threads in the order given, so ``seq`` numbers them in
file order and every key resolves as it did in the source.  Message and thread key
records follow from that order and are counted, not written.  Any failure (a bad
record, a backend error, an exception from the records' iterator) rolls the whole
import back.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from jido_persistence.errors import InvalidArgument, StorageError
from jido_persistence.models import (
    BridgeConfig,
    ImportReport,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
from jido_persistence.records import (
    BindingKeyRecord,
    BridgeConfigRecord,
    IngressSubscriptionRecord,
    MessageKeyRecord,
    MessageRecord,
    OnboardingRecord,
    ParticipantKeyRecord,
    ParticipantRecord,
    Record,
    RoomBindingRecord,
    RoomRecord,
    RoutingPolicyRecord,
    ThreadExternalKeyRecord,
    ThreadRecord,
    ThreadRootKeyRecord,
)
from jido_persistence_sqlite import _statements as sql
from jido_persistence_sqlite._base import Connection, SQLiteBase
from jido_persistence_sqlite._rows import (
    binding_row,
    message_row,
    onboarding_row,
    participant_row,
    room_row,
    thread_row,
)

__all__ = ["BATCH", "SQLiteInterchange"]

BATCH: Final = 1000
"""Rows fetched, or rows inserted, at a time."""

_NEWEST: Final = "NOT EXISTS (SELECT 1 FROM {table} AS later WHERE {same} AND later.seq > held.seq)"


def _newest(table: str, columns: tuple[str, ...]) -> str:
    same = " AND ".join(f"later.{column} = held.{column}" for column in columns)
    return _NEWEST.format(table=table, same=same)


_MESSAGE_KEY: Final = ("key_channel", "key_bridge_id", "key_external_id")

Reader = Callable[[tuple[Any, ...]], Record]

EXPORT: Final[tuple[tuple[str, Reader], ...]] = (
    (
        "SELECT doc FROM bridge_configs ORDER BY id",
        lambda row: BridgeConfigRecord.model_construct(
            record=BridgeConfig.model_validate_json(row[0])
        ),
    ),
    (
        "SELECT doc FROM rooms ORDER BY inserted_us, id",
        lambda row: RoomRecord.model_construct(record=Room.model_validate_json(row[0])),
    ),
    (
        "SELECT doc FROM participants ORDER BY id",
        lambda row: ParticipantRecord.model_construct(
            record=Participant.model_validate_json(row[0])
        ),
    ),
    (
        "SELECT doc FROM routing_policies ORDER BY room_id",
        lambda row: RoutingPolicyRecord.model_construct(
            record=RoutingPolicy.model_validate_json(row[0])
        ),
    ),
    (
        "SELECT doc FROM room_bindings ORDER BY id",
        lambda row: RoomBindingRecord.model_construct(
            record=RoomBinding.model_validate_json(row[0])
        ),
    ),
    (
        "SELECT doc FROM onboarding ORDER BY id",
        lambda row: OnboardingRecord.model_construct(record=json.loads(row[0])),
    ),
    (
        "SELECT doc FROM ingress_subscriptions ORDER BY bridge_id, subscription_id",
        lambda row: IngressSubscriptionRecord.model_construct(
            record=IngressSubscription.model_validate_json(row[0])
        ),
    ),
    (
        "SELECT doc FROM threads ORDER BY seq",
        lambda row: ThreadRecord.model_construct(record=Thread.model_validate_json(row[0])),
    ),
    (
        "SELECT doc FROM messages ORDER BY seq",
        lambda row: MessageRecord.model_construct(record=Message.model_validate_json(row[0])),
    ),
    (
        "SELECT channel, bridge_id, external_id, room_id FROM binding_keys"
        " ORDER BY channel, bridge_id, external_id",
        lambda row: BindingKeyRecord.model_construct(
            channel=row[0], bridge_id=row[1], external_id=row[2], room_id=row[3]
        ),
    ),
    (
        "SELECT channel, external_id, participant_id FROM participant_keys"
        " ORDER BY channel, external_id",
        lambda row: ParticipantKeyRecord.model_construct(
            channel=row[0], external_id=row[1], participant_id=row[2]
        ),
    ),
    (
        "SELECT key_channel, key_bridge_id, key_external_id, id FROM messages AS held"
        " WHERE key_external_id IS NOT NULL AND "
        + _newest("messages", _MESSAGE_KEY)
        + " ORDER BY seq",
        lambda row: MessageKeyRecord.model_construct(
            channel=row[0], bridge_id=row[1], external_id=row[2], message_id=row[3]
        ),
    ),
    (
        "SELECT room_id, external_thread_id, id FROM threads AS held"
        " WHERE external_thread_id IS NOT NULL AND "
        + _newest("threads", ("room_id", "external_thread_id"))
        + " ORDER BY seq",
        lambda row: ThreadExternalKeyRecord.model_construct(
            room_id=row[0], external_thread_id=row[1], thread_id=row[2]
        ),
    ),
    (
        "SELECT room_id, root_message_id, id FROM threads AS held"
        " WHERE root_message_id IS NOT NULL AND "
        + _newest("threads", ("room_id", "root_message_id"))
        + " ORDER BY seq",
        lambda row: ThreadRootKeyRecord.model_construct(
            room_id=row[0], root_message_id=row[1], thread_id=row[2]
        ),
    ),
)
"""One query per kind, in export order, with what makes each row a record."""

_TABLES: Final = (
    "rooms",
    "participants",
    "participant_keys",
    "messages",
    "threads",
    "room_bindings",
    "binding_keys",
    "onboarding",
    "bridge_configs",
    "routing_policies",
    "ingress_subscriptions",
)
ANY_RECORD: Final = "SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM {t})" for t in _TABLES)
"""Whether the store holds anything an import would have to merge with."""

Writer = tuple[str, Callable[[Any], tuple[object, ...]]]


def plain_insert(upsert: str) -> str:
    """The ``save_*`` statement ``upsert`` as a plain ``INSERT`` (same columns, same
    parameters): into an empty store nothing conflicts, and SQLite inserts several
    times faster without conflict resolution.  Two records with one key then raise
    IntegrityError (a file with a record twice is refused)."""
    return upsert.replace("INSERT OR REPLACE INTO", "INSERT INTO", 1).split(" ON CONFLICT", 1)[0]


IMPORT: Final[dict[str, Writer | None]] = {
    "bridge_config": (
        plain_insert(sql.BRIDGE_CONFIG_UPSERT),
        lambda r: (r.record.id, r.record.enabled, r.record.model_dump_json()),
    ),
    "room": (plain_insert(sql.ROOM_UPSERT), lambda r: room_row(r.record)),
    "participant": (plain_insert(sql.PARTICIPANT_UPSERT), lambda r: participant_row(r.record)),
    "routing_policy": (
        plain_insert(sql.ROUTING_POLICY_UPSERT),
        lambda r: (r.record.room_id, r.record.model_dump_json()),
    ),
    "room_binding": (plain_insert(sql.BINDING_UPSERT), lambda r: binding_row(r.record)),
    "onboarding": (plain_insert(sql.ONBOARDING_UPSERT), lambda r: onboarding_row(dict(r.record))),
    "ingress_subscription": (
        plain_insert(sql.INGRESS_UPSERT),
        lambda r: (
            r.record.bridge_id,
            r.record.subscription_id,
            r.record.status.value,
            r.record.model_dump_json(),
        ),
    ),
    "thread": (plain_insert(sql.THREAD_UPSERT), lambda r: thread_row(r.record)),
    "message": (plain_insert(sql.MESSAGE_UPSERT), lambda r: message_row(r.record)),
    "binding_key": (
        plain_insert(sql.BINDING_KEY_PUT),
        lambda r: (r.channel, r.bridge_id, r.external_id, r.room_id),
    ),
    "participant_key": (
        plain_insert(sql.PARTICIPANT_KEY_PUT),
        lambda r: (r.channel, r.external_id, r.participant_id),
    ),
    # Derived: saving messages and threads in order rebuilt them.
    "message_key": None,
    "thread_external_key": None,
    "thread_root_key": None,
}
"""Each kind's statement and row, or ``None`` for the derived key kinds."""


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
        try:
            conn = sqlite3.connect(
                f"file:{quote(self._db.location)}?mode=ro", uri=True, isolation_level=None
            )
        except sqlite3.Error as error:
            raise StorageError(f"export_records() cannot read the store: {error}") from error
        try:
            conn.execute(f"PRAGMA busy_timeout = {round(self._db.busy_timeout * 1000)}")
            conn.execute(sql.BEGIN_READ)
            for query, reader in EXPORT:
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
        started = False

        def work(conn: Connection) -> ImportReport:
            nonlocal started
            if started:
                # Database.write retries a busy transaction; the records are consumed.
                raise StorageError(
                    "import_records() was interrupted by a busy store; nothing was imported"
                )
            started = True
            if conn.execute(ANY_RECORD).fetchone()[0]:
                raise InvalidArgument(
                    "import_records() needs an empty store; this one holds records "
                    "(nothing was imported)"
                )
            return _load(conn, records)

        try:
            return self._in_transaction("import_records", work)
        except sqlite3.IntegrityError as error:
            raise InvalidArgument(
                f"import_records(): the records conflict with each other ({error}); "
                "nothing was imported"
            ) from error


def _load(conn: Connection, records: Iterable[Record]) -> ImportReport:
    """Insert ``records``, a batch per kind at a time; count them by kind."""
    pending: dict[str, list[tuple[object, ...]]] = {}
    counts: dict[str, int] = {}
    for record in records:
        kind = getattr(record, "kind", None)
        if kind not in IMPORT:
            raise InvalidArgument(f"import_records() got {type(record).__name__}, not a Record")
        counts[kind] = counts.get(kind, 0) + 1
        writer = IMPORT[kind]
        if writer is None:
            continue
        rows = pending.setdefault(kind, [])
        rows.append(writer[1](record))
        if len(rows) >= BATCH:
            conn.executemany(writer[0], rows)
            rows.clear()
    for kind, rows in pending.items():
        writer = IMPORT[kind]
        if rows and writer is not None:
            conn.executemany(writer[0], rows)
    return ImportReport(records=sum(counts.values()), by_kind=counts)
