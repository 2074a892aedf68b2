"""click and rich are the ``cli`` extra: the storage API imports and works without them.

Each test runs a fresh interpreter whose meta path refuses ``click`` and ``rich`` (as if
they were not installed, although the workspace has them), so no module imported
earlier in this process can hide an import.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BLOCKER = textwrap.dedent(
    """
    import importlib.abc, sys

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in ("click", "rich"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Blocker())
    """
)

STORAGE_API = textwrap.dedent(
    """
    import importlib, pkgutil
    import jido_persistence
    from jido_persistence import Room, open_store
    from jido_persistence.models import RoomType

    with open_store("memory://") as store:
        room = store.save_room(Room(type=RoomType.GROUP, name="general"))
        assert store.get_room(room.id) == room
    for name in jido_persistence.__all__:
        getattr(jido_persistence, name)
    public = [
        info.name
        for info in pkgutil.iter_modules(jido_persistence.__path__)
        if not info.name.startswith("_") and info.name != "cli"
    ]
    for name in public:
        importlib.import_module("jido_persistence." + name)
    assert not any(m.partition(".")[0] in ("click", "rich") for m in sys.modules), "leak"
    print("ok", len(public))
    """
)


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_storage_api_imports_and_runs_without_click_and_rich() -> None:
    done = run("import sys\n" + STORAGE_API)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok ")
    assert int(done.stdout.split()[1]) >= 15  # every public module but the CLI was imported


def test_the_blocker_does_block() -> None:
    done = run("import click\n")
    assert done.returncode == 1
    assert "No module named 'click'" in done.stderr


@pytest.mark.parametrize("missing", ["click", "rich"])
def test_the_command_names_the_extra_when_its_dependencies_are_missing(missing: str) -> None:
    code = BLOCKER.replace('("click", "rich")', f'("{missing}",)')
    done = subprocess.run(
        [sys.executable, "-c", code + "from jido_persistence._console import main; main()"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert f"needs {missing}, which is not installed" in done.stderr
    assert "pip install 'jido-persistence[cli]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_installed_script_runs_the_command_when_the_extra_is_installed() -> None:
    script = Path(sys.executable).with_name("jido-persistence")
    assert script.exists(), "the console script of core/pyproject.toml is installed"
    done = subprocess.run(
        [str(script), "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("jido-persistence, version ")
