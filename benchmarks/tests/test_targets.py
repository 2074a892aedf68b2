"""Choosing what to measure: names, URLs, and every adapter that can run here."""

from __future__ import annotations

from pathlib import Path

import pytest

from jido_persistence import ConfigurationError, Room, open_store
from jido_persistence_bench.targets import (
    POSTGRES_URL_ENV,
    default_targets,
    resolve_targets,
    store_url,
    with_query,
)


def test_by_default_every_adapter_that_can_run_here_is_measured_floor_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(POSTGRES_URL_ENV, raising=False)
    targets, skipped = default_targets()
    names = [target.adapter for target in targets]
    assert names[0] == "memory"
    assert {"memory", "tinydb", "duckdb"} <= set(names)
    assert "postgres" not in names
    assert POSTGRES_URL_ENV in skipped["postgres"]
    raw = {target.adapter: target.raw for target in targets}
    assert raw["memory"] == ("dict",)
    assert raw["tinydb"] == ("tinydb-json", "tinydb-snapshot")


def test_postgres_is_measured_in_a_fresh_schema_when_the_server_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(POSTGRES_URL_ENV, "postgresql://user:secret@db.example/test")
    [_, postgres] = resolve_targets(["postgres"])
    assert postgres.raw == ("psycopg",)
    assert postgres.raw_options == {"conninfo": "postgresql://user:secret@db.example/test"}
    url = store_url(postgres, tmp_path, "jido_bench_abc")
    assert url == "postgresql://user:secret@db.example/test?schema=jido_bench_abc"
    assert with_query(url, {"a": "b c"}) == url + "&a=b%20c"
    public = str(postgres.public_json())
    assert "secret" not in public
    assert "user:***@db.example" in public


def test_a_named_target_adds_the_memory_floor_and_a_url_keeps_its_placeholders(
    tmp_path: Path,
) -> None:
    [floor, tinydb] = resolve_targets(["tinydb:////{tmp}/s.json"])
    assert floor.adapter == "memory"
    assert tinydb.adapter == "tinydb"
    assert tinydb.label == "tinydb:////{tmp}/s.json"
    url = store_url(tinydb, tmp_path, "u")
    assert url == "tinydb:///" + (tmp_path / "s.json").as_posix()
    with open_store(url) as store:
        store.save_room(Room(id="r", type="group"))
    assert (tmp_path / "s.json").exists()
    with open_store(store_url(floor, tmp_path, "u")) as store:
        assert store.list_rooms() == []


def test_an_unknown_name_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="nope"):
        resolve_targets(["nope"])
