"""A whole kit run on a failing adapter ends, with the pointed failure first.

The adapter's ``before=`` cursor includes the cursor message (``<=`` for ``<``), the
bug that once made the paging test loop forever.  The kit runs in a subprocess, as
an author's CI would run it; the generous wall-clock limit only turns a hang into a
failure of this test, it measures nothing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
HANG_GUARD = 600.0
"""Seconds after which the subprocess counts as hung (a green kit run takes ~10 s)."""

TEST_FILE = """
import pytest
from jido_persistence_conformance import AdapterConformance, ClassStoreFactory
from broken_adapters.messages import BeforeIncludesCursor

class TestInclusiveCursor(AdapterConformance):
    @pytest.fixture
    def store_factory(self):
        return ClassStoreFactory(BeforeIncludesCursor)
"""


def _run_kit(run_pytest: Any, tmp_path: Path, *options: str) -> str:
    shutil.copytree(HERE / "broken_adapters", tmp_path / "broken_adapters")
    (tmp_path / "test_inclusive.py").write_text(TEST_FILE)
    done = run_pytest("-q", "-rfs", "test_inclusive.py", *options, timeout=HANG_GUARD)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    output: str = done.stdout
    return output


def _failed(output: str) -> list[str]:
    return re.findall(r"^FAILED \S+::(test_\w+)", output, flags=re.MULTILINE)


def test_inclusive_cursor_fails_the_paging_test_first(run_pytest: Any, tmp_path: Path) -> None:
    """The paging test fails (a repeated page, no hang), single-rule failures come before
    the state machine's, and the summary counts what the table counts."""
    output = _run_kit(run_pytest, tmp_path)
    failed = _failed(output)
    assert "test_paging_backwards_visits_every_message_once" in failed, output[-3000:]
    assert "came back on an earlier page" in output
    if "test_random_call_sequences_match_the_reference" in failed:
        assert failed[-1] == "test_random_call_sequences_match_the_reference"
    table = re.search(r"messages_and_cursors\s+(\d+)\s+(\d+)", output)
    assert table is not None, output[-3000:]
    not_applicable = sum(int(n) for n in re.findall(r"^  n/a x(\d+):", output, re.MULTILINE))
    assert f"{not_applicable} not_applicable" in output
    assert "deselected" not in output
    assert "n/a = not applicable" in output


def test_fast_fail_skips_the_rest_after_the_first_failure(run_pytest: Any, tmp_path: Path) -> None:
    """``--persistence-fast-fail``: one failure, every later test skipped naming it."""
    output = _run_kit(run_pytest, tmp_path, "--persistence-fast-fail")
    [first] = _failed(output)
    assert f"--persistence-fast-fail: not run after {first} failed" in output
    assert "test_random_call_sequences_match_the_reference" not in _failed(output)
