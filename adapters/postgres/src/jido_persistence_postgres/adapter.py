"""``PostgresAdapter``: the persistence contract on PostgreSQL (psycopg 3 and its pool).

Many processes on many hosts may share one store (one schema of one database): every
callback is one statement in autocommit or one transaction, keys are guarded by
primary keys and unique constraints, and get-or-create races are settled by
``INSERT ... ON CONFLICT DO NOTHING``.  See the package README for the layout and the
design decisions.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final, TypeVar

import psycopg
from psycopg import sql
from pydantic import BaseModel

from jido_persistence.adapter import PersistenceAdapter, RawIndex
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
from jido_persistence.urls import StoreUrl
from jido_persistence.validation import DirectoryQuery, build_record
from jido_persistence_postgres import _keys
from jido_persistence_postgres._database import Connection, Database
from jido_persistence_postgres._directory import directory_query
from jido_persistence_postgres._options import (
    MAX_IDENTIFIER_BYTES,
    PostgresOptions,
    check_conninfo,
    options_from_url,
    redacted_conninfo,
    with_schema,
)
from jido_persistence_postgres._rows import (
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

__all__ = ["TEST_URL_VARIABLE", "PostgresAdapter"]

TEST_URL_VARIABLE: Final = "JIDO_PERSISTENCE_TEST_POSTGRES_URL"
"""The environment variable naming the database the test hooks create schemas in."""

T = TypeVar("T")
ModelT = TypeVar("ModelT", bound=BaseModel)


class PostgresAdapter(PersistenceAdapter):
    """A store in one PostgreSQL schema; durable, shared by many processes and hosts.

    Construct with the options of :class:`PostgresOptions` (``conninfo``, ``schema``,
    pool sizes, timeouts, retries) or open ``postgresql://user@host/db?schema=chat``.
    Creates or migrates the schema on first open.  Raises ConfigurationError for bad
    options, a non-UTF8 database or a store written by a newer version, and
    StorageError when the server cannot be reached.
    """

    Options = PostgresOptions
    durable = True
    multi_process = True
    backend_errors = (psycopg.Error,)

    def __init__(self, **options: object) -> None:
        """Validate the options, create or migrate the schema, and start the pool."""
        self.options = PostgresOptions.parse(options)
        check_conninfo(self.options.conninfo)
        self._db = Database(self.options)
        self._sql = Statements(self.options.schema)

    def __repr__(self) -> str:
        state = " closed" if self._closed else ""
        return (
            f"<PostgresAdapter{state} {redacted_conninfo(self.options.conninfo)!r}"
            f" schema={self.options.schema!r}>"
        )

    @classmethod
    def url_options(cls, url: StoreUrl) -> dict[str, object]:
        """``schema`` and the other options from the query; the rest of the URL is conninfo."""
        return options_from_url(url)

    @classmethod
    def fresh_store_url(cls, directory: Path, unique: str) -> str | None:
        """Test hook: the ``$JIDO_PERSISTENCE_TEST_POSTGRES_URL`` database, schema ``unique``.

        ``None`` when the variable is unset.  A ``unique`` that is not a usable schema
        name (too long, or starting with ``pg_``) is shortened with a hash.
        """
        url = os.environ.get(TEST_URL_VARIABLE)
        if not url:
            return None
        schema = unique
        if len(schema.encode("utf-8")) > MAX_IDENTIFIER_BYTES or schema.lower().startswith("pg_"):
            digest = hashlib.sha256(unique.encode("utf-8")).hexdigest()[:16]
            schema = f"jp_{digest}"
        return with_schema(url, schema)

    @classmethod
    def destroy_store(cls, url: str) -> None:
        """Test hook: drop the store's schema and everything in it."""
        options = PostgresOptions.parse(options_from_url(StoreUrl.parse(url)))
        with psycopg.connect(options.conninfo, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(options.schema))
            )

    def close(self) -> None:
        """Close the pool; calls already running finish, later ones raise StoreClosed."""
        if self._closed:
            return
        super().close()
        self._db.close()

    # --- helpers -------------------------------------------------------------------

    def _one(self, name: str, query: str, params: Any) -> Any:
        def work(conn: Connection) -> Any:
            row = conn.execute(query, params).fetchone()
            return None if row is None else row[0]

        return self._db.run(name, work)

    def _column(self, name: str, query: str, params: Any) -> list[Any]:
        def work(conn: Connection) -> list[Any]:
            return [row[0] for row in conn.execute(query, params).fetchall()]

        return self._db.run(name, work)

    def _write(self, name: str, query: str, params: Any) -> None:
        def work(conn: Connection) -> None:
            conn.execute(query, params)

        self._db.run(name, work)

    def _get(self, name: str, query: str, key: str, model: type[ModelT], entity: str) -> ModelT:
        doc = self._one(name, query, (key,))
        if doc is None:
            raise NotFound(entity, key)
        return model.model_validate_json(doc)

    def _delete_existing(self, name: str, query: str, params: Any, entity: str, key: Any) -> None:
        """Delete with NotFound when nothing was there; not repeated after a lost connection."""

        def work(conn: Connection) -> bool:
            return conn.execute(query, params).fetchone() is not None

        if not self._db.run(name, work, repeatable=False):
            raise NotFound(entity, key)

    def _transaction(self, name: str, work: Callable[[Connection], T]) -> T:
        return self._db.run(name, work, transaction=True)

    # --- rooms ---------------------------------------------------------------------

    def save_room(self, room: Room) -> Room:
        self._write("save_room", self._sql.room_upsert, room_row(room))
        return room

    def get_room(self, room_id: str) -> Room:
        return self._get("get_room", self._sql.room_get, room_id, Room, "room")

    def delete_room(self, room_id: str) -> None:
        self._write("delete_room", self._sql.room_delete_cascade, {"room": room_id})

    def list_rooms(self, *, limit: int = 100) -> list[Room]:
        docs = self._column("list_rooms", self._sql.room_list, (limit,))
        return [Room.model_validate_json(doc) for doc in docs]

    # --- participants --------------------------------------------------------------

    def save_participant(self, participant: Participant) -> Participant:
        self._write("save_participant", self._sql.participant_upsert, participant_row(participant))
        return participant

    def get_participant(self, participant_id: str) -> Participant:
        return self._get(
            "get_participant",
            self._sql.participant_get,
            participant_id,
            Participant,
            "participant",
        )

    def delete_participant(self, participant_id: str) -> None:
        self._write("delete_participant", self._sql.participant_delete, (participant_id,))

    # --- messages ------------------------------------------------------------------

    def save_message(self, message: Message) -> Message:
        self._write("save_message", self._sql.message_upsert, message_row(message))
        return message

    def get_message(self, message_id: str) -> Message:
        return self._get("get_message", self._sql.message_get, message_id, Message, "message")

    def get_messages(
        self,
        room_id: str,
        *,
        limit: int = 50,
        before: str | None = None,
        after: str | None = None,
        thread_id: str | None = None,
    ) -> list[Message]:
        statements = self._sql
        cursor = before if before is not None else after
        params: dict[str, object] = {"room": room_id, "limit": limit}
        if thread_id is not None:
            params["thread"] = thread_id
        if cursor is None:
            if limit == 0:
                return []
            query = (
                statements.messages_latest
                if thread_id is None
                else (statements.messages_latest_thread)
            )
            docs = self._column("get_messages", query, params)
            return [Message.model_validate_json(doc) for doc in docs]
        params["cursor"] = cursor
        if before is not None:
            query = (
                statements.messages_before
                if thread_id is None
                else (statements.messages_before_thread)
            )
        else:
            query = (
                statements.messages_after
                if thread_id is None
                else (statements.messages_after_thread)
            )
        docs = self._column("get_messages", query, params)
        if not docs:
            raise CursorNotFound(
                f"cursor {cursor!r} is not a message of room {room_id!r}"
                + (f" thread {thread_id!r}" if thread_id is not None else "")
            )
        return [Message.model_validate_json(doc) for doc in docs if doc is not None]

    def delete_message(self, message_id: str) -> None:
        self._write("delete_message", self._sql.message_delete, (message_id,))

    # --- threads -------------------------------------------------------------------

    def save_thread(self, thread: Thread) -> Thread:
        self._write("save_thread", self._sql.thread_upsert, thread_row(thread))
        return thread

    def get_thread(self, thread_id: str) -> Thread:
        return self._get("get_thread", self._sql.thread_get, thread_id, Thread, "thread")

    def get_thread_by_external_id(self, room_id: str, external_thread_id: str | int) -> Thread:
        key = (room_id, str(external_thread_id))
        doc = self._one("get_thread_by_external_id", self._sql.thread_by_external_id, key)
        if doc is None:
            raise NotFound("thread", key)
        return Thread.model_validate_json(doc)

    def get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        key = (room_id, root_message_id)
        doc = self._one("get_thread_by_root_message", self._sql.thread_by_root_message, key)
        if doc is None:
            raise NotFound("thread", key)
        return Thread.model_validate_json(doc)

    def list_threads(self, room_id: str, *, limit: int = 100) -> list[Thread]:
        docs = self._column("list_threads", self._sql.thread_list, (room_id, limit))
        return [Thread.model_validate_json(doc) for doc in docs]

    # --- external-id resolution ----------------------------------------------------

    def get_or_create_room_by_external_binding(
        self,
        channel: str,
        bridge_id: str | int,
        external_id: str | int,
        attrs: Mapping[str, Any] | None = None,
    ) -> Room:
        key = (channel, str(bridge_id), str(external_id))
        doc = self._one("get_or_create_room_by_external_binding", self._sql.binding_key_room, key)
        if doc is not None:
            return Room.model_validate_json(doc)
        room = build_record(Room, attrs or {}, external_bindings={key[0]: {key[1]: key[2]}})
        return self._transaction(
            "get_or_create_room_by_external_binding",
            lambda conn: _keys.get_or_create_room(conn, self._sql, key, room),
        )

    def get_or_create_participant_by_external_id(
        self, channel: str, external_id: str | int, attrs: Mapping[str, Any] | None = None
    ) -> Participant:
        key = (channel, str(external_id))
        doc = self._one(
            "get_or_create_participant_by_external_id",
            self._sql.participant_key_participant,
            key,
        )
        if doc is not None:
            return Participant.model_validate_json(doc)
        participant = build_record(Participant, attrs or {}, external_ids={key[0]: key[1]})
        return self._transaction(
            "get_or_create_participant_by_external_id",
            lambda conn: _keys.get_or_create_participant(conn, self._sql, key, participant),
        )

    def get_message_by_external_id(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Message:
        key = (channel, str(bridge_id), str(external_id))
        doc = self._one("get_message_by_external_id", self._sql.message_by_key, key)
        if doc is None:
            raise NotFound("message", key)
        return Message.model_validate_json(doc)

    def update_message_external_id(self, message_id: str, external_id: str | int) -> Message:
        def work(conn: Connection) -> Message:
            row = conn.execute(self._sql.message_get_for_update, (message_id,)).fetchone()
            if row is None:
                raise NotFound("message", message_id)
            message = Message.model_validate_json(row[0])
            updated = message.model_copy(update={"external_id": str(external_id)})
            conn.execute(self._sql.message_upsert, message_row(updated))
            return updated

        return self._transaction("update_message_external_id", work)

    # --- room bindings -------------------------------------------------------------

    def get_room_by_external_binding(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Room:
        key = (channel, str(bridge_id), str(external_id))
        doc = self._one("get_room_by_external_binding", self._sql.binding_key_room, key)
        if doc is None:
            raise NotFound("room", key)
        return Room.model_validate_json(doc)

    def create_room_binding(
        self,
        room_id: str,
        channel: str,
        bridge_id: str | int,
        external_id: str | int,
        attrs: Mapping[str, Any] | None = None,
    ) -> RoomBinding:
        key = (channel, str(bridge_id), str(external_id))
        given = dict(attrs or {})
        return self._transaction(
            "create_room_binding",
            lambda conn: _keys.create_room_binding(conn, self._sql, room_id, key, given),
        )

    def list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        docs = self._column("list_room_bindings", self._sql.binding_list, (room_id,))
        return [RoomBinding.model_validate_json(doc) for doc in docs]

    def delete_room_binding(self, binding_id: str) -> None:
        def work(conn: Connection) -> int:
            row = conn.execute(self._sql.binding_delete, (binding_id,)).fetchone()
            return int(row[0]) if row else 0

        if not self._db.run("delete_room_binding", work, repeatable=False):
            raise NotFound("room_binding", binding_id)

    # --- directory -----------------------------------------------------------------

    def directory_search(
        self,
        target: DirectoryTarget | str,
        query: Mapping[str, Any],
        *,
        limit: int | None = None,
    ) -> list[Participant] | list[Room]:
        parsed = DirectoryQuery.parse(query)
        target = DirectoryTarget(target)
        built = directory_query(
            self._sql.schema, target, parsed, limit, trigram=self._db.name_search == "trigram"
        )
        if built is None:
            return []
        docs = self._column("directory_search", *built)
        if target == DirectoryTarget.PARTICIPANT:
            return [Participant.model_validate_json(doc) for doc in docs]
        return [Room.model_validate_json(doc) for doc in docs]

    # --- onboarding ----------------------------------------------------------------

    def save_onboarding(self, flow: Mapping[str, Any]) -> dict[str, Any]:
        stored = dict(flow)
        self._write("save_onboarding", self._sql.onboarding_upsert, onboarding_row(stored))
        return stored

    def get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        doc = self._one("get_onboarding", self._sql.onboarding_get, (onboarding_id,))
        if doc is None:
            raise NotFound("onboarding", onboarding_id)
        flow: dict[str, Any] = json.loads(doc)
        return flow

    # --- bridge configs ------------------------------------------------------------

    def save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        self._write("save_bridge_config", self._sql.bridge_config_upsert, bridge_config_row(config))
        return config

    def get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        return self._get(
            "get_bridge_config",
            self._sql.bridge_config_get,
            bridge_config_id,
            BridgeConfig,
            "bridge_config",
        )

    def list_bridge_configs(self, *, enabled: bool | None = None) -> list[BridgeConfig]:
        if enabled is None:
            docs = self._column("list_bridge_configs", self._sql.bridge_config_list, ())
        else:
            docs = self._column(
                "list_bridge_configs", self._sql.bridge_config_list_enabled, (enabled,)
            )
        return [BridgeConfig.model_validate_json(doc) for doc in docs]

    def delete_bridge_config(self, bridge_config_id: str) -> None:
        self._delete_existing(
            "delete_bridge_config",
            self._sql.bridge_config_delete,
            (bridge_config_id,),
            "bridge_config",
            bridge_config_id,
        )

    # --- routing policies ----------------------------------------------------------

    def save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        self._write(
            "save_routing_policy", self._sql.routing_policy_upsert, routing_policy_row(policy)
        )
        return policy

    def get_routing_policy(self, room_id: str) -> RoutingPolicy:
        return self._get(
            "get_routing_policy",
            self._sql.routing_policy_get,
            room_id,
            RoutingPolicy,
            "routing_policy",
        )

    def delete_routing_policy(self, room_id: str) -> None:
        self._delete_existing(
            "delete_routing_policy",
            self._sql.routing_policy_delete,
            (room_id,),
            "routing_policy",
            room_id,
        )

    # --- ingress subscriptions -----------------------------------------------------

    def save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        self._write(
            "save_ingress_subscription", self._sql.ingress_upsert, ingress_row(subscription)
        )
        return subscription

    def list_ingress_subscriptions(
        self, bridge_id: str | int, *, status: IngressStatus | str | None = None
    ) -> list[IngressSubscription]:
        if status is None:
            docs = self._column(
                "list_ingress_subscriptions", self._sql.ingress_list, (str(bridge_id),)
            )
        else:
            docs = self._column(
                "list_ingress_subscriptions",
                self._sql.ingress_list_status,
                (str(bridge_id), IngressStatus(status).value),
            )
        return [IngressSubscription.model_validate_json(doc) for doc in docs]

    def delete_ingress_subscription(self, bridge_id: str | int, subscription_id: str) -> None:
        key = (str(bridge_id), subscription_id)
        self._delete_existing(
            "delete_ingress_subscription",
            self._sql.ingress_delete,
            key,
            "ingress_subscription",
            key,
        )

    # --- test hook -----------------------------------------------------------------

    def raw_index(self) -> RawIndex:
        """The keys and row counts read straight from the tables (the kit's back door)."""
        self._raise_if_closed()
        statements = self._sql

        def work(conn: Connection) -> RawIndex:
            def rows(query: str) -> list[tuple[Any, ...]]:
                return conn.execute(query, prepare=False).fetchall()

            counts = rows(statements.raw_row_counts)[0]
            return RawIndex(
                room_binding_keys={
                    (c, b, e): r for c, b, e, r in rows(statements.raw_binding_keys)
                },
                participant_keys={(c, e): p for c, e, p in rows(statements.raw_participant_keys)},
                message_keys={(c, b, e): m for c, b, e, m in rows(statements.raw_message_keys)},
                thread_external_keys={
                    (r, e): t for r, e, t in rows(statements.raw_thread_external_keys)
                },
                thread_root_keys={(r, m): t for r, m, t in rows(statements.raw_thread_root_keys)},
                row_counts=dict(zip(Statements.RAW_COUNT_TABLES, map(int, counts), strict=True)),
            )

        return self._db.run("raw_index", work, transaction=True)

    def _raise_if_closed(self) -> None:
        if self._closed:
            raise StoreClosed("PostgresAdapter is closed: raw_index() needs an open store")
