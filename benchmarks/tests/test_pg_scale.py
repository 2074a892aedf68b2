"""PostgreSQL at scale: the COPY builder gives the store the callbacks would, the probe
reads plans and autovacuum state, and the table sizes add up (no timing asserted)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from jido_persistence import open_store
from jido_persistence_bench.dataset import Dataset, room_id
from jido_persistence_bench.load import load_store
from jido_persistence_bench.pg_copy import UnknownColumn, copy_build, table_columns
from jido_persistence_bench.pg_probe import PROBES, probe
from jido_persistence_bench.pg_scale import per_message, table_sizes
from jido_persistence_bench.targets import POSTGRES_URL_ENV

DATA = Dataset(300)


@pytest.fixture(scope="module")
def server() -> str:
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_URL_ENV} must be set under CI=true")
        pytest.skip(f"set {POSTGRES_URL_ENV}=postgresql://... to check the COPY builder")
    return url


@pytest.fixture
def schema(server: str) -> Iterator[str]:
    name = "jido_bench_test_" + secrets.token_hex(4)
    yield name
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def _url(server: str, schema: str) -> str:
    return f"{server}?schema={schema}"


def test_the_copy_build_matches_a_store_built_through_callbacks(
    server: str, schema: str, tmp_path: Path
) -> None:
    with open_store("memory://") as reference:
        load_store(reference, DATA, lambda done, total: None, path="callbacks")
        expected = dict(reference.raw_index())  # type: ignore[attr-defined]
        expected_page = [m.model_dump() for m in reference.get_messages(room_id(7))]
        expected_thread = reference.get_thread_by_root_message(room_id(3), "msg-00000003")
    steps: list[str] = []
    counts = copy_build(_url(server, schema), server, schema, DATA, steps.append)
    assert (counts.participants, counts.threads, counts.messages) == (
        DATA.participants,
        DATA.threads,
        DATA.size,
    )
    with open_store(_url(server, schema)) as store:
        assert dict(store.raw_index()) == expected  # type: ignore[attr-defined]
        assert [m.model_dump() for m in store.get_messages(room_id(7))] == expected_page
        assert store.get_thread_by_root_message(room_id(3), "msg-00000003") == expected_thread
        # The save sequence continues past the copied rows: a re-save wins the key.
        moved = store.get_message("msg-00000010").model_copy(update={"external_id": "E11"})
        store.save_message(moved)
        assert store.get_message_by_external_id("slack", "bridge-1", "E11").id == moved.id
    assert any("COPY" in step for step in steps)


def test_the_probe_reads_plans_and_table_state_and_sizes_add_up(server: str, schema: str) -> None:
    copy_build(_url(server, schema), server, schema, DATA, lambda text: None)
    found = probe(server, schema, DATA)
    assert set(found["plans"]) == set(PROBES)
    for shapes in found["plans"].values():
        assert set(shapes) == {"custom", "generic"}
        assert not any(shape.startswith("error") for shape in shapes.values()), shapes
    assert found["tables"]["messages"]["live_rows"] == DATA.size
    assert found["tables"]["messages"]["analysed"] is True
    sizes = table_sizes(server, schema)
    messages = sizes["messages"]
    assert messages["rows"] == DATA.size
    assert messages["heap_bytes"] + messages["index_bytes"] <= messages["total_bytes"]
    assert sum(messages["indexes"].values()) == messages["index_bytes"]
    figures = per_message(dict(sizes), DATA.size)
    assert 0 < figures["messages_indexes"] < figures["messages_total"] <= figures["store_total"]


def test_a_table_with_a_column_the_builder_does_not_know_is_refused(
    server: str, schema: str
) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"CREATE TABLE {schema}.messages (id text, surprise text)")
        with pytest.raises(UnknownColumn, match="surprise"):
            table_columns(conn, schema, "messages")
