"""``SqlRecords``: the record callbacks of a SQL adapter, over its statements table.

See :mod:`jido_persistence.sqlkit` for what the adapter provides (``_sql``,
``_sql_one``, ``_sql_all``, ``_sql_read``, ``_sql_write``) and the adapter guide's "The
SQL toolkit" for an example.  A single-row callback is one statement, O(log n) on the
table's primary key or index; a page is a keyset range scan, O(log n + limit).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from jido_persistence.directory import directory_key
from jido_persistence.errors import NotFound, StorageError, StoreClosed
from jido_persistence.indexes import missing_message_cursor
from jido_persistence.models import (
    BridgeConfig,
    DirectoryTarget,
    Ingested,
    IngressStatus,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
from jido_persistence.sqlkit import SqlConnection
from jido_persistence.sqlkit_groups import Params, SqlGroups
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
from jido_persistence.validation import (
    DirectoryQuery,
    build_record,
    checked_message_key,
    require_instance,
    room_binding_record,
)

__all__ = ["SqlRecords"]


class SqlRecords(SqlGroups):
    """Every hook but ``_export_records``/``_import_records`` (which
    :class:`~jido_persistence.sqlkit_interchange.SqlInterchange` adds), over ``_sql`` statements.

    List it first among the adapter's bases and define the hooks of
    :mod:`jido_persistence.sqlkit` in the adapter class itself (a default here would
    otherwise shadow one defined in a base listed after this mixin).
    """

    # --- rooms, participants, threads ------------------------------------------------

    def _save_room(self, room: Room) -> Room:
        self._sql_run("save_room", self._sql.room_upsert, room_row(room))
        return room

    def _get_room(self, room_id: str) -> Room:
        return self._sql_get(self._sql.room_get, room_id, Room, "room")

    def _delete_room(self, room_id: str) -> None:
        def work(conn: SqlConnection) -> None:
            for statement in self._sql.room_delete_cascade:
                conn.execute(statement, (room_id,))

        self._sql_write("delete_room", work)

    def _save_participant(self, participant: Participant) -> Participant:
        self._sql_run(
            "save_participant", self._sql.participant_upsert, participant_row(participant)
        )
        return participant

    def _get_participant(self, participant_id: str) -> Participant:
        return self._sql_get(self._sql.participant_get, participant_id, Participant, "participant")

    def _delete_participant(self, participant_id: str) -> None:
        self._sql_run("delete_participant", self._sql.participant_delete, (participant_id,))

    def _save_thread(self, thread: Thread) -> Thread:
        self._sql_run("save_thread", self._sql.thread_upsert, thread_row(thread))
        return thread

    def _get_thread(self, thread_id: str) -> Thread:
        return self._sql_get(self._sql.thread_get, thread_id, Thread, "thread")

    def _get_thread_by_external_id(self, room_id: str, external_thread_id: str) -> Thread:
        return self._sql_keyed(self._sql.thread_by_external_id, (room_id, external_thread_id))

    def _get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        return self._sql_keyed(self._sql.thread_by_root_message, (room_id, root_message_id))

    def _sql_keyed(self, statement: str, key: tuple[str, str]) -> Thread:
        row = self._sql_one(statement, key)
        if row is None:
            raise NotFound("thread", key)
        return Thread.model_validate_json(row[0])

    # --- messages --------------------------------------------------------------------

    def _save_message(self, message: Message) -> Message:
        self._sql_run("save_message", self._sql.message_upsert, message_row(message))
        return message

    def _get_message(self, message_id: str) -> Message:
        return self._sql_get(self._sql.message_get, message_id, Message, "message")

    def _delete_message(self, message_id: str) -> None:
        self._sql_run("delete_message", self._sql.message_delete, (message_id,))

    def _get_messages(
        self,
        room_id: str,
        *,
        limit: int = 50,
        before: str | None = None,
        after: str | None = None,
        thread_id: str | None = None,
    ) -> list[Message]:
        """A primary-key read of the cursor, then one keyset range query."""
        sql = self._sql
        in_thread = thread_id is not None
        scope: Params = (room_id, thread_id) if in_thread else (room_id,)
        cursor = before if before is not None else after

        def work(conn: SqlConnection) -> list[Any]:
            if cursor is None:
                if limit == 0:
                    return []
                rows = conn.execute(sql.messages_latest[in_thread], (*scope, limit)).fetchall()
                return [row[0] for row in reversed(rows)]
            found = conn.execute(sql.message_cursor, (cursor,)).fetchone()
            if found is None or found[0] != room_id or (in_thread and found[1] != thread_id):
                raise missing_message_cursor(cursor, room_id, thread_id)
            if limit == 0:
                return []
            params = (*scope, found[2], cursor, limit)
            if before is not None:
                rows = conn.execute(sql.messages_before[in_thread], params).fetchall()
                return [row[0] for row in reversed(rows)]
            return [row[0] for row in conn.execute(sql.messages_after[in_thread], params)]

        return [Message.model_validate_json(doc) for doc in self._sql_read(work)]

    def bulk_save_messages(self, messages: Iterable[Message]) -> int:
        """Save ``messages`` as ``save_message`` on each, in order, would; one transaction.

        The optional bulk path of :class:`~jido_persistence.bulk.SupportsBulkSaveMessages`:
        every message is checked and converted first (a non-``Message`` or a bad
        external-id key raises InvalidArgument and nothing is written), then one
        ``executemany`` of the ``message_upsert`` statement runs in one write
        transaction.  All or nothing.  Raises StoreClosed after ``close()`` and
        StorageError when the backend fails.  Returns the number of messages saved.
        """
        if self._closed:
            name = type(self).__name__
            raise StoreClosed(f"{name} is closed: bulk_save_messages() needs an open store")
        rows = [message_row(require_instance("message", m, Message)) for m in messages]
        if not rows:
            return 0
        try:
            self._sql_write(
                "bulk_save_messages", lambda c: c.executemany(self._sql.message_upsert, rows)
            )
        except self.backend_errors as error:
            raise StorageError(f"bulk_save_messages() failed in the backend: {error}") from error
        return len(rows)

    def _ingest_message(self, message: Message) -> Ingested:
        """A repeat is one indexed read; otherwise the key is read again in the write
        transaction, and the message saved only while the key still resolves to nothing."""
        key = checked_message_key(message)
        by_key = self._sql.message_by_key
        row = self._sql_one(by_key, key)
        if row is not None:
            return Ingested(message=Message.model_validate_json(row[0]), created=False)
        params = message_row(message)

        def work(conn: SqlConnection) -> Ingested:
            found = conn.execute(by_key, key).fetchone()
            if found is not None:
                return Ingested(message=Message.model_validate_json(found[0]), created=False)
            conn.execute(self._sql.message_upsert, params)
            return Ingested(message=message, created=True)

        return self._sql_write("ingest_message", work)

    # --- external keys ----------------------------------------------------------------

    def _get_or_create_room_by_external_binding(
        self, channel: str, bridge_id: str, external_id: str, attrs: dict[str, Any]
    ) -> Room:
        """A read first; when the key is absent or stale, one write transaction that
        reads it again, heals a stale key and creates room, binding record and key."""
        sql, key = self._sql, (channel, bridge_id, external_id)
        row = self._sql_one(sql.binding_key_room, key)
        if row is not None and row[1] is not None:
            return Room.model_validate_json(row[1])
        room = build_record(Room, attrs, external_bindings={channel: {bridge_id: external_id}})

        def work(conn: SqlConnection) -> Room:
            found = conn.execute(sql.binding_key_room, key).fetchone()
            if found is not None:
                if found[1] is not None:
                    return Room.model_validate_json(found[1])
                conn.execute(sql.binding_key_delete_if, (*key, found[0]))
            conn.execute(sql.room_upsert, room_row(room))
            self._sql_bind(conn, room.id, key, {})
            return room

        return self._sql_write("get_or_create_room_by_external_binding", work)

    def _get_or_create_participant_by_external_id(
        self, channel: str, external_id: str, attrs: dict[str, Any]
    ) -> Participant:
        """Like ``get_or_create_room_by_external_binding``, keyed ``(channel, external_id)``."""
        sql, key = self._sql, (channel, external_id)
        row = self._sql_one(sql.participant_key_participant, key)
        if row is not None and row[1] is not None:
            return Participant.model_validate_json(row[1])
        participant = build_record(Participant, attrs, external_ids={channel: external_id})

        def work(conn: SqlConnection) -> Participant:
            found = conn.execute(sql.participant_key_participant, key).fetchone()
            if found is not None:
                if found[1] is not None:
                    return Participant.model_validate_json(found[1])
                conn.execute(sql.participant_key_delete_if, (*key, found[0]))
            conn.execute(sql.participant_upsert, participant_row(participant))
            conn.execute(sql.participant_key_put, (*key, participant.id))
            return participant

        return self._sql_write("get_or_create_participant_by_external_id", work)

    def _get_or_create_thread_by_external_id(
        self, room_id: str, external_thread_id: str, attrs: dict[str, Any]
    ) -> Thread:
        """The room's thread holding the key, else one built from ``attrs`` and saved."""
        sql, key = self._sql, (room_id, external_thread_id)
        row = self._sql_one(sql.thread_by_external_id, key)
        if row is not None:
            return Thread.model_validate_json(row[0])
        thread = build_record(Thread, attrs, room_id=room_id, external_thread_id=external_thread_id)

        def work(conn: SqlConnection) -> Thread:
            found = conn.execute(sql.thread_by_external_id, key).fetchone()
            if found is not None:
                return Thread.model_validate_json(found[0])
            conn.execute(sql.thread_upsert, thread_row(thread))
            return thread

        return self._sql_write("get_or_create_thread_by_external_id", work)

    def _get_message_by_external_id(
        self, channel: str, bridge_id: str, external_id: str
    ) -> Message:
        key = (channel, bridge_id, external_id)
        row = self._sql_one(self._sql.message_by_key, key)
        if row is None:
            raise NotFound("message", key)
        return Message.model_validate_json(row[0])

    def _update_message_external_id(self, message_id: str, external_id: str) -> Message:
        def work(conn: SqlConnection) -> Message:
            row = conn.execute(self._sql.message_get, (message_id,)).fetchone()
            if row is None:
                raise NotFound("message", message_id)
            message = Message.model_validate_json(row[0])
            updated = message.model_copy(update={"external_id": external_id})
            conn.execute(self._sql.message_upsert, message_row(updated))
            return updated

        return self._sql_write("update_message_external_id", work)

    # --- room bindings -------------------------------------------------------------------

    def _sql_bind(
        self, conn: SqlConnection, room_id: str, key: Params, attrs: dict[str, Any]
    ) -> RoomBinding:
        """Create or update the record of ``(room_id, key)`` and point the key at the room."""
        sql = self._sql
        row = conn.execute(sql.binding_for_room_key, (room_id, *key)).fetchone()
        existing = None if row is None else RoomBinding.model_validate_json(row[0])

        def id_taken(binding_id: str) -> bool:
            return conn.execute(sql.binding_id_exists, (binding_id,)).fetchone() is not None

        binding = room_binding_record(room_id, key, attrs, existing, id_taken)  # type: ignore[arg-type]
        conn.execute(sql.binding_upsert, binding_row(binding))
        conn.execute(sql.binding_key_put, (*key, room_id))
        return binding

    def _get_room_by_external_binding(self, channel: str, bridge_id: str, external_id: str) -> Room:
        key = (channel, bridge_id, external_id)
        row = self._sql_one(self._sql.binding_key_room, key)
        if row is None or row[1] is None:
            raise NotFound("room", key)
        return Room.model_validate_json(row[1])

    def _create_room_binding(
        self, room_id: str, channel: str, bridge_id: str, external_id: str, attrs: dict[str, Any]
    ) -> RoomBinding:
        key = (channel, bridge_id, external_id)
        return self._sql_write(
            "create_room_binding", lambda conn: self._sql_bind(conn, room_id, key, attrs)
        )

    def _list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        docs = self._sql_docs(self._sql.binding_list, (room_id,))
        return [RoomBinding.model_validate_json(doc) for doc in docs]

    def _delete_room_binding(self, binding_id: str) -> None:
        def work(conn: SqlConnection) -> bool:
            row = conn.execute(self._sql.binding_delete, (binding_id,)).fetchone()
            if row is None:
                return False
            conn.execute(self._sql.binding_key_delete_if, tuple(row))
            return True

        if not self._sql_write("delete_room_binding", work):
            raise NotFound("room_binding", binding_id)

    # --- directory -----------------------------------------------------------------------

    def _directory_search(
        self, target: DirectoryTarget, query: DirectoryQuery, *, limit: int | None
    ) -> list[Participant] | list[Room]:
        """One query filtered and sorted by the database (the name through
        ``_sql_name_filter``); a partial key answers ``[]`` without one."""
        sql = self._sql
        conditions: list[str] = []
        params: list[object] = []
        if query.id is not None:
            conditions.append(sql.directory_id)
            params.append(query.id)
        if query.name_fold is not None:
            name_match = self._sql_name_filter(target.value, query.name_fold)
            if name_match is None:
                return []
            conditions += name_match[0]
            params += name_match[1]
        key = directory_key(target, query)
        if key is None:
            return []
        participants = target == DirectoryTarget.PARTICIPANT
        if key:
            conditions.append(
                sql.directory_participant_key if participants else sql.directory_room_key
            )
            params.extend(key)
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        statement = sql.directory_select[target.value] + where + sql.directory_order
        docs = self._sql_docs(statement, (*params, self.sql_no_limit if limit is None else limit))
        if participants:
            return [Participant.model_validate_json(doc) for doc in docs]
        return [Room.model_validate_json(doc) for doc in docs]

    # --- onboarding, bridge configs, routing policies, ingress -----------------------------

    def _save_onboarding(self, flow: dict[str, Any]) -> dict[str, Any]:
        stored = dict(flow)
        self._sql_run("save_onboarding", self._sql.onboarding_upsert, onboarding_row(stored))
        return stored

    def _get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        row = self._sql_one(self._sql.onboarding_get, (onboarding_id,))
        if row is None:
            raise NotFound("onboarding", onboarding_id)
        flow: dict[str, Any] = json.loads(row[0])
        return flow

    def _delete_onboarding(self, onboarding_id: str) -> None:
        self._sql_delete(
            "delete_onboarding", self._sql.onboarding_delete, (onboarding_id,), "onboarding"
        )

    def _save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        self._sql_run(
            "save_bridge_config", self._sql.bridge_config_upsert, bridge_config_row(config)
        )
        return config

    def _get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        return self._sql_get(
            self._sql.bridge_config_get, bridge_config_id, BridgeConfig, "bridge_config"
        )

    def _list_bridge_configs(self, *, enabled: bool | None) -> list[BridgeConfig]:
        if enabled is None:
            docs = self._sql_docs(self._sql.bridge_config_list, ())
        else:
            docs = self._sql_docs(self._sql.bridge_config_list_enabled, (enabled,))
        return [BridgeConfig.model_validate_json(doc) for doc in docs]

    def _delete_bridge_config(self, bridge_config_id: str) -> None:
        statement = self._sql.bridge_config_delete
        self._sql_delete("delete_bridge_config", statement, (bridge_config_id,), "bridge_config")

    def _save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        row = routing_policy_row(policy)
        self._sql_run("save_routing_policy", self._sql.routing_policy_upsert, row)
        return policy

    def _get_routing_policy(self, room_id: str) -> RoutingPolicy:
        return self._sql_get(self._sql.routing_policy_get, room_id, RoutingPolicy, "routing_policy")

    def _delete_routing_policy(self, room_id: str) -> None:
        statement = self._sql.routing_policy_delete
        self._sql_delete("delete_routing_policy", statement, (room_id,), "routing_policy")

    def _save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        row = ingress_row(subscription)
        self._sql_run("save_ingress_subscription", self._sql.ingress_upsert, row)
        return subscription

    def _list_ingress_subscriptions(
        self, bridge_id: str, *, status: IngressStatus | None
    ) -> list[IngressSubscription]:
        if status is None:
            docs = self._sql_docs(self._sql.ingress_list, (bridge_id,))
        else:
            docs = self._sql_docs(self._sql.ingress_list_status, (bridge_id, status.value))
        return [IngressSubscription.model_validate_json(doc) for doc in docs]

    def _delete_ingress_subscription(self, bridge_id: str, subscription_id: str) -> None:
        key = (bridge_id, subscription_id)
        self._sql_delete(
            "delete_ingress_subscription", self._sql.ingress_delete, key, "ingress_subscription"
        )
