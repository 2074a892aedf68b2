"""Every callback of the contract has its own section on a callback page.

The callbacks are read from core's callback table (``jido_persistence.callbacks``), so
a callback added to the table without a ``### `name(...)``` section in
``docs/callbacks/*.md`` fails here, and so does a section for a callback that is gone.
"""

from __future__ import annotations

import re
from pathlib import Path

from jido_persistence.callbacks import CALLBACKS

PAGES = Path(__file__).resolve().parents[1] / "docs" / "callbacks"
HEADING = re.compile(r"^### `([a-z_]+)\(", re.MULTILINE)
LIFECYCLE = {"close"}
"""Sections of methods that are not contract callbacks (the store's own lifecycle)."""


def sections() -> dict[str, list[str]]:
    """Callback name -> the pages with a section for it."""
    found: dict[str, list[str]] = {}
    for page in sorted(PAGES.glob("*.md")):
        for name in HEADING.findall(page.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(page.name)
    return found


def test_every_callback_has_one_section() -> None:
    documented = sections()
    missing = sorted(set(CALLBACKS) - set(documented))
    assert not missing, (
        f"callbacks without a '### `name(...)`' section in docs/callbacks: {missing}"
    )
    twice = {name: pages for name, pages in documented.items() if len(pages) > 1}
    assert not twice, f"callbacks documented on several pages: {twice}"


def test_every_section_is_a_callback() -> None:
    unknown = sorted(set(sections()) - set(CALLBACKS) - LIFECYCLE)
    assert not unknown, f"sections in docs/callbacks for names that are not callbacks: {unknown}"
