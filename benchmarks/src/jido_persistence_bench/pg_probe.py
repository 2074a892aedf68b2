"""What a PostgreSQL store looks like to the server: autovacuum state and query plans.

A jump in one size's figures (``bridge_event`` at 10,000 messages, say) is either the
machine (every statement slower, the raw baseline too) or the server choosing another
plan.  :func:`probe` reads, for a store's schema, each table's ``pg_stat_user_tables``
row (live and dead rows, rows changed since the last analyze, when autovacuum and
autoanalyze last ran) and the plan *shape* of the statements behind the measured
callbacks (:data:`PROBES`), both as a custom plan for sample parameters and as the
generic plan a prepared statement switches to after five executions.  The runner
probes each PostgreSQL store once built (and analysed) and again after the
measurement; the report lists every statement whose shape differs between sizes or
within a run (:func:`~.plans.plan_changes`).

The probe statements restate the adapter's (``jido_persistence_postgres``'s
``_statements`` module, not importable from here): the same tables, predicates and
orderings, so they are served by the same indexes.
"""

from __future__ import annotations

import contextlib
from typing import Any, Final

import psycopg
from psycopg import sql

from jido_persistence_bench.dataset import (
    BRIDGE_ID,
    CHANNEL,
    Dataset,
    message_external_id,
    message_id,
    participant_external_id,
    room_external_id,
    room_id,
)
from jido_persistence_bench.plans import plan_shape

__all__ = ["PROBES", "analyse", "probe"]

PROBES: Final[dict[str, str]] = {
    "get_message": "SELECT doc FROM {s}.messages WHERE id = $1",
    "get_message_by_external_id": (
        "SELECT doc FROM {s}.messages WHERE key_channel = $2 AND key_bridge_id = $3"
        " AND key_external_id = $4 ORDER BY save_seq DESC LIMIT 1"
    ),
    "get_messages_latest": (
        "SELECT json_agg(doc ORDER BY sort_at, id) FROM (SELECT doc, sort_at, id"
        " FROM {s}.messages WHERE room_id = $5 ORDER BY sort_at DESC, id DESC"
        " LIMIT $8::bigint) AS page"
    ),
    "update_message_external_id (lock)": ("SELECT doc FROM {s}.messages WHERE id = $1 FOR UPDATE"),
    "room by binding key": (
        "SELECT r.doc FROM {s}.binding_keys AS k JOIN {s}.rooms AS r ON r.id = k.room_id"
        " WHERE k.channel = $2 AND k.bridge_id = $3 AND k.external_id = $6"
    ),
    "participant by key": (
        "SELECT p.doc FROM {s}.participant_keys AS k"
        " JOIN {s}.participants AS p ON p.id = k.participant_id"
        " WHERE k.channel = $2 AND k.external_id = $7"
    ),
    "list_threads": (
        "SELECT json_agg(doc ORDER BY inserted_at, id) FROM (SELECT doc, inserted_at, id"
        " FROM {s}.threads WHERE room_id = $5 ORDER BY inserted_at, id LIMIT $8::bigint)"
        " AS page"
    ),
    "thread by root message": (
        "SELECT doc FROM {s}.threads WHERE room_id = $5 AND root_message_id = $1"
        " ORDER BY save_seq DESC LIMIT 1"
    ),
    "delete_room (messages)": "SELECT count(*) FROM {s}.messages WHERE room_id = $5",
}
"""The probe statements by the callback (or step of one) they stand for.  Every one
takes the same eight parameters (:func:`_parameters`), using those it needs; the page
size is a parameter, as in the adapter, so that the generic plan does not know it."""

_TYPES: Final = "(text, text, text, text, text, text, text, bigint)"

_TABLE_STATE: Final = (
    "SELECT relname, n_live_tup, n_dead_tup, n_mod_since_analyze, n_ins_since_vacuum,"
    " last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL,"
    " autovacuum_count, autoanalyze_count, analyze_count, vacuum_count"
    " FROM pg_catalog.pg_stat_user_tables WHERE schemaname = %s ORDER BY relname"
)


def _parameters(data: Dataset) -> tuple[str, ...]:
    middle = data.size // 2
    return (
        message_id(middle),
        CHANNEL,
        BRIDGE_ID,
        message_external_id(middle),
        room_id(data.room_of(middle)),
        room_external_id(data.room_of(middle)),
        participant_external_id(0),
        "10",
    )


def _explain(conn: psycopg.Connection[Any], name: str, parameters: tuple[str, ...]) -> str:
    placeholders = ", ".join(sql.Literal(value).as_string(conn) for value in parameters)
    row = conn.execute(f"EXPLAIN (FORMAT JSON) EXECUTE {name}({placeholders})").fetchone()
    if row is None:
        return "?"
    document = row[0]
    return plan_shape(document[0]["Plan"])


def probe(conninfo: str, schema: str, data: Dataset) -> dict[str, Any]:
    """The state of ``schema``'s tables and the plan shapes of :data:`PROBES`.

    Returns ``{"tables": {table: {column: value}}, "plans": {probe: {"custom": shape,
    "generic": shape}}}``.  Read-only (``EXPLAIN`` without ``ANALYZE``); a statement
    the schema cannot run (a renamed column) is recorded as ``"error: ..."``.
    """
    columns = (
        "live_rows",
        "dead_rows",
        "changed_since_analyze",
        "inserted_since_vacuum",
        "analysed",
        "autovacuums",
        "autoanalyzes",
        "analyzes",
        "vacuums",
    )
    tables: dict[str, dict[str, Any]] = {}
    plans: dict[str, dict[str, str]] = {}
    parameters = _parameters(data)
    quoted = sql.Identifier(schema)
    with psycopg.connect(conninfo, autocommit=True, prepare_threshold=None) as conn:
        for row in conn.execute(_TABLE_STATE, (schema,)).fetchall():
            tables[str(row[0])] = dict(zip(columns, row[1:], strict=True))
        for index, (label, template) in enumerate(PROBES.items()):
            name = f"jido_bench_probe_{index}"
            text = template.replace("{s}", quoted.as_string(conn))
            try:
                conn.execute(f"PREPARE {name} {_TYPES} AS {text}")
                shapes = {}
                for mode in ("custom", "generic"):
                    conn.execute(f"SET plan_cache_mode TO force_{mode}_plan")
                    shapes[mode] = _explain(conn, name, parameters)
                plans[label] = shapes
            except psycopg.Error as error:
                plans[label] = {"custom": f"error: {error}", "generic": f"error: {error}"}
            finally:
                conn.execute("RESET plan_cache_mode")
                conn.execute("DEALLOCATE ALL")
    return {"tables": tables, "plans": plans}


def analyse(conninfo: str, schema: str) -> None:
    """``VACUUM ANALYZE`` every table of ``schema``, then ask for a checkpoint.

    A freshly built store otherwise has no planner statistics and an autovacuum (and
    the checkpoint of the build's WAL) due within the next minute, that is during the
    measurement.  ``CHECKPOINT`` needs a privilege the user may lack: then it is skipped.
    """
    with psycopg.connect(conninfo, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = %s", (schema,)
        ).fetchall()
        for (table,) in tables:
            conn.execute(
                sql.SQL("VACUUM ANALYZE {}.{}").format(
                    sql.Identifier(schema), sql.Identifier(table)
                )
            )
        with contextlib.suppress(psycopg.Error):
            conn.execute("CHECKPOINT")
