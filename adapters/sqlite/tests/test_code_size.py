"""Issue 18's acceptance: the adapter's code, outside its schema and SQL text, is under
600 lines, because the shared rules (callbacks, export and import) come from core."""

from __future__ import annotations

from pathlib import Path

import jido_persistence_sqlite

SQL_TEXT = {"_schema.py", "_statements.py", "statements.py"}


def test_the_adapter_outside_its_schema_and_sql_is_under_600_lines() -> None:
    package = Path(jido_persistence_sqlite.__file__).parent
    sizes = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in package.glob("*.py")
        if path.name not in SQL_TEXT
    }
    assert {"adapter.py", "_database.py"} <= set(sizes)
    assert sum(sizes.values()) < 600, sizes
