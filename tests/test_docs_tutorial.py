"""docs/adapter-tutorial.md documents the test hooks exactly as the code defines them.

The ``RawIndex`` entries and the ``row_counts`` table names the kit compares are read
from the code (the ``TypedDict`` and the reference adapter), so a renamed entry or a
new table fails here until the tutorial says so.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from jido_persistence import PersistenceAdapter, RawIndex
from jido_persistence.memory import MemoryAdapter

PAGE = Path(__file__).resolve().parents[1] / "docs" / "adapter-tutorial.md"


def test_every_raw_index_entry_and_table_name_is_documented() -> None:
    text = PAGE.read_text(encoding="utf-8")
    with MemoryAdapter() as store:
        tables = list(store.raw_index()["row_counts"])
    missing = [name for name in [*RawIndex.__annotations__, *tables] if f"`{name}`" not in text]
    assert not missing, f"docs/adapter-tutorial.md does not name: {missing}"


def test_the_hook_signatures_are_the_documented_ones() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for hook in ("fresh_store_url", "destroy_store"):
        parameters = list(inspect.signature(getattr(PersistenceAdapter, hook)).parameters)
        assert f"{hook}(cls, {', '.join(parameters)}" in text.replace(": Path", "").replace(
            ": str", ""
        ), hook
