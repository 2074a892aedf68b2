"""``jido-persistence new-adapter NAME``: the package installs, registers and passes the kit.

The package is generated into a temporary directory, installed for real (``uv pip
install --target``, which builds its wheel with its own build backend) into a
directory of its own, so the workspace's environment is untouched, and then used from a
subprocess whose ``PYTHONPATH`` holds that directory: the entry point is discovered,
``open_store`` opens the adapter by URL, and the package's own test module runs the
whole conformance kit on it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from jido_persistence.cli import main
from jido_persistence.errors import InvalidArgument
from jido_persistence.scaffold import AdapterNames, write_adapter_package


def test_names_are_derived_from_the_adapter_name() -> None:
    names = AdapterNames.of("redis_cluster")
    assert (names.distribution, names.package, names.class_name, names.scheme) == (
        "jido-persistence-redis-cluster",
        "jido_persistence_redis_cluster",
        "RedisClusterAdapter",
        "redis-cluster",
    )


@pytest.mark.parametrize("bad", ["", "Redis", "1db", "my-db", "a__b", "db_", "x y", "ü"])
def test_bad_names_are_refused_and_nothing_is_written(bad: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="lowercase letters and digits"):
        write_adapter_package(bad, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_non_empty_target_is_refused(tmp_path: Path) -> None:
    (tmp_path / "jido-persistence-kv").mkdir()
    (tmp_path / "jido-persistence-kv" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        write_adapter_package("kv", tmp_path)
    assert [p.name for p in (tmp_path / "jido-persistence-kv").iterdir()] == ["keep.txt"]


def test_a_description_that_would_break_the_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument):
        write_adapter_package("kv", tmp_path, description='say "hi"')
    assert list(tmp_path.iterdir()) == []


def test_the_command_writes_the_skeleton(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["new-adapter", "kv", "--directory", str(tmp_path)])
    assert result.exit_code == 0, result.output
    root = tmp_path / "jido-persistence-kv"
    expected = {
        "pyproject.toml",
        "README.md",
        ".github/workflows/ci.yml",
        "src/jido_persistence_kv/__init__.py",
        "src/jido_persistence_kv/_backend.py",
        "src/jido_persistence_kv/adapter.py",
        "src/jido_persistence_kv/plugin.py",
        "src/jido_persistence_kv/py.typed",
        "tests/test_conformance.py",
    }
    assert {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} == expected
    pyproject = (root / "pyproject.toml").read_text()
    assert '[project.entry-points.jido_persistence]\nkv = "jido_persistence_kv.plugin"' in pyproject
    assert (
        "--persistence-url kv --persistence-strict"
        in (root / ".github/workflows/ci.yml").read_text()
    )
    again = CliRunner().invoke(main, ["new-adapter", "kv", "--directory", str(tmp_path)])
    assert again.exit_code == 1
    assert "not empty" in again.output


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The package of adapter ``kvtemplate``, generated and installed into a directory."""
    uv = shutil.which("uv")
    assert uv is not None, "uv is needed to install the generated package (pip install uv)"
    base = tmp_path_factory.mktemp("new-adapter")
    root, _ = write_adapter_package("kvtemplate", base)
    site = base / "site"
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--no-deps", "--python", sys.executable,
         "--target", str(site), str(root)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return root, site


def run_python(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "JIDO_PERSISTENCE_STRICT_PLUGINS": "1"}
    env.pop("JIDO_PERSISTENCE_PLUGINS", None)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_the_installed_adapter_is_discovered_and_opens(installed: tuple[Path, Path]) -> None:
    root, site = installed
    script = (
        "from jido_persistence import Room, available_adapters, open_store\n"
        "from jido_persistence.models import RoomType\n"
        "info = {i.name: i for i in available_adapters()}['kvtemplate']\n"
        "assert info.distribution == 'jido-persistence-kvtemplate', info\n"
        "with open_store('kvtemplate://?namespace=a') as store:\n"
        "    store.save_room(Room(id='r', type=RoomType.GROUP))\n"
        "    assert type(store).__module__ == 'jido_persistence_kvtemplate.adapter'\n"
        "with open_store('kvtemplate://?namespace=a') as again:\n"
        "    assert again.get_room('r').id == 'r'\n"
        "print('ok')\n"
    )
    result = run_python(site, "-c", script, cwd=root.parent)
    assert result.stdout.strip() == "ok", result.stderr


def test_the_generated_package_passes_the_kit(installed: tuple[Path, Path]) -> None:
    root, site = installed
    result = run_python(site, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", cwd=root)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " failed" not in result.stdout.splitlines()[-1], result.stdout[-3000:]


def test_the_generated_code_is_lint_and_type_clean(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    root, _ = installed
    for command in (
        ["ruff", "check", "--no-cache", "."],
        ["ruff", "format", "--no-cache", "--check", "."],
        ["mypy", "--strict", "--cache-dir", str(tmp_path), "src"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", *command], cwd=root, capture_output=True, text=True,
            check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
