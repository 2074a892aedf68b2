"""Recording kit outcomes: per-area terminal summary, JSON report and strict mode.

Loaded by the plugin on every run, so it imports only pytest, the standard library and
two small kit modules at module level; the registry and the suite are imported only
when kit tests exist.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pytest

from jido_persistence_conformance._items import area_of, run_of
from jido_persistence_conformance._version import CONTRACT_VERSION, __version__

__all__ = ["NOT_APPLICABLE_NOTE", "KitRecorder", "TestResult"]

NOT_APPLICABLE_PREFIX: Final = "not applicable: "
OUTCOMES: Final = ("passed", "failed", "skipped", "xfailed", "not_applicable", "deselected")
NOT_APPLICABLE_NOTE: Final = (
    "n/a = not applicable: tests of a capability the adapter does not declare "
    "(durable, multi_process, an optional group); they are not run and are neither "
    "passes nor failures. Declaring the capability makes them run."
)
"""The legend of the ``n/a`` column, printed under every kit table."""
WORKER_OUTPUT_KEY: Final = "jido_persistence_kit_tests"
"""Key of ``workeroutput`` under which a pytest-xdist worker sends the tests it did not run."""


@dataclass
class TestResult:
    """What happened to one kit test on one adapter."""

    __test__ = False  # not a pytest test class

    nodeid: str
    name: str
    area: str
    run: str
    outcome: str = "deselected"
    reason: str | None = "not selected in this run (-k, -m or a node id)"
    duration: float = 0.0
    seen: set[str] = field(default_factory=set)

    def as_json(self) -> dict[str, Any]:
        """The report entry of this test."""
        return {
            "name": self.name,
            "area": self.area,
            "nodeid": self.nodeid,
            "outcome": self.outcome,
            "reason": self.reason,
            "duration": round(self.duration, 6),
        }


def _redacted(value: Any) -> Any:
    """``value`` (the report) with every URL password and ``password=`` pair masked.

    Test ids, reasons and run names all hold the store URL; the report file must no
    more show its password than the terminal does.
    """
    from jido_persistence.errors import redact_text

    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {_redacted(key): _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable by its owner only (0600), replacing it."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        os.fchmod(file.fileno(), 0o600)
        file.write(text)


@dataclass
class _Run:
    run: str
    kind: str
    adapter: dict[str, Any] = field(default_factory=dict)
    capabilities: dict[str, bool] | None = None
    tests: dict[str, TestResult] = field(default_factory=dict)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        text = str(longrepr[2])
        return text.removeprefix("Skipped: ")
    return str(longrepr)


def _failure_text(report: pytest.TestReport) -> str:
    text = report.longreprtext.strip().splitlines()
    last = [line for line in text if line.startswith("E ")]
    return (last[0][1:].strip() if last else (text[-1] if text else "failed"))[:300]


def _declared_groups(capabilities: dict[str, bool] | None) -> list[str] | None:
    """The contract-1.3 groups a run's adapter declares (their kit tests ran), or None."""
    from jido_persistence_conformance._version import CONTRACT_GROUPS

    if capabilities is None:
        return None
    return [group for group, flag in CONTRACT_GROUPS.items() if capabilities.get(flag)]


def _distribution_of(module: str) -> tuple[str | None, str | None]:
    from importlib import metadata

    top = module.split(".", 1)[0]
    names = metadata.packages_distributions().get(top) or []
    if not names:
        return None, None
    try:
        return names[0], metadata.version(names[0])
    except metadata.PackageNotFoundError:
        return names[0], None


class KitRecorder:
    """A pytest plugin object that follows the kit's tests through one session."""

    def __init__(self, config: pytest.Config, urls: list[str]) -> None:
        self.config = config
        self.urls = list(urls)
        self.runs: dict[str, _Run] = {}
        self.by_nodeid: dict[str, TestResult] = {}
        self._url_adapters: dict[str, Any] = {}
        self._started = time.monotonic()

    # --- collection --------------------------------------------------------------

    def _url_adapter(self, url: str) -> Any:
        if url not in self._url_adapters:
            from jido_persistence.errors import ConfigurationError, redact_url
            from jido_persistence_conformance.factories import UrlStoreFactory

            try:
                adapter_class = UrlStoreFactory(url).adapter_class()
            except ConfigurationError as error:
                raise pytest.UsageError(
                    f"--persistence-url {redact_url(url)!r}: {error}"
                ) from error
            self._url_adapters[url] = adapter_class
            run = self.runs.setdefault(url, _Run(url, "url"))
            run.capabilities = adapter_class.capabilities_of().model_dump()
            run.adapter = self._url_adapter_meta(url, adapter_class)
        return self._url_adapters[url]

    @staticmethod
    def _url_adapter_meta(url: str, adapter_class: Any) -> dict[str, Any]:
        from jido_persistence.registry import select_adapter

        probe = url.replace("{tmp}", "tmp").replace("{unique}", "u")
        info, _ = select_adapter(probe)
        return {
            "name": info.name,
            "class": f"{adapter_class.__module__}:{adapter_class.__qualname__}",
            "distribution": info.distribution,
            "version": info.version,
        }

    def _xfails(self, item: pytest.Item, adapter_class: Any) -> dict[str, str]:
        source = adapter_class if adapter_class is not None else getattr(item, "cls", None)
        declared = dict(getattr(source, "conformance_xfail", {}) or {})
        if not declared:
            return {}
        from jido_persistence_conformance.base import AdapterConformance

        known = {name for name in dir(AdapterConformance) if name.startswith("test_")}
        for name, reason in declared.items():
            if name not in known:
                raise pytest.UsageError(
                    f"conformance_xfail of {source!r} names {name!r}, which is not a test of "
                    "the conformance kit"
                )
            if not isinstance(reason, str) or not reason.strip():
                raise pytest.UsageError(
                    f"conformance_xfail of {source!r}: {name!r} needs a non-empty reason"
                )
        return declared

    def collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Record kit items, mark declared known failures, mark inapplicable tests.

        A test of a capability the adapter lacks is skipped before its fixtures run,
        with the not-applicable reason, so pytest's summary line counts it as
        ``not_applicable`` exactly as the kit's table does (it is not deselected).
        """
        for item in items:
            cls = getattr(item, "cls", None)
            if not getattr(cls, "__jido_conformance__", False):
                continue
            callspec = getattr(item, "callspec", None)
            url = callspec.params.get("persistence_url") if callspec is not None else None
            adapter_class = self._url_adapter(url) if url is not None else None
            run_name = run_of(item)
            run = self.runs.setdefault(run_name, _Run(run_name, "url" if url else "class"))
            name = getattr(item, "originalname", item.name)
            result = TestResult(item.nodeid, name, area_of(item), run_name)
            run.tests[item.nodeid] = result
            reason = self._xfails(item, adapter_class).get(name)
            if reason is not None:
                item.add_marker(pytest.mark.xfail(strict=True, reason=f"known failure: {reason}"))
            if adapter_class is not None:
                lacking = self._lacking(item, adapter_class)
                if lacking is not None:
                    result.outcome, result.reason = "not_applicable", lacking
                    item.add_marker(pytest.mark.skip(reason=NOT_APPLICABLE_PREFIX + lacking))
            self.by_nodeid[item.nodeid] = result

    @staticmethod
    def _lacking(item: pytest.Item, adapter_class: Any) -> str | None:
        declared = adapter_class.capabilities_of().model_dump()
        for mark in item.iter_markers("persistence_capability"):
            name = mark.args[0]
            wanted = mark.args[1] if len(mark.args) > 1 else True
            if declared.get(name) != wanted:
                return f"{adapter_class.__name__} declares {name}={declared.get(name)}"
        return None

    # --- outcomes ----------------------------------------------------------------

    @pytest.hookimpl
    def pytest_report_teststatus(
        self, report: pytest.TestReport, config: pytest.Config
    ) -> tuple[str, str, str] | None:
        """Show kit tests of an undeclared capability as ``not_applicable``, not skipped."""
        if (
            report.skipped
            and not hasattr(report, "wasxfail")
            and _skip_reason(report).startswith(NOT_APPLICABLE_PREFIX)
        ):
            return "not_applicable", "n", "NOT APPLICABLE"
        return None

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold the setup, call and teardown reports of a kit test into its outcome."""
        result = self.by_nodeid.get(report.nodeid) or self._uncollected(report)
        if result is None:
            return
        result.duration += report.duration
        if report.when in result.seen:
            return
        if not result.seen:
            result.outcome, result.reason = "passed", None
        result.seen.add(report.when)
        self._note_adapter(result.run, report)
        if report.failed:
            if result.outcome != "failed":
                where = "" if report.when == "call" else f"error in {report.when}: "
                result.outcome, result.reason = "failed", where + _failure_text(report)
        elif report.skipped and result.outcome == "passed":
            if hasattr(report, "wasxfail"):
                result.outcome, result.reason = "xfailed", str(report.wasxfail) or None
            else:
                reason = _skip_reason(report)
                if reason.startswith(NOT_APPLICABLE_PREFIX):
                    result.outcome = "not_applicable"
                    result.reason = reason.removeprefix(NOT_APPLICABLE_PREFIX)
                else:
                    result.outcome, result.reason = "skipped", reason

    def _uncollected(self, report: pytest.TestReport) -> TestResult | None:
        """A kit test this process did not collect (pytest-xdist), from its properties."""
        info: Any = dict(report.user_properties).get("persistence_kit_test")
        if not isinstance(info, dict):
            return None
        if info["kind"] == "url":
            self._url_adapter(info["run"])
        run = self.runs.setdefault(info["run"], _Run(info["run"], info["kind"]))
        result = TestResult(report.nodeid, info["name"], info["area"], info["run"])
        run.tests[report.nodeid] = result
        self.by_nodeid[report.nodeid] = result
        return result

    def _note_adapter(self, run_name: str, report: pytest.TestReport) -> None:
        run = self.runs[run_name]
        properties = dict(report.user_properties)
        if run.capabilities is None and "persistence_capabilities" in properties:
            declared: dict[str, bool] = properties["persistence_capabilities"]  # type: ignore[assignment]
            run.capabilities = dict(declared)
        if not run.adapter and "persistence_adapter" in properties:
            reference = str(properties["persistence_adapter"])
            distribution, version = _distribution_of(reference.split(":", 1)[0])
            run.adapter = {
                "name": reference.rsplit(":", 1)[-1],
                "class": reference,
                "distribution": distribution,
                "version": version,
            }

    def counts(self, run: _Run) -> Counter[str]:
        """Outcome counts of one run."""
        return Counter(result.outcome for result in run.tests.values())

    def strict_violations(self) -> list[TestResult]:
        """Kit tests that were skipped (not applicable ones excluded)."""
        return [
            result
            for run in self.runs.values()
            for result in run.tests.values()
            if result.outcome == "skipped"
        ]

    # --- pytest-xdist -------------------------------------------------------------

    def _send_unreported(self) -> None:
        """Worker side: hand the controller every kit test this worker did not run.

        Deselected and not-applicable tests produce no report, and under xdist only the
        workers collect, so without this the controller's JSON report would omit them.
        """
        workeroutput: dict[str, Any] = getattr(self.config, "workeroutput", {})
        workeroutput[WORKER_OUTPUT_KEY] = [
            {"kind": run.kind, "run": run.run, **result.as_json()}
            for run in self.runs.values()
            for result in run.tests.values()
            if not result.seen
        ]

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """Controller side: add the tests a finished worker did not run, unless some
        worker reported them (a later report still overrides the entry added here)."""
        for entry in (getattr(node, "workeroutput", None) or {}).get(WORKER_OUTPUT_KEY, []):
            known = self.by_nodeid.get(entry["nodeid"])
            if known is not None:
                continue
            if entry["kind"] == "url":
                self._url_adapter(entry["run"])
            run = self.runs.setdefault(entry["run"], _Run(entry["run"], entry["kind"]))
            result = TestResult(
                entry["nodeid"], entry["name"], entry["area"], entry["run"], entry["outcome"]
            )
            result.reason = entry["reason"]
            run.tests[result.nodeid] = result
            self.by_nodeid[result.nodeid] = result

    # --- end of session ----------------------------------------------------------

    @pytest.hookimpl
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Write the JSON report (send the unrun tests, on an xdist worker) and apply
        ``--persistence-strict``."""
        if hasattr(self.config, "workerinput"):
            self._send_unreported()  # the controller writes the report and judges strictness
            return
        path = self.config.getoption("persistence_report")
        if path:
            _write_private(Path(path), json.dumps(_redacted(self.report()), indent=2) + "\n")
        if (
            self.config.getoption("persistence_strict")
            and self.strict_violations()
            and session.exitstatus == pytest.ExitCode.OK
        ):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def report(self) -> dict[str, Any]:
        """The JSON report: kit and contract versions, and every test of every run."""
        return {
            "kit_version": __version__,
            "contract_version": CONTRACT_VERSION,
            "pytest_version": pytest.__version__,
            "created": datetime.now(UTC).isoformat(),
            "duration": round(time.monotonic() - self._started, 3),
            "strict": bool(self.config.getoption("persistence_strict")),
            "runs": [
                {
                    "run": run.run,
                    "kind": run.kind,
                    "adapter": run.adapter or None,
                    "capabilities": run.capabilities,
                    "groups": _declared_groups(run.capabilities),
                    "summary": {outcome: self.counts(run).get(outcome, 0) for outcome in OUTCOMES},
                    "tests": [result.as_json() for result in run.tests.values()],
                }
                for run in self.runs.values()
            ],
        }

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Per run and area: passed, failed, skipped, xfailed, not applicable; skip reasons."""
        ran = [
            run
            for run in self.runs.values()
            if any(result.outcome != "deselected" for result in run.tests.values())
        ]
        if not ran:
            return
        write = terminalreporter.write_line
        terminalreporter.section("jido-persistence conformance")
        for run in ran:
            from jido_persistence.errors import redact_url

            adapter = run.adapter.get("name") if run.adapter else "?"
            write(f"{redact_url(run.run)} (adapter {adapter})")
            areas: dict[str, Counter[str]] = {}
            for result in run.tests.values():
                if result.outcome != "deselected":
                    areas.setdefault(result.area, Counter())[result.outcome] += 1
            write(f"  {'area':<24}{'passed':>8}{'failed':>8}{'skipped':>9}{'xfailed':>9}{'n/a':>6}")
            from jido_persistence_conformance.suite import AREAS

            order = {area: index for index, area in enumerate(AREAS)}
            for area, counts in sorted(areas.items(), key=lambda kv: order.get(kv[0], 99)):
                write(
                    f"  {area:<24}{counts['passed']:>8}{counts['failed']:>8}"
                    f"{counts['skipped']:>9}{counts['xfailed']:>9}{counts['not_applicable']:>6}"
                )
            reasons = Counter(
                (result.outcome, result.reason)
                for result in run.tests.values()
                if result.outcome in ("skipped", "xfailed", "not_applicable")
            )
            for (outcome, reason), count in sorted(reasons.items(), key=str):
                shown = "n/a" if outcome == "not_applicable" else outcome
                write(f"  {shown} x{count}: {reason}")
            if any(result.outcome == "not_applicable" for result in run.tests.values()):
                write(f"  {NOT_APPLICABLE_NOTE}")
        violations = self.strict_violations()
        if self.config.getoption("persistence_strict") and violations:
            write(
                f"--persistence-strict: {len(violations)} kit test(s) skipped; the run fails",
                red=True,
            )
