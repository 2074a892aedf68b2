"""``jido-persistence check``: the kit on named adapters, one table, the exit code."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from jido_persistence_conformance import AdapterConformance
from jido_persistence_conformance.cli import (
    POSTGRES_ENV,
    POSTGRES_HINT,
    _run_with_progress,
    check,
    default_targets,
    resolve_target,
)

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
    # A parametrised kit test is reported once per case.
    assert sorted({test["name"] for test in run["tests"]}) == KIT_TESTS
    assert {test["outcome"] for test in run["tests"]} == {"passed", "not_applicable"}
    # Not applicable to memory: durability (and a process killed inside a block),
    # multi-process races, the NotSupported trio check and bulk saving (it offers no
    # bulk_save_messages); the table counts the same tests.
    lacking = {test["area"] for test in run["tests"] if test["outcome"] == "not_applicable"}
    assert lacking == {
        "durability",
        "concurrency",
        "ingestion_concurrency",
        "ingress_subscriptions",
        "bulk_messages",
        "transactions",
    }
    assert cells[5] == str(sum(test["outcome"] == "not_applicable" for test in run["tests"]))
    # The area table: one row per area, and the n/a column explained with its reasons.
    assert "memory by area" in result.output
    durability = next(line for line in result.output.splitlines() if "│ durability" in line)
    assert [cell.strip() for cell in durability.split("│") if cell.strip()][1:] == [
        "0",
        "0",
        "0",
        "0",
        str(
            sum(t["outcome"] == "not_applicable" for t in run["tests"] if t["area"] == "durability")
        ),
    ]
    assert "n/a x" in result.output
    assert "MemoryAdapter declares durable=False" in result.output
    assert "n/a = not applicable" in result.output


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
    """memory, tinydb and duckdb always run; postgres only when configured."""
    monkeypatch.delenv(POSTGRES_ENV, raising=False)
    targets = default_targets()
    assert {"memory", "tinydb", "duckdb"} <= set(targets)
    assert "postgres" not in targets


# --- issue 13, finding 6: one rule for finding PostgreSQL, progress while checking ---


def test_postgres_is_checked_only_when_the_variable_names_a_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rule ``uv run pytest`` follows: no variable, no PostgreSQL, and check says so
    (it used to probe 127.0.0.1:5432 on its own and check a server found there)."""
    monkeypatch.delenv(POSTGRES_ENV, raising=False)
    monkeypatch.setattr(
        "jido_persistence_conformance.cli.subprocess.Popen",
        lambda *args, **kwargs: pytest.fail("no kit run expected"),
    )
    result = CliRunner().invoke(check, ["postgres"])
    assert result.exit_code != 0
    assert POSTGRES_HINT in " ".join(result.output.split())
    assert "postgres" not in default_targets()


def test_check_says_which_adapters_it_leaves_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(POSTGRES_ENV, raising=False)
    result = CliRunner().invoke(check, ["-k", "test_list_rooms_limit"])
    assert result.exit_code == 0, result.output
    assert f"not checking postgres: {POSTGRES_HINT}" in " ".join(result.output.split())


def test_progress_is_shown_while_the_kit_runs() -> None:
    """The bar follows pytest's ``[ NN%]`` line ends as they come."""
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=80)
    script = "print('.... [ 40%]'); print('.. [ 70%]'); print('. [100%]')"
    code, output = _run_with_progress([sys.executable, "-c", script], ".", console)
    assert code == 0
    assert output.splitlines() == [".... [ 40%]", ".. [ 70%]", ". [100%]"]
    shown = stream.getvalue()
    assert "kit tests" in shown
    assert " 40%" in shown
    assert " 70%" in shown


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
