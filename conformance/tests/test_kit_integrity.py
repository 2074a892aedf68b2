"""The kit's self-test: no test method shadows another, every area's tests are collected.

Two mixins of ``AdapterConformance`` once both defined ``test_replace_and_delete``
(bridge configs and routing policies); the routing-policy test never ran, and a
``delete_routing_policy`` that ignored a missing policy passed the whole kit.  These
tests fail on such a name, and on any test of an area that a ``--persistence-url`` run
does not collect.
"""

from __future__ import annotations

import textwrap

import pytest

from jido_persistence_conformance import AdapterConformance
from jido_persistence_conformance._integrity import (
    area_classes,
    shadowed_tests,
    uncollected_tests,
)
from jido_persistence_conformance.suite import AREAS

pytest_plugins = ["pytester"]


def _collected(pytester: pytest.Pytester, *args: str) -> list[pytest.Function]:
    items = pytester.inline_genitems("-p", "no:cacheprovider", *args)[0]
    return [item for item in items if isinstance(item, pytest.Function)]


def test_no_kit_test_shadows_another() -> None:
    """Every test name of the composed kit class is defined by exactly one class."""
    assert shadowed_tests(AdapterConformance) == {}


def test_a_duplicated_test_name_is_reported() -> None:
    """Control: two mixins defining one test name are reported with both owners."""

    class First:
        def test_same(self) -> None:
            """First."""

    class Second:
        def test_same(self) -> None:
            """Second."""

        def test_other(self) -> None:
            """Unique."""

    class Composed(First, Second):
        pass

    assert shadowed_tests(Composed) == {"test_same": [First.__qualname__, Second.__qualname__]}


def test_every_area_has_its_tests_collected(pytester: pytest.Pytester) -> None:
    """A ``--persistence-url`` run collects every test function of every area module."""
    collected = [item.function for item in _collected(pytester, "--persistence-url", "memory://")]
    classes = area_classes(AREAS)
    assert {cls.__module__.rsplit(".", 1)[-1] for cls in classes} == set(AREAS)
    assert uncollected_tests(classes, collected) == []


def test_a_shadowed_test_is_reported_as_uncollected(pytester: pytest.Pytester) -> None:
    """Control: in a composed class with a duplicated name, the loser is uncollected."""
    pytester.makepyfile(
        test_shadow=textwrap.dedent(
            """
            class First:
                def test_same(self):
                    pass

            class Second:
                def test_same(self):
                    raise AssertionError("never runs")

                def test_other(self):
                    pass

            class TestComposed(First, Second):
                pass
            """
        )
    )
    items = _collected(pytester)
    module = items[0].module
    classes = [module.First, module.Second]
    functions = [item.function for item in items]
    assert uncollected_tests(classes, functions) == [f"{module.__name__}.Second.test_same"]
