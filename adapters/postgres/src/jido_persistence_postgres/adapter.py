"""``PostgresAdapter``: the persistence contract on PostgreSQL (psycopg 3 and its pool).

Many processes on many hosts may share one store (one schema of one database): every
callback is one statement in autocommit or one transaction, keys are guarded by
primary keys and unique constraints, and get-or-create races are settled by
``INSERT ... ON CONFLICT DO NOTHING``.  See the package README for the layout and the
design decisions.
"""

from __future__ import annotations

import json
from typing import Any, Final

from pydantic import TypeAdapter

from jido_persistence.errors import NotFound
from jido_persistence.indexes import missing_message_cursor
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
from jido_persistence.validation import DirectoryQuery, build_record
from jido_persistence_postgres import _keys
from jido_persistence_postgres._base import TEST_URL_VARIABLE
from jido_persistence_postgres._database import Connection
from jido_persistence_postgres._directory import directory_query
from jido_persistence_postgres._enumeration import PostgresEnumeration
from jido_persistence_postgres._ingest import PostgresIngest
from jido_persistence_postgres._retention import PostgresRetention
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

__all__ = ["TEST_URL_VARIABLE", "PostgresAdapter"]

MESSAGE_LIST: Final = TypeAdapter(list[Message])
"""Parses a page of messages, sent by the server as one JSON array, in one call."""


class PostgresAdapter(PostgresRetention, PostgresIngest, PostgresEnumeration):
    """A store in one PostgreSQL schema; durable, shared by many processes and hosts.

    Construct with the options of :class:`PostgresOptions` (``conninfo``, ``schema``,
    pool sizes, timeouts, retries, ``prepared_statements``) or open
    ``postgresql://user@host/db?schema=chat``.  Creates or migrates the schema on first
    open.  Raises ConfigurationError for bad options, a non-UTF8 database or a store
    written by a newer version, and StorageError when the server cannot be reached.
    """

    # --- rooms ---------------------------------------------------------------------

    def _save_room(self, room: Room) -> Room:
        """One upsert in autocommit (one round trip).  Binding keys are not touched."""

        self._write("save_room", self._sql.room_upsert, room_row(room))
        return room

    def _get_room(self, room_id: str) -> Room:
        return self._get("get_room", self._sql.room_get, room_id, Room, "room")

    def _delete_room(self, room_id: str) -> None:
        """One statement: data-modifying CTEs delete the messages, threads, bindings,
        the keys still pointing at the room and its routing policy, atomically."""

        self._write("delete_room", self._sql.room_delete_cascade, {"room": room_id})

    # --- participants --------------------------------------------------------------

    def _save_participant(self, participant: Participant) -> Participant:
        self._write("save_participant", self._sql.participant_upsert, participant_row(participant))
        return participant

    def _get_participant(self, participant_id: str) -> Participant:
        return self._get(
            "get_participant",
            self._sql.participant_get,
            participant_id,
            Participant,
            "participant",
        )

    def _delete_participant(self, participant_id: str) -> None:
        self._write("delete_participant", self._sql.participant_delete, (participant_id,))

    # --- messages ------------------------------------------------------------------

    def _save_message(self, message: Message) -> Message:
        """One upsert in autocommit; the key columns and ``save_seq`` (from a sequence)
        are set in the same statement, so the external-id key follows the latest save."""

        self._write("save_message", self._sql.message_upsert, message_row(message))
        return message

    def _get_message(self, message_id: str) -> Message:
        return self._get("get_message", self._sql.message_get, message_id, Message, "message")

    def _get_messages(
        self,
        room_id: str,
        *,
        limit: int = 50,
        before: str | None = None,
        after: str | None = None,
        thread_id: str | None = None,
    ) -> list[Message]:
        """One keyset range query over ``(room_id[, thread_id], sort_at, id)``; with a
        cursor, the same statement also tells whether the cursor is in scope.  O(log n +
        limit)."""

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
                else statements.messages_latest_thread
            )
            docs = self._column("get_messages", query, params)
            return [Message.model_validate_json(doc) for doc in reversed(docs)]
        params["cursor"] = cursor
        if before is not None:
            query = (
                statements.messages_before
                if thread_id is None
                else statements.messages_before_thread
            )
        else:
            query = (
                statements.messages_after if thread_id is None else statements.messages_after_thread
            )

        def work(conn: Connection) -> tuple[int, str | None]:
            row = conn.execute(query, params).fetchone()
            return (0, None) if row is None else (int(row[0]), row[1])

        in_scope, page = self._db.run("get_messages", work)
        if not in_scope:
            raise missing_message_cursor(cursor, room_id, thread_id)
        return [] if page is None else MESSAGE_LIST.validate_json(page)

    def _delete_message(self, message_id: str) -> None:
        self._write("delete_message", self._sql.message_delete, (message_id,))

    # --- threads -------------------------------------------------------------------

    def _save_thread(self, thread: Thread) -> Thread:
        self._write("save_thread", self._sql.thread_upsert, thread_row(thread))
        return thread

    def _get_thread(self, thread_id: str) -> Thread:
        return self._get("get_thread", self._sql.thread_get, thread_id, Thread, "thread")

    def _get_thread_by_external_id(self, room_id: str, external_thread_id: str) -> Thread:
        key = (room_id, external_thread_id)
        doc = self._one("get_thread_by_external_id", self._sql.thread_by_external_id, key)
        if doc is None:
            raise NotFound("thread", key)
        return Thread.model_validate_json(doc)

    def _get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        key = (room_id, root_message_id)
        doc = self._one("get_thread_by_root_message", self._sql.thread_by_root_message, key)
        if doc is None:
            raise NotFound("thread", key)
        return Thread.model_validate_json(doc)

    # --- external-id resolution ----------------------------------------------------

    def _get_or_create_room_by_external_binding(
        self,
        channel: str,
        bridge_id: str,
        external_id: str,
        attrs: dict[str, Any],
    ) -> Room:
        """A select first; when absent, one transaction inserting the key row first
        (``ON CONFLICT DO NOTHING RETURNING``) and the room and its binding record only
        when it won.  Race-free across processes and hosts."""

        key = (channel, bridge_id, external_id)
        doc = self._one("get_or_create_room_by_external_binding", self._sql.binding_key_room, key)
        if doc is not None:
            return Room.model_validate_json(doc)
        room = build_record(Room, attrs, external_bindings={key[0]: {key[1]: key[2]}})
        return self._in_transaction(
            "get_or_create_room_by_external_binding",
            lambda conn: _keys.get_or_create_room(conn, self._sql, key, room),
        )

    def _get_or_create_participant_by_external_id(
        self, channel: str, external_id: str, attrs: dict[str, Any]
    ) -> Participant:
        """Like :meth:`get_or_create_room_by_external_binding`, keyed ``(channel, external_id)``."""

        key = (channel, external_id)
        doc = self._one(
            "get_or_create_participant_by_external_id",
            self._sql.participant_key_participant,
            key,
        )
        if doc is not None:
            return Participant.model_validate_json(doc)
        participant = build_record(Participant, attrs, external_ids={key[0]: key[1]})
        return self._in_transaction(
            "get_or_create_participant_by_external_id",
            lambda conn: _keys.get_or_create_participant(conn, self._sql, key, participant),
        )

    def _get_message_by_external_id(
        self, channel: str, bridge_id: str, external_id: str
    ) -> Message:
        key = (channel, bridge_id, external_id)
        doc = self._one("get_message_by_external_id", self._sql.message_by_key, key)
        if doc is None:
            raise NotFound("message", key)
        return Message.model_validate_json(doc)

    def _update_message_external_id(self, message_id: str, external_id: str) -> Message:
        def work(conn: Connection) -> Message:
            row = conn.execute(self._sql.message_get_for_update, (message_id,)).fetchone()
            if row is None:
                raise NotFound("message", message_id)
            message = Message.model_validate_json(row[0])
            updated = message.model_copy(update={"external_id": external_id})
            conn.execute(self._sql.message_upsert, message_row(updated))
            return updated

        return self._in_transaction("update_message_external_id", work)

    # --- room bindings -------------------------------------------------------------

    def _get_room_by_external_binding(self, channel: str, bridge_id: str, external_id: str) -> Room:
        key = (channel, bridge_id, external_id)
        doc = self._one("get_room_by_external_binding", self._sql.binding_key_room, key)
        if doc is None:
            raise NotFound("room", key)
        return Room.model_validate_json(doc)

    def _create_room_binding(
        self,
        room_id: str,
        channel: str,
        bridge_id: str,
        external_id: str,
        attrs: dict[str, Any],
    ) -> RoomBinding:
        key = (channel, bridge_id, external_id)
        given = attrs
        return self._in_transaction(
            "create_room_binding",
            lambda conn: _keys.create_room_binding(conn, self._sql, room_id, key, given),
        )

    def _list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        docs = self._column("list_room_bindings", self._sql.binding_list, (room_id,))
        return [RoomBinding.model_validate_json(doc) for doc in docs]

    def _delete_room_binding(self, binding_id: str) -> None:
        def work(conn: Connection) -> int:
            row = conn.execute(self._sql.binding_delete, (binding_id,)).fetchone()
            return int(row[0]) if row else 0

        if not self._db.run("delete_room_binding", work, repeatable=False):
            raise NotFound("room_binding", binding_id)

    # --- directory -----------------------------------------------------------------

    def _directory_search(
        self,
        target: DirectoryTarget,
        query: DirectoryQuery,
        *,
        limit: int | None,
    ) -> list[Participant] | list[Room]:
        """One query filtered and sorted by the server; names match on the stored
        casefold (trigram index when ``pg_trgm`` is available, else ``strpos``)."""

        built = directory_query(
            self._sql.schema, target, query, limit, trigram=self._db.name_search == "trigram"
        )
        if built is None:
            return []
        statement, params = built

        def work(conn: Connection) -> list[Any]:
            # Never prepared: a prepared statement's generic plan cannot see the pattern
            # and scans the primary key in id order (measured: 1.8 ms at 10,000
            # participants, against 0.2 ms for the trigram index a custom plan uses).
            rows = conn.execute(statement, params, prepare=False).fetchall()
            return [row[0] for row in rows]

        docs = self._db.run("directory_search", work)
        if target == DirectoryTarget.PARTICIPANT:
            return [Participant.model_validate_json(doc) for doc in docs]
        return [Room.model_validate_json(doc) for doc in docs]

    # --- onboarding ----------------------------------------------------------------

    def _save_onboarding(self, flow: dict[str, Any]) -> dict[str, Any]:
        stored = dict(flow)
        self._write("save_onboarding", self._sql.onboarding_upsert, onboarding_row(stored))
        return stored

    def _get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        doc = self._one("get_onboarding", self._sql.onboarding_get, (onboarding_id,))
        if doc is None:
            raise NotFound("onboarding", onboarding_id)
        flow: dict[str, Any] = json.loads(doc)
        return flow

    # --- bridge configs ------------------------------------------------------------

    def _save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        self._write("save_bridge_config", self._sql.bridge_config_upsert, bridge_config_row(config))
        return config

    def _get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        return self._get(
            "get_bridge_config",
            self._sql.bridge_config_get,
            bridge_config_id,
            BridgeConfig,
            "bridge_config",
        )

    def _list_bridge_configs(self, *, enabled: bool | None) -> list[BridgeConfig]:
        if enabled is None:
            docs = self._column("list_bridge_configs", self._sql.bridge_config_list, ())
        else:
            docs = self._column(
                "list_bridge_configs", self._sql.bridge_config_list_enabled, (enabled,)
            )
        return [BridgeConfig.model_validate_json(doc) for doc in docs]

    def _delete_bridge_config(self, bridge_config_id: str) -> None:
        self._delete_existing(
            "delete_bridge_config",
            self._sql.bridge_config_delete,
            (bridge_config_id,),
            "bridge_config",
            bridge_config_id,
        )

    # --- routing policies ----------------------------------------------------------

    def _save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        self._write(
            "save_routing_policy", self._sql.routing_policy_upsert, routing_policy_row(policy)
        )
        return policy

    def _get_routing_policy(self, room_id: str) -> RoutingPolicy:
        return self._get(
            "get_routing_policy",
            self._sql.routing_policy_get,
            room_id,
            RoutingPolicy,
            "routing_policy",
        )

    def _delete_routing_policy(self, room_id: str) -> None:
        self._delete_existing(
            "delete_routing_policy",
            self._sql.routing_policy_delete,
            (room_id,),
            "routing_policy",
            room_id,
        )

    # --- ingress subscriptions -----------------------------------------------------

    def _save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        self._write(
            "save_ingress_subscription", self._sql.ingress_upsert, ingress_row(subscription)
        )
        return subscription

    def _list_ingress_subscriptions(
        self, bridge_id: str, *, status: IngressStatus | None
    ) -> list[IngressSubscription]:
        if status is None:
            docs = self._column("list_ingress_subscriptions", self._sql.ingress_list, (bridge_id,))
        else:
            docs = self._column(
                "list_ingress_subscriptions",
                self._sql.ingress_list_status,
                (bridge_id, status.value),
            )
        return [IngressSubscription.model_validate_json(doc) for doc in docs]

    def _delete_ingress_subscription(self, bridge_id: str, subscription_id: str) -> None:
        key = (bridge_id, subscription_id)
        self._delete_existing(
            "delete_ingress_subscription",
            self._sql.ingress_delete,
            key,
            "ingress_subscription",
            key,
        )
