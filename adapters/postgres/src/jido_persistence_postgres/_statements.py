"""Every SQL statement of the adapter, rendered once per store for its schema.

Statements are plain strings with ``%s`` placeholders (every value is a parameter),
qualified with the store's schema quoted by :class:`psycopg.sql.Identifier`; rendering
them once lets psycopg prepare each one on first use (``prepare_threshold=0``) and
reuse its plan.  Ids compare and sort by code point because their columns are
``COLLATE "C"``.
"""

from __future__ import annotations

import re
from typing import ClassVar, Final

from psycopg import sql

from jido_persistence_postgres._identifiers import ParameterSafe, schema_for_parameters

__all__ = ["Statements"]

_PLACEHOLDER: Final = re.compile(r"\{s\}|\{seq\}")

# A page is returned as one JSON array (json_agg keeps each json document's text as
# written), parsed by pydantic in one call: cheaper than one row and one parse per
# message.  The count says whether the cursor is in scope (0: CursorNotFound).
_PAGE_TEMPLATE = """SELECT count(*),
    json_agg(page.doc ORDER BY page.sort_at, page.id) FILTER (WHERE page.id IS NOT NULL)
    FROM (SELECT sort_at, id FROM {s}.messages WHERE id = %(cursor)s AND room_id = %(room)s{thread})
        AS cursor
    LEFT JOIN LATERAL (
        SELECT m.doc, m.sort_at, m.id FROM {s}.messages AS m
        WHERE m.room_id = %(room)s{m_thread} AND (m.sort_at, m.id) {op} (cursor.sort_at, cursor.id)
        ORDER BY m.sort_at {direction}, m.id {direction} LIMIT %(limit)s::bigint
    ) AS page ON true"""


def _page(*, before: bool, thread: bool) -> str:
    return (
        _PAGE_TEMPLATE.replace("{thread}", " AND thread_id = %(thread)s" if thread else "")
        .replace("{m_thread}", " AND m.thread_id = %(thread)s" if thread else "")
        .replace("{op}", "<" if before else ">")
        .replace("{direction}", "DESC" if before else "ASC")
    )


def _latest(*, thread: bool) -> str:
    scope = " AND thread_id = %(thread)s" if thread else ""
    # Plain rows, newest first (the caller reverses them): a json_agg of the page
    # re-sorted on the server cost about 14 us more per latest page of 10 (issue 20).
    return (
        f"SELECT doc FROM {{s}}.messages WHERE room_id = %(room)s{scope}"
        " ORDER BY sort_at DESC, id DESC LIMIT %(limit)s::bigint"
    )


# A keyset page of an enumeration (contract 9.2) in one round trip, as for messages:
# the count says whether the cursor is a record of the scope (0: CursorNotFound).  The
# row comparison ``(a, b) > (x, y)`` is served by the order index, O(log n + limit).
_AFTER_TEMPLATE = """SELECT count(*),
    json_agg(page.doc ORDER BY {order}) FILTER (WHERE page.id IS NOT NULL)
    FROM (SELECT {columns} FROM {s}.{table} WHERE id = %(cursor)s{scope}) AS cursor
    LEFT JOIN LATERAL (
        SELECT t.doc, {t_columns} FROM {s}.{table} AS t
        WHERE {t_scope}({t_columns}) > ({cursor_columns})
        ORDER BY {t_columns} LIMIT %(limit)s::bigint
    ) AS page ON true"""


def _after(table: str, columns: tuple[str, ...], *, in_room: bool = False) -> str:
    def listed(prefix: str) -> str:
        return ", ".join(prefix + column for column in columns)

    return (
        _AFTER_TEMPLATE.replace("{order}", listed("page."))
        .replace("{columns}", listed(""))
        .replace("{table}", table)
        .replace("{scope}", " AND room_id = %(room)s" if in_room else "")
        .replace("{t_scope}", "t.room_id = %(room)s AND " if in_room else "")
        .replace("{t_columns}", listed("t."))
        .replace("{cursor_columns}", listed("cursor."))
    )


def _first(table: str, order: str, *, in_room: bool = False) -> str:
    scope = " WHERE room_id = %(room)s" if in_room else ""
    return (
        f"SELECT json_agg(doc ORDER BY {order}) FROM (SELECT doc, {order} FROM {{s}}.{table}"
        f"{scope} ORDER BY {order} LIMIT %(limit)s::bigint) AS page"
    )


class Statements:
    """The adapter's SQL for one schema (class attributes hold the ``{s}`` templates)."""

    room_upsert: str = (
        "INSERT INTO {s}.rooms (id, inserted_at, name_fold, doc) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (id) DO UPDATE SET inserted_at = excluded.inserted_at,"
        " name_fold = excluded.name_fold, doc = excluded.doc"
    )
    room_get: str = "SELECT doc FROM {s}.rooms WHERE id = %s"
    room_delete_cascade: str = (
        "WITH m AS (DELETE FROM {s}.messages WHERE room_id = %(room)s),"
        " t AS (DELETE FROM {s}.threads WHERE room_id = %(room)s),"
        " b AS (DELETE FROM {s}.room_bindings WHERE room_id = %(room)s),"
        " k AS (DELETE FROM {s}.binding_keys WHERE room_id = %(room)s),"
        " p AS (DELETE FROM {s}.routing_policies WHERE room_id = %(room)s)"
        " DELETE FROM {s}.rooms WHERE id = %(room)s"
    )

    participant_upsert: str = (
        "INSERT INTO {s}.participants (id, name_fold, doc) VALUES (%s, %s, %s)"
        " ON CONFLICT (id) DO UPDATE SET name_fold = excluded.name_fold, doc = excluded.doc"
    )
    participant_get: str = "SELECT doc FROM {s}.participants WHERE id = %s"
    participant_delete: str = "DELETE FROM {s}.participants WHERE id = %s"

    message_upsert: str = (
        "INSERT INTO {s}.messages (id, room_id, thread_id, inserted_at, key_channel,"
        " key_bridge_id, key_external_id, save_seq, doc)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, nextval({seq}), %s)"
        " ON CONFLICT (id) DO UPDATE SET room_id = excluded.room_id,"
        " thread_id = excluded.thread_id, inserted_at = excluded.inserted_at,"
        " key_channel = excluded.key_channel, key_bridge_id = excluded.key_bridge_id,"
        " key_external_id = excluded.key_external_id, save_seq = excluded.save_seq,"
        " doc = excluded.doc"
    )
    message_get: str = "SELECT doc FROM {s}.messages WHERE id = %s"
    message_get_for_update: str = "SELECT doc FROM {s}.messages WHERE id = %s FOR UPDATE"
    message_by_key: str = (
        "SELECT doc FROM {s}.messages WHERE key_channel = %s AND key_bridge_id = %s"
        " AND key_external_id = %s ORDER BY save_seq DESC LIMIT 1"
    )
    message_delete: str = "DELETE FROM {s}.messages WHERE id = %s"
    messages_latest: str = _latest(thread=False)
    messages_latest_thread: str = _latest(thread=True)
    messages_before: str = _page(before=True, thread=False)
    messages_before_thread: str = _page(before=True, thread=True)
    messages_after: str = _page(before=False, thread=False)
    messages_after_thread: str = _page(before=False, thread=True)

    thread_upsert: str = (
        "INSERT INTO {s}.threads (id, room_id, inserted_at, external_thread_id,"
        " root_message_id, save_seq, doc) VALUES (%s, %s, %s, %s, %s, nextval({seq}), %s)"
        " ON CONFLICT (id) DO UPDATE SET room_id = excluded.room_id,"
        " inserted_at = excluded.inserted_at, external_thread_id = excluded.external_thread_id,"
        " root_message_id = excluded.root_message_id, save_seq = excluded.save_seq,"
        " doc = excluded.doc"
    )
    thread_get: str = "SELECT doc FROM {s}.threads WHERE id = %s"
    thread_by_external_id: str = (
        "SELECT doc FROM {s}.threads WHERE room_id = %s AND external_thread_id = %s"
        " ORDER BY save_seq DESC LIMIT 1"
    )
    thread_by_root_message: str = (
        "SELECT doc FROM {s}.threads WHERE room_id = %s AND root_message_id = %s"
        " ORDER BY save_seq DESC LIMIT 1"
    )

    binding_key_room: str = (
        "SELECT r.doc FROM {s}.binding_keys AS k JOIN {s}.rooms AS r ON r.id = k.room_id"
        " WHERE k.channel = %s AND k.bridge_id = %s AND k.external_id = %s"
    )
    binding_key_lock: str = (
        "SELECT k.room_id, r.doc FROM {s}.binding_keys AS k"
        " LEFT JOIN {s}.rooms AS r ON r.id = k.room_id"
        " WHERE k.channel = %s AND k.bridge_id = %s AND k.external_id = %s FOR UPDATE OF k"
    )
    binding_key_delete_if: str = (
        "DELETE FROM {s}.binding_keys WHERE channel = %s AND bridge_id = %s"
        " AND external_id = %s AND room_id = %s"
    )
    binding_key_insert: str = (
        "INSERT INTO {s}.binding_keys (channel, bridge_id, external_id, room_id)"
        " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING room_id"
    )
    binding_key_upsert: str = (
        "INSERT INTO {s}.binding_keys (channel, bridge_id, external_id, room_id)"
        " VALUES (%s, %s, %s, %s) ON CONFLICT (channel, bridge_id, external_id)"
        " DO UPDATE SET room_id = excluded.room_id"
    )
    binding_for_room_key: str = (
        "SELECT doc FROM {s}.room_bindings WHERE room_id = %s AND channel = %s"
        " AND bridge_id = %s AND external_room_id = %s FOR UPDATE"
    )
    binding_id_exists: str = "SELECT 1 FROM {s}.room_bindings WHERE id = %s"
    binding_insert_keep: str = (
        "INSERT INTO {s}.room_bindings (id, room_id, channel, bridge_id, external_room_id,"
        " inserted_at, doc) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
    )
    binding_upsert: str = (
        "INSERT INTO {s}.room_bindings (id, room_id, channel, bridge_id, external_room_id,"
        " inserted_at, doc) VALUES (%s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (id) DO UPDATE SET doc = excluded.doc"
    )
    binding_list: str = (
        "SELECT doc FROM {s}.room_bindings WHERE room_id = %s ORDER BY inserted_at, id"
    )
    binding_delete: str = (
        "WITH b AS (DELETE FROM {s}.room_bindings WHERE id = %s"
        " RETURNING room_id, channel, bridge_id, external_room_id),"
        " k AS (DELETE FROM {s}.binding_keys AS k USING b WHERE k.channel = b.channel"
        " AND k.bridge_id = b.bridge_id AND k.external_id = b.external_room_id"
        " AND k.room_id = b.room_id)"
        " SELECT count(*) FROM b"
    )

    participant_key_participant: str = (
        "SELECT p.doc FROM {s}.participant_keys AS k"
        " JOIN {s}.participants AS p ON p.id = k.participant_id"
        " WHERE k.channel = %s AND k.external_id = %s"
    )
    participant_key_lock: str = (
        "SELECT k.participant_id, p.doc FROM {s}.participant_keys AS k"
        " LEFT JOIN {s}.participants AS p ON p.id = k.participant_id"
        " WHERE k.channel = %s AND k.external_id = %s FOR UPDATE OF k"
    )
    participant_key_delete_if: str = (
        "DELETE FROM {s}.participant_keys WHERE channel = %s AND external_id = %s"
        " AND participant_id = %s"
    )
    participant_key_insert: str = (
        "INSERT INTO {s}.participant_keys (channel, external_id, participant_id)"
        " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING participant_id"
    )

    onboarding_upsert: str = (
        "INSERT INTO {s}.onboarding (id, doc) VALUES (%s, %s)"
        " ON CONFLICT (id) DO UPDATE SET doc = excluded.doc"
    )
    onboarding_get: str = "SELECT doc FROM {s}.onboarding WHERE id = %s"

    bridge_config_upsert: str = (
        "INSERT INTO {s}.bridge_configs (id, enabled, doc) VALUES (%s, %s, %s)"
        " ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, doc = excluded.doc"
    )
    bridge_config_get: str = "SELECT doc FROM {s}.bridge_configs WHERE id = %s"
    bridge_config_list: str = "SELECT doc FROM {s}.bridge_configs ORDER BY id"
    bridge_config_list_enabled: str = (
        "SELECT doc FROM {s}.bridge_configs WHERE enabled = %s ORDER BY id"
    )
    bridge_config_delete: str = "DELETE FROM {s}.bridge_configs WHERE id = %s RETURNING 1"

    routing_policy_upsert: str = (
        "INSERT INTO {s}.routing_policies (room_id, doc) VALUES (%s, %s)"
        " ON CONFLICT (room_id) DO UPDATE SET doc = excluded.doc"
    )
    routing_policy_get: str = "SELECT doc FROM {s}.routing_policies WHERE room_id = %s"
    routing_policy_delete: str = "DELETE FROM {s}.routing_policies WHERE room_id = %s RETURNING 1"

    ingress_upsert: str = (
        "INSERT INTO {s}.ingress_subscriptions (bridge_id, subscription_id, status, doc)"
        " VALUES (%s, %s, %s, %s) ON CONFLICT (bridge_id, subscription_id)"
        " DO UPDATE SET status = excluded.status, doc = excluded.doc"
    )
    ingress_list: str = (
        "SELECT doc FROM {s}.ingress_subscriptions WHERE bridge_id = %s ORDER BY subscription_id"
    )
    ingress_list_status: str = (
        "SELECT doc FROM {s}.ingress_subscriptions WHERE bridge_id = %s AND status = %s"
        " ORDER BY subscription_id"
    )
    ingress_delete: str = (
        "DELETE FROM {s}.ingress_subscriptions WHERE bridge_id = %s"
        " AND subscription_id = %s RETURNING 1"
    )

    # --- contract 1.3: ingestion and enumeration -------------------------------------
    key_lock: str = "SELECT pg_advisory_xact_lock(%s)"
    """Held until commit: serialises ingests (and thread get-or-creates) of one key."""
    rooms_first: str = _first("rooms", "inserted_at, id")
    rooms_after: str = _after("rooms", ("inserted_at", "id"))
    threads_first: str = _first("threads", "inserted_at, id", in_room=True)
    threads_after: str = _after("threads", ("inserted_at", "id"), in_room=True)
    participants_first: str = _first("participants", "id")
    participants_after: str = _after("participants", ("id",))
    onboardings_first: str = _first("onboarding", "id")
    onboardings_after: str = _after("onboarding", ("id",))

    raw_binding_keys: str = "SELECT channel, bridge_id, external_id, room_id FROM {s}.binding_keys"
    raw_participant_keys: str = (
        "SELECT channel, external_id, participant_id FROM {s}.participant_keys"
    )
    raw_message_keys: str = (
        "SELECT DISTINCT ON (key_channel, key_bridge_id, key_external_id)"
        " key_channel, key_bridge_id, key_external_id, id FROM {s}.messages"
        " WHERE key_external_id IS NOT NULL"
        " ORDER BY key_channel, key_bridge_id, key_external_id, save_seq DESC"
    )
    raw_thread_external_keys: str = (
        "SELECT DISTINCT ON (room_id, external_thread_id) room_id, external_thread_id, id"
        " FROM {s}.threads WHERE external_thread_id IS NOT NULL"
        " ORDER BY room_id, external_thread_id, save_seq DESC"
    )
    raw_thread_root_keys: str = (
        "SELECT DISTINCT ON (room_id, root_message_id) room_id, root_message_id, id"
        " FROM {s}.threads WHERE root_message_id IS NOT NULL"
        " ORDER BY room_id, root_message_id, save_seq DESC"
    )
    raw_row_counts: str = (
        "SELECT (SELECT count(*) FROM {s}.rooms), (SELECT count(*) FROM {s}.participants),"
        " (SELECT count(*) FROM {s}.messages), (SELECT count(*) FROM {s}.threads),"
        " (SELECT count(*) FROM {s}.room_bindings), (SELECT count(*) FROM {s}.onboarding),"
        " (SELECT count(*) FROM {s}.bridge_configs),"
        " (SELECT count(*) FROM {s}.routing_policies),"
        " (SELECT count(*) FROM {s}.ingress_subscriptions)"
    )

    RAW_COUNT_TABLES: ClassVar[tuple[str, ...]] = (
        "rooms",
        "participants",
        "messages",
        "threads",
        "room_bindings",
        "onboarding",
        "bridge_configs",
        "routing_policies",
        "ingress_subscriptions",
    )
    """The names of :attr:`raw_row_counts`' columns, in order (the reference's names)."""

    def __init__(self, schema: str) -> None:
        """Render every template for ``schema``.

        Every statement is executed with parameters (an empty tuple when it has none),
        so the schema's text is :func:`schema_for_parameters`: quoted by
        ``sql.Identifier``, with ``%`` doubled.
        """
        self.schema = schema_for_parameters(schema)
        sequence_name = sql.Identifier(schema, "save_seq").as_string()
        self.sequence = ParameterSafe(sql.Literal(sequence_name)).as_string()
        for name, template in vars(Statements).items():
            if isinstance(template, str) and not name.startswith("_") and name != "schema":
                setattr(self, name, self.render(template))

    def render(self, template: str) -> str:
        """``template`` with ``{s}`` the quoted schema and ``{seq}`` its save sequence.

        One pass: text put in by a substitution (a schema named ``{seq}``) is not
        read again.
        """
        values = {"{s}": self.schema, "{seq}": self.sequence}
        return _PLACEHOLDER.sub(lambda match: values[match.group()], template)
