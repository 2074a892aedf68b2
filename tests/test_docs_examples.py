"""The Python examples of the guide and callback pages and the READMEs run, page by page.

Every ```` ```python ```` block of ``docs/guide/*.md``, ``docs/callbacks/*.md``,
``docs/async.md``, ``README.md`` and ``core/README.md`` is
executed, in page order, in one namespace per page, in a fresh working directory (so a
page may open ``tinydb:///chat.json``).  A block placed right after the line
``<!-- not run: REASON -->`` is skipped (it needs a server or a platform); every other
block must run, and its ``assert`` statements must hold.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCK = re.compile(
    r"(?P<marker><!-- not run: [^>]+-->\n+)?```python\n(?P<code>.*?)\n```", re.DOTALL
)
ROOT = DOCS.parent
PAGES = sorted(
    [
        *DOCS.glob("guide/*.md"),
        *DOCS.glob("callbacks/*.md"),
        DOCS / "async.md",
        ROOT / "README.md",
        ROOT / "core" / "README.md",
    ]
)


def blocks(text: str) -> list[str]:
    """The runnable Python blocks of one page, in order."""
    return [m["code"] for m in BLOCK.finditer(text) if m["marker"] is None]


def test_blocks_are_found_and_markers_skip() -> None:
    text = "```python\nx = 1\n```\n\n<!-- not run: needs a server -->\n```python\ny = 2\n```\n"
    assert blocks(text) == ["x = 1"]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JIDO_PERSISTENCE_URL", raising=False)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for number, code in enumerate(blocks(page.read_text(encoding="utf-8")), start=1):
        exec(compile(code, f"{page.relative_to(ROOT)} block {number}", "exec"), namespace)
    for value in namespace.values():
        # A page's tracer provider (the observability guide's) flushes its batch now, while
        # output is captured, not at interpreter exit into a closed stream.
        shutdown = getattr(value, "shutdown", None)
        if type(value).__name__ == "TracerProvider" and callable(shutdown):
            shutdown()
