"""The pytest plugin: inert without options, URL runs, JSON report, strict mode, xfails."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from jido_persistence.memory import MemoryAdapter
from jido_persistence_conformance import AdapterConformance
from jido_persistence_conformance._support import INGRESS_SKIP_REASON

HEAVY = (
    "hypothesis",
    "duckdb",
    "psycopg",
    "tinydb",
    "jido_persistence_conformance.base",
    "jido_persistence_conformance.suite.rooms",
    "jido_persistence_conformance.strategies",
)
KIT_TESTS = sorted(name for name in dir(AdapterConformance) if name.startswith("test_"))

NO_INGRESS_SUITE = """
import pytest
from jido_persistence_conformance import AdapterConformance, ClassStoreFactory
from no_ingress_adapter import NoIngressAdapter

class TestReducedAdapter(AdapterConformance):
    @pytest.fixture
    def store_factory(self):
        return ClassStoreFactory(NoIngressAdapter)
"""


def _report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    """Loading the plugin module imports neither hypothesis, a backend, nor the suite."""
    code = (
        "import sys, jido_persistence_conformance.plugin, jido_persistence_conformance; "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_plugin_is_inert_without_options(run_pytest: Any, tmp_path: Path) -> None:
    """Without --persistence-url, a project's run collects only its own tests."""
    (tmp_path / "test_plain.py").write_text(
        textwrap.dedent(
            f"""
            import sys

            def test_plain():
                loaded = [m for m in {HEAVY[1:]!r} if m in sys.modules]
                assert loaded == []
            """
        )
    )
    done = run_pytest("-q", "test_plain.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert "jido-persistence conformance" not in done.stdout
    listed = run_pytest("--co", "-q")
    assert "test_plain.py::test_plain" in listed.stdout
    assert "_kit_by_url" not in listed.stdout


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["in-process", "xdist"])
def test_url_run_reports_every_test(run_pytest: Any, tmp_path: Path, workers: list[str]) -> None:
    """``--persistence-url memory://`` runs only the kit, parametrised by URL, and the JSON
    report lists every kit test (inapplicable ones as not_applicable, unselected ones as
    deselected), also under pytest-xdist, where only the workers collect."""
    (tmp_path / "test_not_the_kit.py").write_text("def test_other():\n    assert False\n")
    report = tmp_path / "report.json"
    done = run_pytest(
        "-q",
        *workers,
        "--persistence-url",
        "memory://",
        "--persistence-report",
        str(report),
        "-k",
        "rooms or capabilities or durability or missing_trio",
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "test_other" not in done.stdout
    assert "rooms" in done.stdout
    data = _report(report)
    assert data["contract_version"] == "1.3"
    assert data["kit_version"] == "0.1.0"
    [run] = data["runs"]
    assert run["run"] == "memory://"
    assert run["adapter"]["name"] == "memory"
    assert run["adapter"]["distribution"] == "jido-persistence"
    assert run["adapter"]["version"]
    assert run["capabilities"] == MemoryAdapter.capabilities_of().model_dump()
    assert run["capabilities"]["ingress_subscriptions"] is True
    assert run["groups"] == ["ingress", "ingest", "enumeration", "retention", "transactions"]
    outcomes = {test["name"]: test["outcome"] for test in run["tests"]}
    assert sorted(outcomes) == KIT_TESTS
    assert outcomes["test_list_rooms_limit"] == "passed"
    assert outcomes["test_everything_survives_close_and_reopen"] == "not_applicable"
    assert outcomes["test_missing_trio_raises_not_supported"] == "not_applicable"
    assert outcomes["test_threads_saving_messages_lose_nothing"] == "deselected"
    assert "skipped" not in set(outcomes.values())
    assert run["summary"]["failed"] == 0
    assert run["summary"]["not_applicable"] == sum(
        outcome == "not_applicable" for outcome in outcomes.values()
    )


def test_unknown_url_is_a_usage_error(run_pytest: Any) -> None:
    """A URL no installed adapter answers to stops the run with a clear message."""
    done = run_pytest("-q", "--persistence-url", "nosuchdb:///x")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "nosuchdb" in done.stderr


def test_strict_fails_when_something_is_skipped(run_pytest: Any, tmp_path: Path) -> None:
    """An adapter without the ingress trio skips the ingress tests with the contract's
    reason, passes the NotSupported check, and fails under --persistence-strict."""
    (tmp_path / "test_reduced_adapter.py").write_text(NO_INGRESS_SUITE)
    report = tmp_path / "report.json"
    relaxed = run_pytest("-q", "-rs", "-k", "ingress or trio", "--persistence-report", str(report))
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr
    assert INGRESS_SKIP_REASON in relaxed.stdout
    [run] = _report(report)["runs"]
    outcomes = {test["name"]: (test["outcome"], test["reason"]) for test in run["tests"]}
    assert outcomes["test_missing_trio_raises_not_supported"] == ("passed", None)
    assert outcomes["test_list_sorted_filtered_and_keyed"] == ("skipped", INGRESS_SKIP_REASON)
    strict = run_pytest("-q", "-k", "ingress or trio", "--persistence-strict")
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert "--persistence-strict" in strict.stdout


def test_known_failures_are_strict_xfails(run_pytest: Any, tmp_path: Path) -> None:
    """``conformance_xfail`` turns a listed failing test into an xfail, a passing one into a
    failure (strict), and an unknown name into a usage error."""
    (tmp_path / "test_known.py").write_text(
        textwrap.dedent(
            """
            import pytest
            from jido_persistence.memory import MemoryAdapter
            from jido_persistence_conformance import AdapterConformance, ClassStoreFactory

            class NoLimit(MemoryAdapter):
                def _list_rooms(self, *, limit, after):
                    return super()._list_rooms(limit=2**63 - 1, after=after)

            class TestKnownFailure(AdapterConformance):
                conformance_xfail = {"test_list_rooms_limit": "limit not implemented yet"}

                @pytest.fixture
                def store_factory(self):
                    return ClassStoreFactory(NoLimit)

            class TestFixedFailure(AdapterConformance):
                conformance_xfail = {"test_list_rooms_limit": "fixed meanwhile"}

                @pytest.fixture
                def store_factory(self):
                    return ClassStoreFactory(MemoryAdapter)
            """
        )
    )
    done = run_pytest("-q", "-k", "test_list_rooms_limit")
    assert "1 failed" in done.stdout, done.stdout
    assert "1 xfailed" in done.stdout, done.stdout
    assert "TestFixedFailure" in done.stdout
    (tmp_path / "test_known.py").write_text(
        (tmp_path / "test_known.py")
        .read_text()
        .replace("fixed meanwhile", "")
        .replace('"test_list_rooms_limit": "limit', '"test_no_such_test": "limit')
    )
    broken = run_pytest("-q", "-k", "test_list_rooms_limit")
    assert broken.returncode != 0
    assert "test_no_such_test" in broken.stdout + broken.stderr
