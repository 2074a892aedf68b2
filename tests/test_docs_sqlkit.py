"""docs/writing-an-adapter.md shows the SQLite adapter's callback class verbatim.

The SQL toolkit's example is the bundled adapter's own ``adapter.py``, which the kit runs
on every test run; this keeps the page and the file the same text.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "writing-an-adapter.md"
ADAPTER = ROOT / "adapters" / "sqlite" / "src" / "jido_persistence_sqlite" / "adapter.py"


def test_the_sql_toolkit_section_shows_the_sqlite_adapter_verbatim() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## The SQL toolkit", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)\n```", section, flags=re.DOTALL)
    source = ADAPTER.read_text(encoding="utf-8").rstrip("\n")
    assert source in blocks, "the SQL toolkit section must show sqlite's adapter.py verbatim"


def test_every_hook_of_the_toolkit_is_in_the_guide() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    for hook in ("_sql", "_sql_one", "_sql_all", "_sql_read", "_sql_write", "_sql_snapshot"):
        assert f"`{hook}" in text, hook
    assert "`_sql_name_filter(target, fold)`" in text
    assert "`sql_no_limit`" in text
