"""The DuckDB adapter's export and import (contract 9.2).

Export runs on a cursor of its own (a DuckDB connection to the same database) inside
one transaction, so it reads one snapshot while writers go on, and the caller may use
the store on the same thread while it iterates.  One query per kind, in the
documented order (:mod:`jido_persistence.interchange`), is read ``fetchmany`` at a
time (DuckDB streams the result; memory O(one batch) on the Python side).  Messages and
threads come in ``save_seq`` order, their save order; a key's record names the holder
with the largest ``save_seq`` (``arg_max``), listed in that holder's save order.

Import is one transaction under the write lock: the store must hold no record (else
InvalidArgument, nothing written); every record becomes the row its ``save_*``
callback writes (the adapter's own parameter functions, so every column comes along)
and goes in through DuckDB's Appender, flushed every :data:`BATCH` rows per table.
Messages and threads get ``save_seq`` values drawn from ``jp_save_seq`` in the order
given, so every key resolves as it did in the source and later saves number after
them.  Message and thread key records follow from that order and are counted, not
written.  Any failure rolls the whole import back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final

import duckdb

from jido_persistence.errors import InvalidArgument, StorageError
from jido_persistence.models import ImportReport, Message, Participant, Thread
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


def _key_parts(text: str) -> list[str]:
    parts: list[str] = json.loads(text)
    return parts


def _message_key(row: tuple[Any, ...]) -> Record:
    channel, bridge_id, external_id = _key_parts(row[0])
    return MessageKeyRecord.model_construct(
        channel=channel, bridge_id=bridge_id, external_id=external_id, message_id=row[1]
    )


def _thread_external_key(row: tuple[Any, ...]) -> Record:
    room_id, external_thread_id = _key_parts(row[0])
    return ThreadExternalKeyRecord.model_construct(
        room_id=room_id, external_thread_id=external_thread_id, thread_id=row[1]
    )


def _thread_root_key(row: tuple[Any, ...]) -> Record:
    room_id, root_message_id = _key_parts(row[0])
    return ThreadRootKeyRecord.model_construct(
        room_id=room_id, root_message_id=root_message_id, thread_id=row[1]
    )


def _resolved(table: str, key: str) -> str:
    """Each key of ``table``'s column ``key`` with its most recently saved holder, in
    that holder's save order."""
    return (
        f"SELECT {key}, arg_max(id, save_seq) FROM {table} WHERE {key} IS NOT NULL"
        f" GROUP BY {key} ORDER BY max(save_seq)"
    )


EXPORT: Final[tuple[tuple[str, Reader], ...]] = (
    (
        _select(BRIDGE_CONFIGS, "id"),
        lambda row: BridgeConfigRecord.model_construct(record=BRIDGE_CONFIGS.to_model(row)),
    ),
    (
        _select(ROOMS, "inserted_at, id"),
        lambda row: RoomRecord.model_construct(record=ROOMS.to_model(row)),
    ),
    (
        _select(PARTICIPANTS, "id"),
        lambda row: ParticipantRecord.model_construct(record=PARTICIPANTS.to_model(row)),
    ),
    (
        _select(ROUTING_POLICIES, "room_id"),
        lambda row: RoutingPolicyRecord.model_construct(record=ROUTING_POLICIES.to_model(row)),
    ),
    (
        _select(BINDINGS, "id"),
        lambda row: RoomBindingRecord.model_construct(record=BINDINGS.to_model(row)),
    ),
    (
        "SELECT flow FROM jp_onboarding ORDER BY onboarding_id",
        lambda row: OnboardingRecord.model_construct(record=json.loads(row[0])),
    ),
    (
        _select(INGRESS, "bridge_id, subscription_id"),
        lambda row: IngressSubscriptionRecord.model_construct(record=INGRESS.to_model(row)),
    ),
    (
        _select(THREADS, "save_seq"),
        lambda row: ThreadRecord.model_construct(record=THREADS.to_model(row)),
    ),
    (
        _select(MESSAGES, "save_seq"),
        lambda row: MessageRecord.model_construct(record=MESSAGES.to_model(row)),
    ),
    (
        "SELECT channel, bridge_id, external_id, room_id FROM jp_binding_keys"
        " ORDER BY channel, bridge_id, external_id",
        lambda row: BindingKeyRecord.model_construct(
            channel=row[0], bridge_id=row[1], external_id=row[2], room_id=row[3]
        ),
    ),
    (
        "SELECT channel, external_id, participant_id FROM jp_participant_keys"
        " ORDER BY channel, external_id",
        lambda row: ParticipantKeyRecord.model_construct(
            channel=row[0], external_id=row[1], participant_id=row[2]
        ),
    ),
    (_resolved(MESSAGES.table, "external_key"), _message_key),
    (_resolved(THREADS.table, "external_key"), _thread_external_key),
    (_resolved(THREADS.table, "root_key"), _thread_root_key),
)
"""One query per kind, in export order, with what makes each row a record."""

_TABLES: Final = (
    ROOMS.table,
    PARTICIPANTS.table,
    "jp_participant_keys",
    MESSAGES.table,
    THREADS.table,
    BINDINGS.table,
    "jp_binding_keys",
    "jp_onboarding",
    BRIDGE_CONFIGS.table,
    ROUTING_POLICIES.table,
    INGRESS.table,
)
ANY_RECORD: Final = "SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM {t})" for t in _TABLES)
"""Whether the store holds anything an import would have to merge with."""

_NEXT_SEQ: Final = "SELECT nextval('jp_save_seq') FROM range(?)"


def _columns(spec: TableSpec[Any]) -> list[str]:
    return [name for name, _ in spec.stored_columns] + [name for name, _ in spec.extras]


class _Table:
    """The rows of one table waiting for the Appender, and how many have gone in."""

    def __init__(self, table: str, columns: list[str], sequenced: bool) -> None:
        self.table = table
        self.columns = columns
        self.sequenced = sequenced
        self.rows: list[list[Any]] = []

    def flush(self, cursor: Cursor) -> None:
        if not self.rows:
            return
        if self.sequenced:
            # Save order: the values of one draw ascend (the write lock is held).
            drawn = sorted(v for (v,) in cursor.execute(_NEXT_SEQ, [len(self.rows)]).fetchall())
            for row, value in zip(self.rows, drawn, strict=True):
                row.append(value)
        with cursor.appender(self.table, columns=self.columns) as appender:
            appender.append_rows(self.rows)
        self.rows = []


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

    def _writers(self) -> dict[str, tuple[_Table, Callable[[Any], list[Any]]] | None]:
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

        def binding_key(record: Any) -> list[Any]:
            key = (record.channel, record.bridge_id, record.external_id)
            return [lookup_key(*key), *key, record.room_id]

        def participant_key(record: Any) -> list[Any]:
            key = (record.channel, record.external_id)
            return [lookup_key(*key), *key, record.participant_id]

        def flow(record: Any) -> list[Any]:
            data = dict(record.record)
            return [data["onboarding_id"], json_text(data)]

        message_params, thread_params = self._message_params, self._thread_params
        participant_params = self._participant_params
        binding_keys = ("binding_key", "channel", "bridge_id", "external_id", "room_id")
        participant_keys = ("participant_key", "channel", "external_id", "participant_id")
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
            "binding_key": (_Table("jp_binding_keys", list(binding_keys), False), binding_key),
            "participant_key": (
                _Table("jp_participant_keys", list(participant_keys), False),
                participant_key,
            ),
            # Derived: saving messages and threads in order rebuilt them.
            "message_key": None,
            "thread_external_key": None,
            "thread_root_key": None,
        }

    def _import_records(self, records: Iterable[Record]) -> ImportReport:
        """All of ``records`` into the empty store in one transaction."""
        writers = self._writers()
        started = False

        def work(cursor: Cursor) -> ImportReport:
            nonlocal started
            if started:
                # A retried (or replayed) transaction: the records are consumed.
                raise StorageError(
                    "import_records() was interrupted by a conflict; nothing was imported"
                )
            started = True
            row = cursor.execute(ANY_RECORD).fetchall()[0]
            if row is not None and row[0]:
                raise InvalidArgument(
                    "import_records() needs an empty store; this one holds records "
                    "(nothing was imported)"
                )
            counts: dict[str, int] = {}
            for record in records:
                kind = getattr(record, "kind", None)
                if kind not in writers:
                    raise InvalidArgument(
                        f"import_records() got {type(record).__name__}, not a Record"
                    )
                counts[kind] = counts.get(kind, 0) + 1
                writer = writers[kind]
                if writer is None:
                    continue
                target, params = writer
                target.rows.append(params(record))
                if len(target.rows) >= BATCH:
                    target.flush(cursor)
            for writer in writers.values():
                if writer is not None:
                    writer[0].flush(cursor)
            return ImportReport(records=sum(counts.values()), by_kind=counts)

        with self._db.entered():
            try:
                return self._db.transaction(work)
            except duckdb.ConstraintException as error:
                raise InvalidArgument(
                    f"import_records(): the records conflict with each other ({error}); "
                    "nothing was imported"
                ) from error
