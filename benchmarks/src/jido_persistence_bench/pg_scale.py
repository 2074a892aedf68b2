"""PostgreSQL at scale: a store of up to millions of messages built with ``COPY``,
its callbacks timed, and its bytes per message measured.

:func:`run_scale` builds the store with :func:`~.pg_copy.copy_build` (never timed),
reopens it with the adapter's defaults, loads the raw psycopg baseline, times every
workload of the main suite as :func:`~.runner.measure_store` does, and reads the size
of every table with its indexes and TOAST (``pg_total_relation_size``,
``pg_indexes_size``), with the plans and autovacuum state of :func:`~.pg_probe.probe`
once built and after the measurement.  The record is a :class:`~.results.RunRecord` with a
``storage`` entry, so the main report's tables show it.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path
from typing import Any, TypedDict

import psycopg
from psycopg import sql

from jido_persistence import open_store
from jido_persistence.registry import get_adapter
from jido_persistence_bench.dataset import Dataset
from jido_persistence_bench.pg_copy import copy_build
from jido_persistence_bench.pg_probe import probe
from jido_persistence_bench.raw import RawBaseline
from jido_persistence_bench.results import RunRecord
from jido_persistence_bench.runner import (
    Job,
    Progress,
    empty_record,
    measure_store,
    open_baselines,
    peak_rss_bytes,
)
from jido_persistence_bench.targets import store_url

__all__ = ["TableSize", "run_scale", "table_sizes"]


class TableSize(TypedDict):
    """The bytes of one table of the store.

    Keys:
        rows: live rows (``count(*)``).
        total_bytes: ``pg_total_relation_size``: heap, TOAST and every index.
        heap_bytes: ``pg_relation_size``: the table's main fork alone.
        index_bytes: ``pg_indexes_size``: every index of the table.
        indexes: each index's ``pg_relation_size``.
    """

    rows: int
    total_bytes: int
    heap_bytes: int
    index_bytes: int
    indexes: dict[str, int]


def table_sizes(conninfo: str, schema: str) -> dict[str, TableSize]:
    """Every table of ``schema`` with its bytes.  O(tables) catalog reads, plus a count."""
    found: dict[str, TableSize] = {}
    with psycopg.connect(conninfo, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = %s ORDER BY 1",
            (schema,),
        ).fetchall()
        for (table,) in tables:
            name = sql.Identifier(schema, table).as_string(conn)
            total, heap, index = conn.execute(
                "SELECT pg_total_relation_size(%s::regclass), pg_relation_size(%s::regclass),"
                " pg_indexes_size(%s::regclass)",
                (name, name, name),
            ).fetchone() or (0, 0, 0)
            rows = conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
            ).fetchone()
            indexes = conn.execute(
                "SELECT indexname, pg_relation_size(format('%%I.%%I', schemaname, indexname))"
                " FROM pg_catalog.pg_indexes WHERE schemaname = %s AND tablename = %s"
                " ORDER BY 1",
                (schema, table),
            ).fetchall()
            found[str(table)] = TableSize(
                rows=int(rows[0]) if rows else 0,
                total_bytes=int(total),
                heap_bytes=int(heap),
                index_bytes=int(index),
                indexes={str(name): int(size) for name, size in indexes},
            )
    return found


def run_scale(job: Job, progress: Progress) -> RunRecord:
    """Build ``job.target`` (a PostgreSQL target) at ``job.size`` with ``COPY``, time
    every workload, and measure its bytes; the schema is dropped afterwards.

    Failures propagate (this is a long single run: a traceback says more than a record).
    """
    record = empty_record(job)
    data = Dataset(job.size)
    conninfo = job.target.raw_options["conninfo"]
    schema = "jido_bench_" + secrets.token_hex(6)
    with tempfile.TemporaryDirectory(prefix="jido-bench-") as temporary:
        directory = Path(temporary)
        url = store_url(job.target, directory, schema)
        baselines: dict[str, RawBaseline] = {}
        try:
            started = time.perf_counter()
            copy_build(url, conninfo, schema, data, progress)
            record["build_seconds"] = time.perf_counter() - started
            record["bulk_load"] = True
            progress("measuring table and index sizes")
            record["storage"] = dict(table_sizes(conninfo, schema))
            record["server"] = {"after_build": probe(conninfo, schema, data)}
            store = open_store(url)
            try:
                record["peak_rss_bytes"] = peak_rss_bytes()
                baselines = open_baselines(job, data, directory, record, progress)
                measure_store(store, data, baselines, job, record, progress)
            finally:
                store.close()
            record["server"]["after_measure"] = probe(conninfo, schema, data)
        finally:
            for baseline in baselines.values():
                baseline.close()
            get_adapter(job.target.adapter).load().destroy_store(url)
    return record


def per_message(storage: dict[str, Any], messages: int) -> dict[str, float]:
    """Bytes per message: of the messages table (heap, indexes, total) and of the store."""
    table = storage["messages"]
    return {
        "messages_total": table["total_bytes"] / messages,
        "messages_heap": table["heap_bytes"] / messages,
        "messages_indexes": table["index_bytes"] / messages,
        "store_total": sum(item["total_bytes"] for item in storage.values()) / messages,
    }
