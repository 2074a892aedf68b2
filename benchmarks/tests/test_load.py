"""Every build path gives the store the callbacks would: same keys, same counts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jido_persistence import PersistenceAdapter, open_store
from jido_persistence.registry import get_adapter
from jido_persistence_bench.dataset import Dataset, room_id
from jido_persistence_bench.interchange import dataset_records
from jido_persistence_bench.load import BuildPath, build_path_of, load_store, record_count

DATA = Dataset(300)

POSTGRES_URL = os.environ.get("JIDO_PERSISTENCE_TEST_POSTGRES_URL")


def _index(store: PersistenceAdapter) -> dict[str, object]:
    return dict(store.raw_index())  # type: ignore[attr-defined]


def _view(store: PersistenceAdapter) -> dict[str, object]:
    """What the workloads read, through the callbacks: a room's page, its threads, a key."""
    return {
        "page": [m.id for m in store.get_messages(room_id(4))],
        "threads": [t.id for t in store.list_threads(room_id(4))],
        "by_key": store.get_message_by_external_id("slack", "bridge-1", "E123").id,
        "participant": store.get_participant("user-0000007"),
        "room": store.get_room_by_external_binding("slack", "bridge-1", "C00004").id,
    }


@pytest.fixture(scope="module")
def reference() -> tuple[dict[str, object], dict[str, object]]:
    with open_store("memory://") as store:
        assert load_store(store, DATA, lambda done, total: None, path="callbacks") == "callbacks"
        return _index(store), _view(store)


def test_the_dataset_records_are_counted_exactly() -> None:
    for size in (100, 300, 2_000):
        data = Dataset(size)
        assert record_count(data) == sum(1 for _ in dataset_records(data))


@pytest.mark.parametrize(
    ("url_template", "path", "threads"),
    [
        ("tinydb:///{dir}/s.json", "bulk_messages", 1),
        ("tinydb:///{dir}/s.json?durability=flush", "bulk_messages", 3),
        ("duckdb:///{dir}/s.duckdb", "bulk_messages", 1),
        ("sqlite:///{dir}/s.sqlite3?synchronous=normal", "callbacks", 2),
        ("memory://", "import", 1),
        ("tinydb:///{dir}/s.json?durability=flush", "import", 1),
        ("duckdb:///{dir}/s.duckdb", "import", 1),
        ("sqlite:///{dir}/s.sqlite3?synchronous=normal", "import", 1),
    ],
)
def test_every_build_path_gives_the_reference_store(
    tmp_path: Path,
    reference: tuple[dict[str, object], dict[str, object]],
    url_template: str,
    path: BuildPath,
    threads: int,
) -> None:
    """The bulk message loaders (TinyDB, DuckDB) and import_records (every bundled
    adapter) build the store the callbacks would; progress counts only the records the
    path stores itself (messages that arrive in bulk at the end are not counted, so the
    runner's build-time projection is not skewed)."""
    url = url_template.format(dir=tmp_path.as_posix())
    reported: list[tuple[int, int]] = []
    with open_store(url) as store:
        built = load_store(
            store,
            DATA,
            lambda done, total: reported.append((done, total)),
            threads=threads,
            path=path,
        )
        assert built == path
        if url == "memory://":
            assert (_index(store), _view(store)) == reference
    if url != "memory://":
        with open_store(url.partition("?")[0]) as store:
            assert (_index(store), _view(store)) == reference
    expected = {
        "import": record_count(DATA),
        "bulk_messages": DATA.rooms + DATA.participants + DATA.threads,
        "callbacks": DATA.rooms + DATA.participants + DATA.threads + DATA.size,
    }[path]
    assert reported[-1] == (expected, expected)
    if path == "import":
        assert len(reported) > 10  # about a hundred reports, for the build-time projection
    assert all(done <= total == expected for done, total in reported)


@pytest.mark.skipif(POSTGRES_URL is None, reason="JIDO_PERSISTENCE_TEST_POSTGRES_URL is not set")
def test_an_imported_postgres_store_matches_the_reference(
    tmp_path: Path, reference: tuple[dict[str, object], dict[str, object]]
) -> None:
    assert POSTGRES_URL is not None
    url = get_adapter("postgres").load().fresh_store_url(tmp_path, "jido_bench_load_test")
    assert url is not None
    try:
        with open_store(url) as store:
            assert load_store(store, DATA, lambda done, total: None) == "import"
            assert (_index(store), _view(store)) == reference
    finally:
        get_adapter("postgres").load().destroy_store(url)


def test_every_bundled_adapter_imports_by_default(tmp_path: Path) -> None:
    for url in ("memory://", f"tinydb:///{tmp_path}/t.json", f"sqlite:///{tmp_path}/s.sqlite3"):
        with open_store(url) as store:
            assert build_path_of(store) == "import"


def test_a_threaded_build_of_the_memory_adapter_matches_the_reference(
    reference: tuple[dict[str, object], dict[str, object]],
) -> None:
    with open_store("memory://") as store:
        assert (
            load_store(store, DATA, lambda d, t: None, threads=4, path="callbacks") == "callbacks"
        )
        assert (_index(store), _view(store)) == reference


def test_a_progress_callback_that_raises_abandons_an_import_and_leaves_the_store_empty(
    tmp_path: Path,
) -> None:
    class Stop(Exception):
        pass

    def stop(done: int, total: int) -> None:
        if done > total // 10:
            raise Stop

    with open_store(f"sqlite:///{tmp_path}/s.sqlite3") as store:
        with pytest.raises(Stop):
            load_store(store, DATA, stop)
        assert _index(store)["row_counts"] == _empty_counts(store)


def _empty_counts(store: PersistenceAdapter) -> dict[str, int]:
    return dict.fromkeys(_index(store)["row_counts"], 0)  # type: ignore[attr-defined]
