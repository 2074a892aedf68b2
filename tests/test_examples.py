"""Every program in examples/ runs as shipped: ``python examples/NAME.py`` exits 0.

Each runs in a subprocess, in a fresh working directory, with no store configured
(``JIDO_PERSISTENCE_URL`` unset), so it must bring its own sample data; the examples
check their own results (a wrong figure is a non-zero exit).  Tests of what a single
example stores in detail live beside it (for example core/tests/test_async_examples.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PROGRAMS = sorted(EXAMPLES.glob("*.py"))


def test_there_are_examples() -> None:
    assert "analytics.py" in {program.name for program in PROGRAMS}


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.name)
def test_example_runs(program: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIDO_PERSISTENCE_")}
    result = subprocess.run(
        [sys.executable, str(program)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, (
        f"{program.name}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    assert result.stdout.strip(), f"{program.name} printed nothing"
