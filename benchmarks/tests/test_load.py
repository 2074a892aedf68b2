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


@pytest.mark.parametrize(("query", "threads"), [("", 1), ("?durability=flush", 3)])
def test_a_tinydb_store_built_in_bulk_or_by_threads_matches_the_reference(
    tmp_path: Path, reference: dict[str, object], query: str, threads: int
) -> None:
    url = f"tinydb:///{(tmp_path / 's.json').as_posix()}"
    reported: list[tuple[int, int]] = []
    with open_store(url + query) as store:
        load_store(store, DATA, lambda done, total: reported.append((done, total)), threads=threads)
    with open_store(url) as store:
        assert _index(store) == reference
        assert [m.id for m in store.get_messages(room_id(4))] == DATA.room_messages(4)
    total = DATA.rooms + DATA.participants + DATA.threads + DATA.size
    assert reported[-1] == (total, total)
    assert all(done <= total for done, _ in reported)


def test_a_threaded_build_of_the_memory_adapter_matches_the_reference(
    reference: dict[str, object],
) -> None:
    with open_store("memory://") as store:
        assert load_store(store, DATA, lambda done, total: None, threads=4) is False
        assert _index(store) == reference
