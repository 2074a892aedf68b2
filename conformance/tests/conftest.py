"""Fixtures for the kit's own tests: sibling modules and pytest runs in a subprocess.

The repository runs pytest with ``--import-mode=importlib``, so test modules cannot
import their siblings by name; ``sibling`` loads them by path instead.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).parent

RunPytest = Callable[..., subprocess.CompletedProcess[str]]


def load_sibling(name: str) -> ModuleType:
    """Import ``conformance/tests/<name>.py`` once, under its own name."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def sibling() -> Callable[[str], ModuleType]:
    """``sibling("example_adapter")`` imports ``conformance/tests/example_adapter.py``."""
    return load_sibling


@pytest.fixture
def run_pytest(tmp_path: Path) -> RunPytest:
    """Run ``python -m pytest ARGS`` in ``tmp_path`` with an empty ini (no repo config).

    The directory gets copies of the helper adapters, so generated test files can
    ``import no_ingress_adapter`` / ``import example_adapter``.
    """
    for name in ("no_ingress_adapter.py", "example_adapter.py"):
        if (HERE / name).exists():
            (tmp_path / name).write_text((HERE / name).read_text())
    (tmp_path / "pytest.ini").write_text("[pytest]\n")

    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-c", "pytest.ini", "-p", "no:cacheprovider", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run
