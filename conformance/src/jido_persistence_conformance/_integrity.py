"""The kit checks itself: no test shadows another, every test of every area is collected.

:class:`~jido_persistence_conformance.AdapterConformance` inherits one mixin per area;
two mixins defining a test method of the same name would leave only the first one in
the method resolution order, and the other test would silently never run.  These
helpers list such names and the tests each area module defines, so the kit's own test
suite can compare them with what pytest collects.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable

__all__ = ["area_classes", "shadowed_tests", "uncollected_tests"]

_SUITE = "jido_persistence_conformance.suite"


def shadowed_tests(cls: type) -> dict[str, list[str]]:
    """Test names defined by more than one class of ``cls``'s MRO -> those classes.

    Only the first definer of such a name runs; an empty result means every test
    method of every base class is reachable.  O(total attributes of the MRO).
    """
    definers: dict[str, list[str]] = {}
    for base in cls.__mro__:
        for name in vars(base):
            if name.startswith("test_"):
                definers.setdefault(name, []).append(base.__qualname__)
    return {name: owners for name, owners in definers.items() if len(owners) > 1}


def area_classes(areas: Iterable[str]) -> list[type]:
    """Every class defined in the suite modules ``jido_persistence_conformance.suite.<area>``.

    Counted whether the kit inherits it or not, so a mixin left out of
    ``AdapterConformance`` is found too.
    """
    classes: list[type] = []
    for area in areas:
        module = importlib.import_module(f"{_SUITE}.{area}")
        classes += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if cls.__module__ == module.__name__
        ]
    return classes


def _qualified(function: object) -> str:
    return f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', '?')}"


def uncollected_tests(classes: Iterable[type], collected: Iterable[object]) -> list[str]:
    """The test functions of ``classes`` that no collected test runs, qualified and sorted.

    ``collected`` holds the underlying functions of the collected items (pytest's
    ``item.function``); a shadowed test is uncollected because the function that
    runs under its name is the other class's.  O(tests).
    """
    defined = {
        _qualified(function)
        for cls in classes
        for name, function in vars(cls).items()
        if name.startswith("test_")
    }
    return sorted(defined - {_qualified(function) for function in collected})
