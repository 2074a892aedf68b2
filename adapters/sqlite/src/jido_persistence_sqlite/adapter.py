"""``SQLiteAdapter``: the persistence contract on one SQLite file (standard library ``sqlite3``).

``sqlite:///chat.sqlite3`` (relative) or ``sqlite:////var/lib/bot/chat.sqlite3``
(absolute).  Several processes on one machine share the file: WAL mode, a connection
per thread, ``BEGIN IMMEDIATE`` around every write and get-or-create, bounded retries
of SQLITE_BUSY (see :mod:`jido_persistence_sqlite._database`).  Each single-row
callback is one parameterised statement.  See the package README for the layout and
the design decisions.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from jido_persistence.directory import directory_key
from jido_persistence.errors import NotFound, StorageError, StoreClosed
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
from jido_persistence.validation import DirectoryQuery, build_record, require_instance
from jido_persistence_sqlite import _keys
from jido_persistence_sqlite import _statements as sql
from jido_persistence_sqlite._base import Connection
from jido_persistence_sqlite._enumeration import SQLiteEnumeration
from jido_persistence_sqlite._ingest import SQLiteIngest
from jido_persistence_sqlite._names import name_filter, trigram_counts
from jido_persistence_sqlite._retention import SQLiteRetention
from jido_persistence_sqlite._rows import (
    message_row,
    onboarding_row,
    participant_row,
    room_row,
    thread_row,
)

__all__ = ["SQLiteAdapter"]


class SQLiteAdapter(SQLiteIngest, SQLiteEnumeration, SQLiteRetention):
    """A store in one SQLite file; durable, shared by several processes of one machine.

    Construct with the options of :class:`~jido_persistence_sqlite.SQLiteOptions`
    (``path``, ``synchronous``, ``busy_timeout``) or open ``sqlite:///chat.sqlite3``.
    Creates the file (mode 0600) and its tables on first open.
    """

    # --- rooms ---------------------------------------------------------------------

    def _save_room(self, room: Room) -> Room:
        """One upsert in an immediate transaction.  Binding keys are not touched."""
        self._write("save_room", sql.ROOM_UPSERT, room_row(room))
        return room

    def _get_room(self, room_id: str) -> Room:
        return self._get(sql.ROOM_GET, room_id, Room, "room")

    def _delete_room(self, room_id: str) -> None:
        """One transaction deleting the messages, threads, bindings, the keys still
        pointing at the room, its routing policy and the room."""

        def work(conn: Connection) -> None:
            for statement in sql.ROOM_DELETE_CASCADE:
                conn.execute(statement, (room_id,))

        self._in_transaction("delete_room", work)

    # --- participants --------------------------------------------------------------

    def _save_participant(self, participant: Participant) -> Participant:
        self._write("save_participant", sql.PARTICIPANT_UPSERT, participant_row(participant))
        return participant

    def _get_participant(self, participant_id: str) -> Participant:
        return self._get(sql.PARTICIPANT_GET, participant_id, Participant, "participant")

    def _delete_participant(self, participant_id: str) -> None:
        self._write("delete_participant", sql.PARTICIPANT_DELETE, (participant_id,))

    # --- messages ------------------------------------------------------------------

    def _save_message(self, message: Message) -> Message:
        """One ``INSERT OR REPLACE``: the row gets the largest ``seq``, so the message
        becomes the newest holder of its external-id key.  O(log n)."""
        self._write("save_message", sql.MESSAGE_UPSERT, message_row(message))
        return message

    def bulk_save_messages(self, messages: Iterable[Message]) -> int:
        """Save ``messages`` as ``save_message`` on each, in order, would; one transaction.

        The optional bulk path of :class:`~jido_persistence.bulk.SupportsBulkSaveMessages`
        (not a contract callback): every message is checked and converted first (a
        non-``Message`` or a bad external-id key raises InvalidArgument and nothing is
        written), then one ``executemany`` of the ``save_message`` statement runs in one
        ``BEGIN IMMEDIATE`` transaction, so save order and key resolution are those of
        single saves.  All or nothing.  Raises StoreClosed after ``close()`` and
        StorageError when the backend fails.  Returns the number of messages saved.
        """
        if self._closed:
            raise StoreClosed("SQLiteAdapter is closed: bulk_save_messages() needs an open store")
        rows = [message_row(require_instance("message", m, Message)) for m in messages]
        if rows:
            self._guarded_bulk(rows)
        return len(rows)

    def _guarded_bulk(self, rows: list[tuple[object, ...]]) -> None:
        try:
            self._in_transaction(
                "bulk_save_messages", lambda conn: conn.executemany(sql.MESSAGE_UPSERT, rows)
            )
        except sqlite3.Error as error:
            raise StorageError(f"bulk_save_messages() failed in the backend: {error}") from error

    def _get_message(self, message_id: str) -> Message:
        return self._get(sql.MESSAGE_GET, message_id, Message, "message")

    def _get_messages(
        self,
        room_id: str,
        *,
        limit: int = 50,
        before: str | None = None,
        after: str | None = None,
        thread_id: str | None = None,
    ) -> list[Message]:
        """One keyset range query over ``(room_id[, thread_id], sort_us, id)``, after a
        primary-key read of the cursor.  O(log n + limit)."""
        in_thread = thread_id is not None
        scope: tuple[object, ...] = (room_id, thread_id) if in_thread else (room_id,)
        cursor = before if before is not None else after

        def work(conn: Connection) -> list[str]:
            if cursor is None:
                if limit == 0:
                    return []
                rows = conn.execute(sql.MESSAGES_LATEST[in_thread], (*scope, limit)).fetchall()
                return [row[0] for row in reversed(rows)]
            found = conn.execute(sql.MESSAGE_CURSOR, (cursor,)).fetchone()
            if found is None or found[0] != room_id or (in_thread and found[1] != thread_id):
                raise missing_message_cursor(cursor, room_id, thread_id)
            if limit == 0:
                return []
            params = (*scope, found[2], cursor, limit)
            if before is not None:
                rows = conn.execute(sql.MESSAGES_BEFORE[in_thread], params).fetchall()
                return [row[0] for row in reversed(rows)]
            return [row[0] for row in conn.execute(sql.MESSAGES_AFTER[in_thread], params)]

        return [Message.model_validate_json(doc) for doc in self._db.read(work)]

    def _delete_message(self, message_id: str) -> None:
        self._write("delete_message", sql.MESSAGE_DELETE, (message_id,))

    # --- threads -------------------------------------------------------------------

    def _save_thread(self, thread: Thread) -> Thread:
        self._write("save_thread", sql.THREAD_UPSERT, thread_row(thread))
        return thread

    def _get_thread(self, thread_id: str) -> Thread:
        return self._get(sql.THREAD_GET, thread_id, Thread, "thread")

    def _get_thread_by_external_id(self, room_id: str, external_thread_id: str) -> Thread:
        key = (room_id, external_thread_id)
        doc = self._doc(sql.THREAD_BY_EXTERNAL_ID, key)
        if doc is None:
            raise NotFound("thread", key)
        return Thread.model_validate_json(doc)

    def _get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        key = (room_id, root_message_id)
        doc = self._doc(sql.THREAD_BY_ROOT_MESSAGE, key)
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
        """A read first; when the key is absent or stale, one ``BEGIN IMMEDIATE``
        transaction that reads it again and creates room, binding record and key.
        Race-free across threads and processes: losers write nothing."""
        key = (channel, bridge_id, external_id)
        row = self._db.one(sql.BINDING_KEY_ROOM, key)
        if row is not None and row[1] is not None:
            return Room.model_validate_json(row[1])
        room = build_record(Room, attrs, external_bindings={key[0]: {key[1]: key[2]}})
        return self._in_transaction(
            "get_or_create_room_by_external_binding",
            lambda conn: _keys.get_or_create_room(conn, key, room),
        )

    def _get_or_create_participant_by_external_id(
        self, channel: str, external_id: str, attrs: dict[str, Any]
    ) -> Participant:
        """Like :meth:`get_or_create_room_by_external_binding`, keyed ``(channel, external_id)``."""
        key = (channel, external_id)
        row = self._db.one(sql.PARTICIPANT_KEY_PARTICIPANT, key)
        if row is not None and row[1] is not None:
            return Participant.model_validate_json(row[1])
        participant = build_record(Participant, attrs, external_ids={key[0]: key[1]})
        return self._in_transaction(
            "get_or_create_participant_by_external_id",
            lambda conn: _keys.get_or_create_participant(conn, key, participant),
        )

    def _get_message_by_external_id(
        self, channel: str, bridge_id: str, external_id: str
    ) -> Message:
        key = (channel, bridge_id, external_id)
        doc = self._doc(sql.MESSAGE_BY_KEY, key)
        if doc is None:
            raise NotFound("message", key)
        return Message.model_validate_json(doc)

    def _update_message_external_id(self, message_id: str, external_id: str) -> Message:
        def work(conn: Connection) -> Message:
            row = conn.execute(sql.MESSAGE_GET, (message_id,)).fetchone()
            if row is None:
                raise NotFound("message", message_id)
            message = Message.model_validate_json(row[0])
            updated = message.model_copy(update={"external_id": external_id})
            conn.execute(sql.MESSAGE_UPSERT, message_row(updated))
            return updated

        return self._in_transaction("update_message_external_id", work)

    # --- room bindings -------------------------------------------------------------

    def _get_room_by_external_binding(self, channel: str, bridge_id: str, external_id: str) -> Room:
        key = (channel, bridge_id, external_id)
        row = self._db.one(sql.BINDING_KEY_ROOM, key)
        if row is None or row[1] is None:
            raise NotFound("room", key)
        return Room.model_validate_json(row[1])

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
            lambda conn: _keys.create_room_binding(conn, room_id, key, given),
        )

    def _list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        docs = self._docs(sql.BINDING_LIST, (room_id,))
        return [RoomBinding.model_validate_json(doc) for doc in docs]

    def _delete_room_binding(self, binding_id: str) -> None:
        def work(conn: Connection) -> bool:
            row = conn.execute(sql.BINDING_DELETE, (binding_id,)).fetchone()
            if row is None:
                return False
            conn.execute(sql.BINDING_KEY_DELETE_IF, tuple(row))
            return True

        if not self._in_transaction("delete_room_binding", work):
            raise NotFound("room_binding", binding_id)

    # --- directory -----------------------------------------------------------------

    def _directory_search(
        self,
        target: DirectoryTarget,
        query: DirectoryQuery,
        *,
        limit: int | None,
    ) -> list[Participant] | list[Room]:
        """One query filtered and sorted by SQLite; names match the stored casefold
        through the FTS5 trigram index, with ``instr`` (a literal substring test) as
        the recheck, or alone (a scan) for queries under three characters."""
        parsed = query
        conditions: list[str] = []
        params: list[object] = []
        if parsed.id is not None:
            conditions.append(sql.DIRECTORY_ID)
            params.append(parsed.id)
        if parsed.name_fold is not None:
            counts = trigram_counts(self._db.all) if self._db.name_index else None
            name_match = name_filter(target.value, parsed.name_fold, counts)
            if name_match is None:
                return []
            name_conditions, name_params = name_match
            conditions += name_conditions
            params += name_params
        key = directory_key(target, parsed)
        if key is None:
            return []
        if key:
            conditions.append(
                sql.DIRECTORY_PARTICIPANT_KEY
                if target == DirectoryTarget.PARTICIPANT
                else sql.DIRECTORY_ROOM_KEY
            )
            params.extend(key)
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        statement = sql.DIRECTORY_SELECT[target.value] + where + sql.DIRECTORY_ORDER
        docs = self._docs(statement, (*params, -1 if limit is None else limit))
        if target == DirectoryTarget.PARTICIPANT:
            return [Participant.model_validate_json(doc) for doc in docs]
        return [Room.model_validate_json(doc) for doc in docs]

    # --- onboarding ----------------------------------------------------------------

    def _save_onboarding(self, flow: dict[str, Any]) -> dict[str, Any]:
        stored = dict(flow)
        self._write("save_onboarding", sql.ONBOARDING_UPSERT, onboarding_row(stored))
        return stored

    def _get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        doc = self._doc(sql.ONBOARDING_GET, (onboarding_id,))
        if doc is None:
            raise NotFound("onboarding", onboarding_id)
        flow: dict[str, Any] = json.loads(doc)
        return flow

    # --- bridge configs ------------------------------------------------------------

    def _save_bridge_config(self, config: BridgeConfig) -> BridgeConfig:
        row = (config.id, config.enabled, config.model_dump_json())  # doc holds the credentials
        self._write("save_bridge_config", sql.BRIDGE_CONFIG_UPSERT, row)
        return config

    def _get_bridge_config(self, bridge_config_id: str) -> BridgeConfig:
        return self._get(sql.BRIDGE_CONFIG_GET, bridge_config_id, BridgeConfig, "bridge_config")

    def _list_bridge_configs(self, *, enabled: bool | None) -> list[BridgeConfig]:
        if enabled is None:
            docs = self._docs(sql.BRIDGE_CONFIG_LIST, ())
        else:
            docs = self._docs(sql.BRIDGE_CONFIG_LIST_ENABLED, (int(enabled),))
        return [BridgeConfig.model_validate_json(doc) for doc in docs]

    def _delete_bridge_config(self, bridge_config_id: str) -> None:
        self._delete_existing(
            "delete_bridge_config",
            sql.BRIDGE_CONFIG_DELETE,
            (bridge_config_id,),
            "bridge_config",
            bridge_config_id,
        )

    # --- routing policies ----------------------------------------------------------

    def _save_routing_policy(self, policy: RoutingPolicy) -> RoutingPolicy:
        row = (policy.room_id, policy.model_dump_json())
        self._write("save_routing_policy", sql.ROUTING_POLICY_UPSERT, row)
        return policy

    def _get_routing_policy(self, room_id: str) -> RoutingPolicy:
        return self._get(sql.ROUTING_POLICY_GET, room_id, RoutingPolicy, "routing_policy")

    def _delete_routing_policy(self, room_id: str) -> None:
        self._delete_existing(
            "delete_routing_policy",
            sql.ROUTING_POLICY_DELETE,
            (room_id,),
            "routing_policy",
            room_id,
        )

    # --- ingress subscriptions -----------------------------------------------------

    def _save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        s = subscription
        row = (s.bridge_id, s.subscription_id, s.status.value, s.model_dump_json())
        self._write("save_ingress_subscription", sql.INGRESS_UPSERT, row)
        return subscription

    def _list_ingress_subscriptions(
        self, bridge_id: str, *, status: IngressStatus | None
    ) -> list[IngressSubscription]:
        if status is None:
            docs = self._docs(sql.INGRESS_LIST, (bridge_id,))
        else:
            docs = self._docs(sql.INGRESS_LIST_STATUS, (bridge_id, status.value))
        return [IngressSubscription.model_validate_json(doc) for doc in docs]

    def _delete_ingress_subscription(self, bridge_id: str, subscription_id: str) -> None:
        key = (bridge_id, subscription_id)
        self._delete_existing(
            "delete_ingress_subscription", sql.INGRESS_DELETE, key, "ingress_subscription", key
        )
