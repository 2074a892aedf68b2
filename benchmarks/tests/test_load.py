"""Every build path gives the store the callbacks would: same keys, same counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from jido_persistence import PersistenceAdapter, open_store
from jido_persistence_bench.dataset import Dataset, room_id
from jido_persistence_bench.load import load_store

DATA = Dataset(300)


def _index(store: PersistenceAdapter) -> dict[str, object]:
    return dict(store.raw_index())  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def reference() -> dict[str, object]:
    with open_store("memory://") as store:
        assert load_store(store, DATA, lambda done, total: None) is False
        return _index(store)


@pytest.mark.parametrize(
    ("url_template", "threads"),
    [
        ("tinydb:///{dir}/s.json", 1),
        ("tinydb:///{dir}/s.json?durability=flush", 3),
        ("duckdb:///{dir}/s.duckdb", 1),
        ("sqlite:///{dir}/s.sqlite3?synchronous=normal", 2),
    ],
)
def test_a_store_built_with_a_message_loader_matches_the_reference(
    tmp_path: Path, reference: dict[str, object], url_template: str, threads: int
) -> None:
    """The bulk message loaders (TinyDB, DuckDB, SQLite) build the store the callbacks would, and
    progress counts only the records stored through callbacks (so that the runner's
    build-time projection is not skewed by messages that arrive in bulk at the end)."""
    url = url_template.format(dir=tmp_path.as_posix())
    reported: list[tuple[int, int]] = []
    with open_store(url) as store:
        used_bulk = load_store(
            store, DATA, lambda done, total: reported.append((done, total)), threads=threads
        )
    assert used_bulk is True
    with open_store(url.partition("?")[0]) as store:
        assert _index(store) == reference
        assert [m.id for m in store.get_messages(room_id(4))] == DATA.room_messages(4)
    by_callbacks = DATA.rooms + DATA.participants + DATA.threads
    assert reported[-1] == (by_callbacks, by_callbacks)
    assert all(done <= total == by_callbacks for done, total in reported)


def test_a_threaded_build_of_the_memory_adapter_matches_the_reference(
    reference: dict[str, object],
) -> None:
    with open_store("memory://") as store:
        assert load_store(store, DATA, lambda done, total: None, threads=4) is False
        assert _index(store) == reference
