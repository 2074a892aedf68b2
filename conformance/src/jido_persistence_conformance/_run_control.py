"""The order of a kit run and how fast a failing adapter reports.

* Single-rule tests run first and the state machine (the ``stateful_comparison``
  area) last, so an author's first failure is the pointed test whose troubleshooting
  note names the rule, not a random trace.
* Once a kit test of a run has failed, the state machine of that run still runs but
  does not shrink its counterexample (shrinking a random trace can take minutes, and
  the readable failure is already reported above it).
* ``--persistence-fast-fail``: no kit test shrinks, and after the first failed kit test
  of a run the rest of that run is skipped with a reason naming it.

Loaded by the plugin on every run; it imports only pytest and the standard library at
module level.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Final

import pytest

from jido_persistence_conformance._items import area_of, run_of

__all__ = ["STATE_MACHINE_AREA", "KitRunControl", "shrinking"]

STATE_MACHINE_AREA: Final = "stateful_comparison"
"""The area whose tests run last."""

_shrink = True


def shrinking() -> bool:
    """Whether the kit test running now may shrink its hypothesis counterexample."""
    return _shrink


def _is_kit(item: pytest.Item) -> bool:
    return bool(getattr(getattr(item, "cls", None), "__jido_conformance__", False))


class KitRunControl:
    """A pytest plugin object: kit ordering, fast-fail and the shrinking policy."""

    def __init__(self, config: pytest.Config) -> None:
        self.fast_fail = bool(config.getoption("persistence_fast_fail", False))
        self.first_failure: dict[str, str] = {}

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Move the kit's state machine tests after every other test (stable order)."""
        items.sort(key=lambda item: _is_kit(item) and area_of(item) == STATE_MACHINE_AREA)

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Remember the first failed kit test of each run."""
        if not report.failed or hasattr(report, "wasxfail"):
            return
        info: Any = dict(report.user_properties).get("persistence_kit_test")
        if isinstance(info, dict):
            self.first_failure.setdefault(str(info["run"]), str(info["name"]))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Under ``--persistence-fast-fail``, skip a run's tests after its first failure."""
        if self.fast_fail and _is_kit(item):
            failed = self.first_failure.get(run_of(item))
            if failed is not None:
                pytest.skip(f"--persistence-fast-fail: not run after {failed} failed")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, object, object]:
        """Run a kit test without shrinking where the policy above says so."""
        global _shrink
        if not _is_kit(item):
            return (yield)
        failed_before = run_of(item) in self.first_failure
        no_shrink = self.fast_fail or (failed_before and area_of(item) == STATE_MACHINE_AREA)
        function = getattr(getattr(item, "obj", None), "__func__", None)
        original = getattr(function, "_hypothesis_internal_use_settings", None)
        if no_shrink and original is not None:
            from hypothesis import Phase, settings

            # As hypothesis's own pytest plugin does for parametrized tests.
            function._hypothesis_internal_use_settings = settings(  # type: ignore[union-attr]
                original, phases=[phase for phase in original.phases if phase != Phase.shrink]
            )
        _shrink = not no_shrink
        try:
            return (yield)
        finally:
            _shrink = True
            if no_shrink and original is not None:
                function._hypothesis_internal_use_settings = original  # type: ignore[union-attr]
