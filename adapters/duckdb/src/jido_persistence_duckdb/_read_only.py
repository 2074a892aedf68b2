"""What :func:`jido_persistence_duckdb.analytics.query` lets a query read: the views only.

A ``SELECT`` on the store's connection could otherwise read every table (the
``jp_bridge_configs`` table holds the bridge credentials that the ``bridge_configs``
view leaves out), any file (``read_csv('/etc/passwd')``, ``FROM 'file.csv'``), the
environment (``getenv``) or the settings.  DuckDB's ``enable_external_access`` cannot
be turned off for one connection without turning it off for the store (its Parquet
export writes files), so the query's syntax tree (``json_serialize_sql``) is checked
instead, as an allow-list: every table it names must be a documented view or a CTE
of the query that does not shadow a stored table, and it may call no table function
and none of the scalar functions that reach outside the views.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Final

import duckdb

from jido_persistence.errors import InvalidArgument
from jido_persistence_duckdb._schema import VIEWS

__all__ = ["check_reads_views_only"]

_ALLOWED_SCHEMAS: Final = frozenset({"", "main"})
_FORBIDDEN_FUNCTIONS: Final = frozenset(
    {
        "getenv",
        "current_setting",
        "nextval",
        "setval",
        "currval",
        "which_secret",
        "read_blob",
        "read_text",
        "query",
        "query_table",
    }
)
_VIEWS: Final = frozenset(VIEWS)


def _nodes(tree: object) -> Iterator[dict[str, Any]]:
    pending = [tree]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            yield item
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _stored_names(cursor: duckdb.DuckDBPyConnection) -> set[str]:
    rows = cursor.execute(
        "SELECT lower(table_name) FROM duckdb_tables()"
        " UNION SELECT lower(view_name) FROM duckdb_views() WHERE NOT internal"
    ).fetchall()
    return {str(name) for (name,) in rows} - _VIEWS


def check_reads_views_only(cursor: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise InvalidArgument unless ``sql`` is one SELECT that reads the views only.

    O(size of the query's syntax tree), plus one catalog read when it defines CTEs.
    """
    serialized = cursor.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    tree = json.loads(str(serialized[0])) if serialized else {"error": True}
    if tree.get("error"):
        raise InvalidArgument(f"cannot check the query: {tree.get('error_message', 'unknown')}")
    nodes = list(_nodes(tree.get("statements", [])))
    ctes = {
        str(entry["key"]).lower()
        for node in nodes
        for entry in (node.get("cte_map") or {}).get("map", [])
        if isinstance(entry, dict) and "key" in entry
    }
    shadowing = sorted(ctes & _stored_names(cursor)) if ctes else []
    if shadowing:
        raise InvalidArgument(f"a CTE may not take the name of a stored table: {shadowing}")
    readable = _VIEWS | ctes
    for node in nodes:
        kind = node.get("type")
        if kind == "BASE_TABLE":
            name = str(node.get("table_name", "")).lower()
            schema = str(node.get("schema_name", "")).lower()
            if node.get("catalog_name") or schema not in _ALLOWED_SCHEMAS or name not in readable:
                path = ".".join(node.get("qualified_name", {}).get("path", [name]))
                raise InvalidArgument(
                    f"the query reads {path!r}: only the documented views can be read"
                    f" ({', '.join(VIEWS)})"
                )
        elif kind == "TABLE_FUNCTION":
            function = (node.get("function") or {}).get("function_name", "?")
            raise InvalidArgument(f"table functions such as {function}() are not allowed here")
        elif node.get("class") == "FUNCTION":
            name = str(node.get("function_name", "")).lower()
            if name in _FORBIDDEN_FUNCTIONS:
                raise InvalidArgument(f"{name}() reaches outside the views: not allowed here")
