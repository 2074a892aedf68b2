"""``DuckDBAdapter``: the persistence contract on one DuckDB file (URL scheme ``duckdb``).

``duckdb:///chat.duckdb`` (relative), ``duckdb:////abs/chat.duckdb`` (absolute) or
``duckdb:///:memory:`` (a private in-memory database, gone at ``close()``: the class
declares ``durable=True`` for file stores).  DuckDB lets one read-write process hold a
file, so ``multi_process=False`` and a second process gets StoreLocked naming the file.

Threads share one instance safely (see :mod:`jido_persistence_duckdb._connection`):
one cursor per thread, one write lock per file, explicit transactions around every
callback of more than one statement, bounded retries of DuckDB conflicts.  Single-row
callbacks are one parameterised statement (``INSERT OR REPLACE``, no read first).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, ClassVar

import duckdb
from pydantic import Field

from jido_persistence.adapter import AdapterOptions, RawIndex
from jido_persistence.bulk import BulkMessageSaving
from jido_persistence.errors import CursorNotFound, NotFound, StoreClosed
from jido_persistence.models import (
    BridgeConfig,
    DirectoryTarget,
    IngressStatus,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
from jido_persistence.transactions import DEFAULT_BUSY_TIMEOUT
from jido_persistence.urls import StoreUrl
from jido_persistence.validation import DirectoryQuery, build_record
from jido_persistence_duckdb import _statements as sql
from jido_persistence_duckdb._bulk import bulk_save_messages
from jido_persistence_duckdb._connection import Database
from jido_persistence_duckdb._enumeration import DuckDBEnumeration
from jido_persistence_duckdb._ingest import DuckDBIngest
from jido_persistence_duckdb._interchange import DuckDBInterchange
from jido_persistence_duckdb._keys import (
    BindingKey,
    binding_for,
    directory_statement,
    put_binding,
    read_raw_index,
)
from jido_persistence_duckdb._message_row import message_params
from jido_persistence_duckdb._retention import DuckDBRetention
from jido_persistence_duckdb._rows import json_text, latest_holder
from jido_persistence_duckdb._schema import migrate, name_fold, participant_name_fold
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

__all__ = ["DuckDBAdapter", "DuckDBOptions"]

Cursor = duckdb.DuckDBPyConnection


class DuckDBOptions(AdapterOptions):
    """Options of :class:`DuckDBAdapter`."""

    path: str = Field(
        default="jido_persistence.duckdb",
        description="database file (relative to the working directory) or ':memory:'",
    )
    threads: int | None = Field(
        default=None, ge=1, description="DuckDB worker threads (DuckDB's default: all cores)"
    )
    memory_limit: str | None = Field(
        default=None, description="DuckDB memory_limit, such as '1GB' (DuckDB's default)"
    )
    busy_timeout: float = Field(
        default=DEFAULT_BUSY_TIMEOUT,
        gt=0,
        description="seconds a write waits for another thread's transaction() block, "
        "then StorageError",
    )


class DuckDBAdapter(
    DuckDBIngest, DuckDBEnumeration, DuckDBRetention, DuckDBInterchange, BulkMessageSaving
):
    """The persistence contract on DuckDB: exact, analytical, single-process."""

    Options: ClassVar[type[AdapterOptions]] = DuckDBOptions
    durable = True
    """Data in a file survives ``close()``; a ``:memory:`` store does not."""
    multi_process = False
    """DuckDB allows one read-write process per file."""
    backend_errors = (duckdb.Error,)

    def __init__(self, **options: object) -> None:
        """Open (creating and migrating when needed) the DuckDB store at ``path``.

        Raises StoreLocked when another process holds the file, ConfigurationError for
        bad options or a store written by a newer schema version.
        """
        self.options: DuckDBOptions = DuckDBOptions.parse(options)
        config: dict[str, str | bool | int | float | list[str]] = {}
        if self.options.threads is not None:
            config["threads"] = self.options.threads
        if self.options.memory_limit is not None:
            config["memory_limit"] = self.options.memory_limit
        self._db = Database(self.options.path, config, self.options.busy_timeout)
        try:
            with self._db.write_lock:
                migrate(self._db.connection, self._db.location)
        except BaseException:
            self._db.abandon()
            raise

    @property
    def location(self) -> str:
        """The absolute path of the database file (or ``:memory:``)."""
        return self._db.location

    @contextmanager
    def reading(self) -> Iterator[Cursor]:
        """This thread's DuckDB cursor, for read-only use (:mod:`.analytics`).

        ``close()`` waits for the block to end; raises StoreClosed after ``close()``.
        """
        if self._closed:
            raise StoreClosed(f"{type(self).__name__} is closed")
        with self._db.entered():
            yield self._db.cursor()

    @classmethod
    def fresh_store_url(cls, directory: Path, unique: str) -> str | None:
        """A new database file inside ``directory``: ``duckdb:////<directory>/<unique>.duckdb``."""
        return f"duckdb:///{Path(directory).resolve() / (unique + '.duckdb')}"

    @classmethod
    def destroy_store(cls, url: str) -> None:
        """Remove the database file of ``url`` and its write-ahead log."""
        path = StoreUrl.parse(url).path
        if not path or path.startswith(":memory:"):
            return
        for candidate in (Path(path), Path(path + ".wal")):
            candidate.unlink(missing_ok=True)

    def _transaction(self, level: int) -> AbstractContextManager[None]:
        """A DuckDB transaction holding the write lock; savepoints replayed (see
        :mod:`._blocks`)."""
        return self._db.block(level)

    def close(self) -> None:
        """Wait for running calls, then close the database; idempotent."""
        super().close()
        self._db.close()

    # --- helpers ---------------------------------------------------------------------

    def _one(self, statement: str, params: list[Any]) -> Any:
        with self._db.entered():
            return self._db.cursor().execute(statement, params).fetchone()

    def _all(self, statement: str, params: list[Any]) -> list[Any]:
        with self._db.entered():
            return self._db.cursor().execute(statement, params).fetchall()

    def _write(self, statement: str, params: list[Any]) -> None:
        with self._db.entered():
            self._db.write(statement, params)

    def _deleted(self, statement: str, params: list[Any]) -> bool:
        """Run a ``DELETE ... RETURNING``; whether a row was deleted."""
        with self._db.entered():
            found: list[Any] = []

            def work(cursor: Cursor) -> None:
                found.extend(cursor.execute(statement, params).fetchall())

            self._db.transaction(work)
            return bool(found)

    # --- rooms -----------------------------------------------------------------------

    def _save_room(self, room: Room) -> Room:
        self._write(ROOMS.upsert_sql, [*ROOMS.params(room), name_fold(room.name)])
        return room

    def _get_room(self, room_id: str) -> Room:
        row = self._one(sql.GET_ROOM, [room_id])
        if row is None:
            raise NotFound("room", room_id)
        return ROOMS.to_model(row)

    def _delete_room(self, room_id: str) -> None:
        def work(cursor: Cursor) -> None:
            for statement, count in sql.DELETE_ROOM_STATEMENTS:
                cursor.execute(statement, [room_id] * count)

        with self._db.entered():
            self._db.transaction(work)

    # --- participants ----------------------------------------------------------------

    @staticmethod
    def _participant_params(participant: Participant) -> list[Any]:
        pairs = [lookup_key(channel, ext) for channel, ext in participant.external_ids.items()]
        return [
            *PARTICIPANTS.params(participant),
            participant_name_fold(participant.identity),
            pairs,
        ]

    def _save_participant(self, participant: Participant) -> Participant:
        self._write(PARTICIPANTS.upsert_sql, self._participant_params(participant))
        return participant

    def _get_participant(self, participant_id: str) -> Participant:
        row = self._one(sql.GET_PARTICIPANT, [participant_id])
        if row is None:
            raise NotFound("participant", participant_id)
        return PARTICIPANTS.to_model(row)

    def _delete_participant(self, participant_id: str) -> None:
        self._write(sql.DELETE_PARTICIPANT, [participant_id])

    # --- messages --------------------------------------------------------------------

    _message_params = staticmethod(message_params)

    def _save_message(self, message: Message) -> Message:
        self._write(MESSAGES.upsert_sql, self._message_params(message))
        return message

    def _bulk_save_messages(self, messages: list[Message]) -> int:
        """One transaction: the same rows, keys and save sequence values as single saves.

        The bulk path of :class:`~jido_persistence.bulk.BulkMessageSaving` (not a
        contract callback), so the most recently saved holder of an external-id key
        still wins.  All-or-nothing: a backend failure rolls the whole batch back.
        """
        return bulk_save_messages(self._db, messages)

    def _get_message(self, message_id: str) -> Message:
        row = self._one(sql.GET_MESSAGE, [message_id])
        if row is None:
            raise NotFound("message", message_id)
        return MESSAGES.to_model(row)

    def _get_messages(
        self,
        room_id: str,
        *,
        limit: int = 50,
        before: str | None = None,
        after: str | None = None,
        thread_id: str | None = None,
    ) -> list[Message]:
        scope = [room_id] if thread_id is None else [room_id, thread_id]
        in_thread = thread_id is not None
        cursor_id = before if before is not None else after
        with self._db.entered():
            cursor = self._db.cursor()
            if cursor_id is None:
                if limit == 0:
                    return []
                rows = cursor.execute(sql.LATEST_PAGE[in_thread], [*scope, limit]).fetchall()
                rows.reverse()
                return [MESSAGES.to_model(row) for row in rows]
            found = cursor.execute(sql.MESSAGE_CURSOR, [cursor_id]).fetchone()
            if found is None or found[0] != room_id or (in_thread and found[1] != thread_id):
                raise CursorNotFound(
                    f"cursor {cursor_id!r} is not a message of room {room_id!r}"
                    + (f" thread {thread_id!r}" if in_thread else "")
                )
            if limit == 0:
                return []
            position = [found[2], found[2], cursor_id]
            if before is not None:
                rows = cursor.execute(
                    sql.BEFORE_PAGE[in_thread], [*scope, *position, limit]
                ).fetchall()
                rows.reverse()
            else:
                rows = cursor.execute(
                    sql.AFTER_PAGE[in_thread], [*scope, *position, limit]
                ).fetchall()
            return [MESSAGES.to_model(row) for row in rows]

    def _delete_message(self, message_id: str) -> None:
        self._write(sql.DELETE_MESSAGE, [message_id])

    # --- threads ---------------------------------------------------------------------

    @staticmethod
    def _thread_params(thread: Thread) -> list[Any]:
        external, root = thread.external_thread_id, thread.root_message_id
        return [
            *THREADS.params(thread),
            None if external is None else lookup_key(thread.room_id, external),
            None if root is None else lookup_key(thread.room_id, root),
        ]

    def _save_thread(self, thread: Thread) -> Thread:
        self._write(THREADS.upsert_sql, self._thread_params(thread))
        return thread

    def _get_thread(self, thread_id: str) -> Thread:
        row = self._one(sql.GET_THREAD, [thread_id])
        if row is None:
            raise NotFound("thread", thread_id)
        return THREADS.to_model(row)

    def _get_thread_by_external_id(self, room_id: str, external_thread_id: str) -> Thread:
        key = (room_id, external_thread_id)
        row = latest_holder(self._all(sql.THREAD_BY_EXTERNAL_KEY, [lookup_key(*key)]))
        if row is None:
            raise NotFound("thread", key)
        return THREADS.to_model(row)

    def _get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        key = (room_id, root_message_id)
        row = latest_holder(self._all(sql.THREAD_BY_ROOT_KEY, [lookup_key(*key)]))
        if row is None:
            raise NotFound("thread", key)
        return THREADS.to_model(row)

    # --- external-id resolution ------------------------------------------------------

    def _get_or_create_room_by_external_binding(
        self,
        channel: str,
        bridge_id: str,
        external_id: str,
        attrs: dict[str, Any],
    ) -> Room:
        key: BindingKey = (channel, bridge_id, external_id)
        binding_key = lookup_key(*key)
        with self._db.entered():
            found = self._db.cursor().execute(sql.BOUND_ROOM, [binding_key]).fetchone()
            if found is not None and found[1] is not None:
                return ROOMS.to_model(found[1:])
            room = build_record(Room, attrs, external_bindings={key[0]: {key[1]: key[2]}})

            def work(cursor: Cursor) -> Room:
                bound = cursor.execute(sql.BOUND_ROOM, [binding_key]).fetchone()
                if bound is not None and bound[1] is not None:
                    return ROOMS.to_model(bound[1:])
                binding = binding_for(cursor, room.id, key, {})
                if bound is not None:
                    cursor.execute(sql.DELETE_STALE_BINDING_KEY, [binding_key, bound[0]])
                cursor.execute(ROOMS.upsert_sql, [*ROOMS.params(room), name_fold(room.name)])
                put_binding(cursor, binding, key)
                return room

            return self._db.transaction(work)

    def _get_or_create_participant_by_external_id(
        self, channel: str, external_id: str, attrs: dict[str, Any]
    ) -> Participant:
        key = (channel, external_id)
        participant_key = lookup_key(*key)
        with self._db.entered():
            found = self._db.cursor().execute(sql.BOUND_PARTICIPANT, [participant_key]).fetchone()
            if found is not None and found[1] is not None:
                return PARTICIPANTS.to_model(found[1:])
            participant = build_record(Participant, attrs, external_ids={key[0]: key[1]})

            def work(cursor: Cursor) -> Participant:
                bound = cursor.execute(sql.BOUND_PARTICIPANT, [participant_key]).fetchone()
                if bound is not None and bound[1] is not None:
                    return PARTICIPANTS.to_model(bound[1:])
                cursor.execute(PARTICIPANTS.upsert_sql, self._participant_params(participant))
                cursor.execute(sql.PUT_PARTICIPANT_KEY, [participant_key, *key, participant.id])
                return participant

            return self._db.transaction(work)

    def _get_message_by_external_id(
        self, channel: str, bridge_id: str, external_id: str
    ) -> Message:
        key = (channel, bridge_id, external_id)
        row = latest_holder(self._all(sql.MESSAGE_BY_KEY, [lookup_key(*key)]))
        if row is None:
            raise NotFound("message", key)
        return MESSAGES.to_model(row)

    def _update_message_external_id(self, message_id: str, external_id: str) -> Message:
        def work(cursor: Cursor) -> Message:
            row = cursor.execute(sql.GET_MESSAGE, [message_id]).fetchone()
            if row is None:
                raise NotFound("message", message_id)
            message = MESSAGES.to_model(row)
            updated = message.model_copy(update={"external_id": external_id})
            cursor.execute(MESSAGES.upsert_sql, self._message_params(updated))
            return updated

        with self._db.entered():
            return self._db.transaction(work)

    # --- room bindings ---------------------------------------------------------------

    def _get_room_by_external_binding(self, channel: str, bridge_id: str, external_id: str) -> Room:
        key = (channel, bridge_id, external_id)
        found = self._one(sql.BOUND_ROOM, [lookup_key(*key)])
        if found is None or found[1] is None:
            raise NotFound("room", key)
        return ROOMS.to_model(found[1:])

    def _create_room_binding(
        self,
        room_id: str,
        channel: str,
        bridge_id: str,
        external_id: str,
        attrs: dict[str, Any],
    ) -> RoomBinding:
        key: BindingKey = (channel, bridge_id, external_id)

        def work(cursor: Cursor) -> RoomBinding:
            binding = binding_for(cursor, room_id, key, attrs)
            put_binding(cursor, binding, key)
            return binding

        with self._db.entered():
            return self._db.transaction(work)

    def _list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        return [BINDINGS.to_model(row) for row in self._all(sql.LIST_BINDINGS, [room_id])]

    def _delete_room_binding(self, binding_id: str) -> None:
        def work(cursor: Cursor) -> None:
            row = cursor.execute(sql.BINDING_FOR_DELETE, [binding_id]).fetchone()
            if row is None:
                raise NotFound("room_binding", binding_id)
            cursor.execute(sql.DELETE_BINDING, [binding_id])
            cursor.execute(sql.DELETE_STALE_BINDING_KEY, [row[1], row[0]])

        with self._db.entered():
            self._db.transaction(work)

    # --- directory -------------------------------------------------------------------

    def _directory_search(
        self,
        target: DirectoryTarget,
        query: DirectoryQuery,
        *,
        limit: int | None,
    ) -> list[Participant] | list[Room]:
        built = directory_statement(target, query, limit)
        if built is None:
            return []
        rows = self._all(*built)
        if target == DirectoryTarget.PARTICIPANT:
            return [PARTICIPANTS.to_model(row) for row in rows]
        return [ROOMS.to_model(row) for row in rows]

    # --- onboarding ------------------------------------------------------------------

    def _save_onboarding(self, flow: dict[str, Any]) -> dict[str, Any]:
        self._write(sql.PUT_ONBOARDING, [flow["onboarding_id"], json_text(dict(flow))])
        return dict(flow)

    def _get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        row = self._one(sql.GET_ONBOARDING, [onboarding_id])
        if row is None:
            raise NotFound("onboarding", onboarding_id)
        flow: dict[str, Any] = json.loads(row[0])
        return flow

    # --- bridge configs --------------------------------------------------------------

    def _save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        self._write(BRIDGE_CONFIGS.upsert_sql, BRIDGE_CONFIGS.params(config))
        return config

    def _get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        row = self._one(sql.GET_BRIDGE_CONFIG, [bridge_config_id])
        if row is None:
            raise NotFound("bridge_config", bridge_config_id)
        return BRIDGE_CONFIGS.to_model(row)

    def _list_bridge_configs(self, *, enabled: bool | None) -> list[BridgeConfig]:
        if enabled is None:
            rows = self._all(sql.LIST_BRIDGE_CONFIGS, [])
        else:
            rows = self._all(sql.LIST_BRIDGE_CONFIGS_ENABLED, [enabled])
        return [BRIDGE_CONFIGS.to_model(row) for row in rows]

    def _delete_bridge_config(self, bridge_config_id: str) -> None:
        if not self._deleted(sql.DELETE_BRIDGE_CONFIG, [bridge_config_id]):
            raise NotFound("bridge_config", bridge_config_id)

    # --- routing policies ------------------------------------------------------------

    def _save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        self._write(ROUTING_POLICIES.upsert_sql, ROUTING_POLICIES.params(policy))
        return policy

    def _get_routing_policy(self, room_id: str) -> RoutingPolicy:
        row = self._one(sql.GET_ROUTING_POLICY, [room_id])
        if row is None:
            raise NotFound("routing_policy", room_id)
        return ROUTING_POLICIES.to_model(row)

    def _delete_routing_policy(self, room_id: str) -> None:
        if not self._deleted(sql.DELETE_ROUTING_POLICY, [room_id]):
            raise NotFound("routing_policy", room_id)

    # --- ingress subscriptions -------------------------------------------------------

    def _save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        key = lookup_key(subscription.bridge_id, subscription.subscription_id)
        self._write(INGRESS.upsert_sql, [*INGRESS.params(subscription), key])
        return subscription

    def _list_ingress_subscriptions(
        self, bridge_id: str, *, status: IngressStatus | None
    ) -> list[IngressSubscription]:
        if status is None:
            rows = self._all(sql.LIST_INGRESS, [bridge_id])
        else:
            rows = self._all(sql.LIST_INGRESS_STATUS, [bridge_id, status.value])
        return [INGRESS.to_model(row) for row in rows]

    def _delete_ingress_subscription(self, bridge_id: str, subscription_id: str) -> None:
        key = (bridge_id, subscription_id)
        if not self._deleted(sql.DELETE_INGRESS, [lookup_key(*key)]):
            raise NotFound("ingress_subscription", key)

    # --- test hook -------------------------------------------------------------------

    def raw_index(self) -> RawIndex:
        """The keys and row counts read straight from the tables (the kit's back door)."""
        with self._db.entered():
            return read_raw_index(self._db.cursor())
