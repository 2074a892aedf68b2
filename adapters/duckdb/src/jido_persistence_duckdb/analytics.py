"""Analytics over a DuckDB store: the reason to pick DuckDB (beyond the contract).

Everything here reads the documented views, which the store keeps current (they are
views, not copies), so analytics see every committed write, while the store is being
written:

============================  ===========================================================
view                          columns
============================  ===========================================================
``rooms``                     id, type, name, external_bindings (JSON), metadata (JSON),
                              inserted_at (TIMESTAMPTZ)
``participants``              id, type, name (``identity ->> 'name'``), identity,
                              external_ids, capabilities, metadata (JSON), presence
``messages``                  every ``Message`` field; content, reactions, receipts,
                              metadata as JSON; inserted_at/updated_at TIMESTAMPTZ (NULL
                              for imported history without timestamps)
``threads``                   every ``Thread`` field
``room_bindings``             every ``RoomBinding`` field
``room_binding_keys``         channel, bridge_id, external_id, room_id (where a key points)
``participant_keys``          channel, external_id, participant_id
``bridge_configs``            every ``BridgeConfig`` field except ``credentials``
``routing_policies``          every ``RoutingPolicy`` field
``ingress_subscriptions``     every ``IngressSubscription`` field
``onboarding``                onboarding_id, flow (JSON)
============================  ===========================================================

JSON columns hold the exact JSON text the store wrote; use DuckDB's JSON functions
(``metadata ->> 'channel'``, ``json_extract``).  Days are UTC days.  Query results use
the session time zone UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, NamedTuple

import duckdb

from jido_persistence.errors import InvalidArgument
from jido_persistence_duckdb._read_only import check_reads_views_only
from jido_persistence_duckdb._rows import to_epoch_us
from jido_persistence_duckdb._schema import VIEWS
from jido_persistence_duckdb.adapter import DuckDBAdapter

__all__ = [
    "VIEWS",
    "QueryResult",
    "RoomDayCount",
    "SenderCount",
    "busiest_senders",
    "export_parquet",
    "message_counts_per_room_and_day",
    "query",
]

_DAY_US: Final = 86_400_000_000
_SIDE_EFFECT_FUNCTIONS: Final = re.compile(r"\b(nextval|setval)\s*\(", re.IGNORECASE)


class RoomDayCount(NamedTuple):
    """How many messages a room received on one UTC day."""

    room_id: str
    day: date
    messages: int


class SenderCount(NamedTuple):
    """How many messages one sender sent."""

    sender_id: str
    messages: int


class QueryResult(NamedTuple):
    """The result of :func:`query`: column names and rows."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


@contextmanager
def _reading(store: DuckDBAdapter) -> Iterator[duckdb.DuckDBPyConnection]:
    """This thread's cursor inside one read transaction that is always rolled back."""
    with store.reading() as cursor:
        cursor.execute("BEGIN TRANSACTION")
        try:
            yield cursor
        finally:
            cursor.execute("ROLLBACK")


def export_parquet(store: DuckDBAdapter, directory: str | Path) -> dict[str, Path]:
    """Write every view (every stored record kind) to ``<directory>/<view>.parquet``.

    The directory is created when missing.  All files come from one snapshot.
    ``bridge_configs`` has no ``credentials`` column.  Returns view name -> file path.
    O(size of the store).
    """
    target = Path(directory).resolve()
    target.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    with _reading(store) as cursor:
        for view in VIEWS:
            path = target / f"{view}.parquet"
            quoted = str(path).replace("'", "''")
            cursor.execute(f"COPY (SELECT * FROM {view}) TO '{quoted}' (FORMAT parquet)")
            written[view] = path
    return written


def message_counts_per_room_and_day(
    store: DuckDBAdapter,
    *,
    room_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[RoomDayCount]:
    """Message counts per room and UTC day, sorted by room id then day.

    ``room_id`` limits to one room; ``since`` (inclusive) and ``until`` (exclusive),
    aware datetimes, limit by ``inserted_at``.  Messages without ``inserted_at`` are not
    counted.  Raises InvalidArgument for naive datetimes.  O(number of messages).
    """
    conditions = ["sort_us > -9223372036854775808"]
    params: list[Any] = []
    if room_id is not None:
        conditions.append("room_id = ?")
        params.append(room_id)
    for bound, operator in ((since, ">="), (until, "<")):
        if bound is None:
            continue
        if bound.tzinfo is None or bound.utcoffset() is None:
            raise InvalidArgument("since and until must be timezone-aware datetimes")
        conditions.append(f"sort_us {operator} ?")
        params.append(to_epoch_us(bound))
    # floor(sort_us / day) in exact integer arithmetic (% truncates towards zero).
    day = f"(sort_us - (((sort_us % {_DAY_US}) + {_DAY_US}) % {_DAY_US})) // {_DAY_US}"
    statement = (
        f"SELECT room_id, CAST(DATE '1970-01-01' + CAST({day} AS INTEGER) AS DATE) AS day, "
        f"count(*) FROM jp_messages WHERE {' AND '.join(conditions)} "
        "GROUP BY ALL ORDER BY room_id, day"
    )
    with _reading(store) as cursor:
        rows = cursor.execute(statement, params).fetchall()
    return [RoomDayCount(str(room), day_value, int(count)) for room, day_value, count in rows]


def busiest_senders(
    store: DuckDBAdapter, limit: int = 10, room_id: str | None = None
) -> list[SenderCount]:
    """The ``limit`` senders with the most messages (in ``room_id`` when given).

    Sorted by count, most first, ties by sender id.  Raises InvalidArgument for a
    negative or non-int limit.  O(number of messages).
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise InvalidArgument(f"limit must be a non-negative int, got {limit!r}")
    where = "" if room_id is None else "WHERE room_id = ?"
    params: list[Any] = [] if room_id is None else [room_id]
    statement = (
        f"SELECT sender_id, count(*) AS n FROM messages {where} "
        "GROUP BY sender_id ORDER BY n DESC, sender_id LIMIT ?"
    )
    with _reading(store) as cursor:
        rows = cursor.execute(statement, [*params, limit]).fetchall()
    return [SenderCount(str(sender), int(count)) for sender, count in rows]


def query(store: DuckDBAdapter, sql: str, params: Sequence[Any] | None = None) -> QueryResult:
    """Run one read-only ``SELECT`` (or ``WITH ... SELECT``) over the documented views.

    It may read the views of this module's table and its own CTEs, nothing else: no
    ``jp_*`` table (``bridge_configs`` has no credentials; the table behind it does),
    no file (``read_csv``, ``FROM 'file.csv'``), no table function, no ``getenv`` or
    ``current_setting`` (see :mod:`jido_persistence_duckdb._read_only`).

    Read-only is enforced twice: DuckDB's parser must see exactly one statement of
    type SELECT (so INSERT, UPDATE, DELETE, CREATE, DROP, COPY, ATTACH, PRAGMA, SET,
    CALL and multi-statement text are refused, as are ``nextval``/``setval`` calls,
    whose sequence changes DuckDB does not roll back), and the statement runs inside a
    transaction that is always rolled back.  Raises InvalidArgument for anything else;
    errors of the query itself are DuckDB's (``duckdb.Error``).
    """
    if not isinstance(sql, str):
        raise InvalidArgument(f"sql must be a str, got {type(sql).__name__}")
    with store.reading() as cursor:
        try:
            statements = cursor.extract_statements(sql)
        except duckdb.Error as error:
            raise InvalidArgument(f"cannot parse the query: {error}") from error
    if len(statements) != 1:
        raise InvalidArgument(f"give exactly one SELECT statement, got {len(statements)}")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise InvalidArgument(
            f"only read-only SELECT queries are allowed, got {statements[0].type.name}"
        )
    if _SIDE_EFFECT_FUNCTIONS.search(sql):
        raise InvalidArgument("nextval() and setval() change sequences: not allowed here")
    with _reading(store) as cursor:
        check_reads_views_only(cursor, sql)
        result = cursor.execute(sql, list(params) if params is not None else None)
        columns = [column[0] for column in result.description or ()]
        rows = result.fetchall()
    return QueryResult(columns, rows)
