"""``jido-persistence check``: the kit on named adapters, one table, the exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jido_persistence_conformance import AdapterConformance
from jido_persistence_conformance.cli import POSTGRES_ENV, check, default_targets, resolve_target

KIT_TESTS = sorted(name for name in dir(AdapterConformance) if name.startswith("test_"))


def test_check_memory_passes_and_prints_the_table(tmp_path: Path) -> None:
    """The whole kit on memory: exit 0, a table row, and a report of every test."""
    report = tmp_path / "kit.json"
    result = CliRunner().invoke(check, ["memory", "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "jido-persistence conformance" in result.output
    row = next(line for line in result.output.splitlines() if "memory" in line and "│" in line)
    cells = [cell.strip() for cell in row.split("│") if cell.strip()]
    assert cells[0] == "memory"
    assert int(cells[1]) > 0
    assert cells[2:5] == ["0", "0", "0"]
    data = json.loads(report.read_text())
    [run] = data["runs"]
    assert sorted(test["name"] for test in run["tests"]) == KIT_TESTS
    assert {test["outcome"] for test in run["tests"]} == {"passed", "not_applicable"}
    # Not applicable to memory: durability, multi-process, the NotSupported trio check and
    # bulk saving (it offers no bulk_save_messages); the table counts the same tests.
    lacking = {test["area"] for test in run["tests"] if test["outcome"] == "not_applicable"}
    assert lacking == {"durability", "concurrency", "ingress_subscriptions", "bulk_messages"}
    assert cells[5] == str(sum(test["outcome"] == "not_applicable" for test in run["tests"]))


def test_check_fails_on_a_failing_adapter(tmp_path: Path) -> None:
    """An unknown adapter makes the command fail with pytest's message, not a table."""
    result = CliRunner().invoke(check, ["nosuchdb:///x", "-k", "list_rooms"])
    assert result.exit_code != 0
    assert "nosuchdb" in result.output


def test_postgres_targets_get_a_unique_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """``postgres`` becomes the test server URL with a ``{unique}`` schema."""
    monkeypatch.setenv(POSTGRES_ENV, "postgresql://ci@db/test")
    assert resolve_target("postgres") == "postgresql://ci@db/test?schema={unique}"
    monkeypatch.setenv(POSTGRES_ENV, "postgresql://ci@db/test?sslmode=disable")
    assert resolve_target("postgresql").endswith("?sslmode=disable&schema={unique}")
    assert resolve_target("tinydb") == "tinydb"
    assert "postgres" in default_targets()


def test_default_targets_include_the_embedded_adapters(monkeypatch: pytest.MonkeyPatch) -> None:
    """memory, tinydb and duckdb always run; postgres only when reachable or configured."""
    monkeypatch.delenv(POSTGRES_ENV, raising=False)
    monkeypatch.setattr("jido_persistence_conformance.cli._postgres_answers", lambda: False)
    targets = default_targets()
    assert {"memory", "tinydb", "duckdb"} <= set(targets)
    assert "postgres" not in targets


def test_the_report_and_the_output_never_show_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13, finding 4: ``check --report`` wrote the password in clear text, 0644.

    A server that does not answer makes every kit test fail with the URL in its
    message; neither the report file (0600, at the relative path given) nor the
    command's output holds the password.
    """
    monkeypatch.chdir(tmp_path)
    url = "postgresql://bob:hunter2secret@127.0.0.1:1/db?schema={unique}&connect_timeout=1"
    result = CliRunner().invoke(check, [url, "-k", "list_rooms", "--report", "kit.json"])
    report = tmp_path / "kit.json"
    assert result.exit_code != 0
    assert report.stat().st_mode & 0o777 == 0o600
    text = report.read_text()
    assert "bob:***@127.0.0.1" in text
    assert "hunter2secret" not in text
    assert "hunter2secret" not in result.output
    assert json.loads(text)["runs"]
