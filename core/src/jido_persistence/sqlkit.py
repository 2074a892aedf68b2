"""The SQL adapter toolkit: every record callback over a DB-API 2 connection.

A SQL adapter brings its connections, its transactions and its SQL text; this module
brings the rules.  :class:`SqlRecords` implements every hook of the contract except
export and import (the record callbacks of rooms, participants, messages, threads,
bindings, bridge configs, routing policies, onboardings and ingress subscriptions; key
resolution and get-or-create; the directory; the ingest, enumeration and retention
groups; ``raw_index`` and ``bulk_save_messages``), each as one or a few parameterised
statements taken from a :class:`SqlStatements` table, with rows encoded by
:mod:`jido_persistence.sqlkit_rows`; :class:`~jido_persistence.sqlkit_interchange.SqlInterchange`
adds export and import over the adapter's
:class:`~jido_persistence.sqlkit_interchange.SqlInterchangeStatements` (its own hooks are
in that module).  The adapter class lists ``SqlRecords`` first among its bases and
provides:

- ``_sql``: its :class:`SqlStatements` (the SQL text, in its driver's placeholders);
- ``_sql_one(statement, params)`` / ``_sql_all(statement, params)``: the first row
  (``None``) / every row of one read statement;
- ``_sql_read(work)``: ``work(conn)`` outside a write transaction, its result returned;
- ``_sql_write(name, work)``: ``work(conn)`` in one write transaction named ``name``
  (the callback's name, for errors), committed, or rolled back on any exception;
- ``_sql_snapshot(work)`` (optional, default ``_sql_read``): ``work`` in one read
  snapshot, for ``raw_index``;
- optional dialect hooks: ``_sql_name_filter`` (how a name matches the stored fold,
  e.g. through a trigram index) and ``sql_no_limit`` (the ``LIMIT`` parameter meaning
  "all": ``-1`` in SQLite, ``None`` (``NULL``) in PostgreSQL).

``conn`` is whatever the adapter passes to ``work``: an object whose ``execute(statement,
params)`` returns a cursor (``fetchone``, ``fetchall``, ``rowcount``) and that has
``executemany`` (a ``sqlite3`` connection, a psycopg or DuckDB cursor).  Get-or-create
and ingest read first, then run the check-then-write in ``_sql_write``: the adapter's
write transaction must serialise writers from its first statement (SQLite's ``BEGIN
IMMEDIATE``, a PostgreSQL advisory lock or ``SERIALIZABLE`` with retries) for them to
be race-free.  See the SQLite adapter (``jido_persistence_sqlite``) for a complete
adapter, and "The SQL toolkit" in the adapter guide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

__all__ = ["Keyset", "SqlConnection", "SqlCursor", "SqlStatements"]

T = TypeVar("T")

Keyset = tuple[str, str, str]
"""One enumeration's statements: ``(first page, cursor, page after the cursor)``.

The first page takes ``(*scope, limit)``; the cursor statement takes ``(after,
*scope)`` and returns the cursor's sort-key columns (no row: CursorNotFound); the page
after it takes ``(*scope, *sort_key, limit)``.  Each page returns rows of one ``doc``.
"""


class SqlCursor(Protocol):
    """What ``execute`` returns: a DB-API 2 cursor (only these members are used)."""

    @property
    def rowcount(self) -> int:
        """Rows the last write statement changed."""
        ...

    def fetchone(self) -> Any:
        """The next row, or ``None``."""
        ...

    def fetchall(self) -> list[Any]:
        """Every remaining row."""
        ...

    def fetchmany(self, size: int, /) -> list[Any]:
        """Up to ``size`` of the remaining rows (none: the end)."""
        ...


class SqlConnection(Protocol):
    """What ``_sql_read``/``_sql_write`` hand to their work (see the module doc)."""

    def execute(self, statement: str, params: Any = ..., /) -> Any:
        """Run one statement with a sequence of parameters; return a :class:`SqlCursor`."""
        ...

    def executemany(self, statement: str, rows: Any, /) -> Any:
        """Run one statement for each row."""
        ...


Work = Callable[[SqlConnection], T]


@dataclass(frozen=True, slots=True)
class SqlStatements:
    """Every statement :class:`~jido_persistence.sqlkit_records.SqlRecords` runs.

    Placeholders are the driver's own; the parameters come in the order written next
    to each field (the rows are those of :mod:`jido_persistence.sqlkit_rows`).  Reads
    return one ``doc`` column unless said otherwise.  Sort keys: messages
    ``(sort_us, id)``, rooms, threads and bindings ``(inserted_us, id)``, the others
    ``id``; every text key compares by code point (``COLLATE BINARY``, ``"C"``).
    """

    # rooms: upsert (room_row); get (id); delete_room's statements, each taking (room_id,)
    room_upsert: str
    room_get: str
    room_delete_cascade: Sequence[str]
    # participants: upsert (participant_row); get (id); delete (id)
    participant_upsert: str
    participant_get: str
    participant_delete: str
    # messages: upsert (message_row; the saved row becomes its key's newest holder);
    # get (id); by_key (channel, bridge_id, external_id) -> the newest holder's doc;
    # cursor (id) -> (room_id, thread_id, sort_us); delete (id)
    message_upsert: str
    message_get: str
    message_by_key: str
    message_cursor: str
    message_delete: str
    # get_messages pages, keyed by whether a thread_id is given; scope is (room_id[,
    # thread_id]).  latest: (*scope, limit), newest first; before: (*scope, sort_us, id,
    # limit), newest first; after: (*scope, sort_us, id, limit), oldest first.
    messages_latest: Mapping[bool, str]
    messages_before: Mapping[bool, str]
    messages_after: Mapping[bool, str]
    # threads: upsert (thread_row); get (id); by_external_id (room_id, external_thread_id)
    # and by_root_message (room_id, root_message_id) -> the newest holder's doc
    thread_upsert: str
    thread_get: str
    thread_by_external_id: str
    thread_by_root_message: str
    # binding keys: key_room (channel, bridge_id, external_id) -> (room_id, the room's
    # doc or NULL); key_delete_if (*key, room_id); key_put (*key, room_id), replacing
    binding_key_room: str
    binding_key_delete_if: str
    binding_key_put: str
    # room bindings: upsert (binding_row); for_room_key (room_id, *key) -> doc;
    # id_exists (id) -> a row or none; delete (id) -> (channel, bridge_id,
    # external_room_id, room_id) of the deleted row (RETURNING); list (room_id), sorted
    binding_upsert: str
    binding_for_room_key: str
    binding_id_exists: str
    binding_delete: str
    binding_list: str
    # participant keys: key_participant (channel, external_id) -> (participant_id, the
    # participant's doc or NULL); key_delete_if (*key, participant_id); key_put (*key,
    # participant_id), replacing
    participant_key_participant: str
    participant_key_delete_if: str
    participant_key_put: str
    # directory: select[target value] + " WHERE " + conditions joined by AND + order;
    # id (id); name (the fold, a literal substring test); participant_key (channel,
    # external_id); room_key (channel, bridge_id, external_id); order ends with the
    # LIMIT placeholder (the limit, or sql_no_limit)
    directory_select: Mapping[str, str]
    directory_id: str
    directory_name: str
    directory_participant_key: str
    directory_room_key: str
    directory_order: str
    # onboarding: upsert (onboarding_row); get (id); delete (id)
    onboarding_upsert: str
    onboarding_get: str
    onboarding_delete: str
    # bridge configs: upsert (bridge_config_row); get (id); list (), by id; list_enabled
    # (enabled,), by id; delete (id)
    bridge_config_upsert: str
    bridge_config_get: str
    bridge_config_list: str
    bridge_config_list_enabled: str
    bridge_config_delete: str
    # routing policies: upsert (routing_policy_row); get (room_id); delete (room_id)
    routing_policy_upsert: str
    routing_policy_get: str
    routing_policy_delete: str
    # ingress: upsert (ingress_row); list (bridge_id) and list_status (bridge_id,
    # status), by subscription_id; delete (bridge_id, subscription_id)
    ingress_upsert: str
    ingress_list: str
    ingress_list_status: str
    ingress_delete: str
    # enumeration pages (see Keyset); threads' scope is (room_id,)
    room_pages: Keyset
    thread_pages: Keyset
    participant_pages: Keyset
    onboarding_pages: Keyset
    # retention: delete_before (room_id, sort_us) and delete_before_in_thread (room_id,
    # thread_id, sort_us) delete messages with sort_us below the cut; messages_sent and
    # messages_delete_sent (sender_id); message_redact (doc, id) also clears the key
    # columns; participant_keys_delete_owned (participant_id)
    delete_before: str
    delete_before_in_thread: str
    messages_sent: str
    messages_delete_sent: str
    message_redact: str
    participant_keys_delete_owned: str
    # raw index (test hook): binding keys -> (channel, bridge_id, external_id, room_id);
    # participant keys -> (channel, external_id, participant_id); message keys ->
    # (channel, bridge_id, external_id, message_id, ...) of each key's newest holder;
    # thread keys -> (room_id, key, thread_id, ...) likewise; row_counts -> one row of
    # counts in the order of raw_count_tables
    raw_binding_keys: str
    raw_participant_keys: str
    raw_message_keys: str
    raw_thread_external_keys: str
    raw_thread_root_keys: str
    raw_row_counts: str
    raw_count_tables: Sequence[str]
