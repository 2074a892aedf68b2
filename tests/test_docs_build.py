"""The documentation site builds with ``mkdocs build --strict``, as CI builds it.

Run in the test suite too, so that a change that breaks the site (a page left out of
the nav, a broken link, an API reference to a name that is gone) fails before it lands.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_site_builds_strictly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "", "HOME": str(tmp_path)},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert (tmp_path / "reference" / "jido_persistence" / "index.html").is_file()
    assert (tmp_path / "guide" / "benchmarks-latest.png").is_file()
