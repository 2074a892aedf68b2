"""MkDocs hooks of the documentation site (named in ``mkdocs.yml``).

* The benchmark plot lives with the benchmark results (``benchmarks/results/``), outside
  ``docs/``; :func:`on_files` publishes it as ``guide/benchmarks-latest.png`` so the
  benchmarks page shows the committed plot, never a stale copy.
* Docstrings are written with Sphinx roles (``:class:`~jido_persistence.Room```), which
  Markdown renders as the role's name followed by code; :func:`on_page_content` keeps
  the code and drops the role (and the ``~``, keeping the last dotted part, as Sphinx
  does).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = {
    "guide/benchmarks-latest.png": ROOT / "benchmarks" / "results" / "latest.png",
}
ROLE = re.compile(
    r":(?:py:)?(?:func|class|meth|mod|attr|exc|data|obj|const):<code>(~?)([^<]*)</code>"
)


def on_files(files: Files, config: Any) -> Files:
    """Add the files of :data:`PUBLISHED` to the site (the build fails if one is missing)."""
    for uri, source in PUBLISHED.items():
        files.append(File.generated(config, uri, abs_src_path=str(source)))
    return files


def _drop_role(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"<code>{target.rsplit('.', 1)[-1] if tilde else target}</code>"


def on_page_content(html: str, **kwargs: Any) -> str:
    """Render ``:role:`target``` from docstrings as plain code."""
    return ROLE.sub(_drop_role, html)
