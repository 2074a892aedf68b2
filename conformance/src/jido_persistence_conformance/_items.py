"""Which kit run and which contract area a collected test belongs to.

Used by the report (:mod:`._report`), the run order (:mod:`._run_control`) and the kit
class (:mod:`.base`); it imports only pytest, so none of them imports another for it.
"""

from __future__ import annotations

import pytest

__all__ = ["area_of", "run_of"]


def run_of(item: pytest.Item) -> str:
    """The kit run a test belongs to: its ``--persistence-url``, or ``file::Class``."""
    callspec = getattr(item, "callspec", None)
    url = callspec.params.get("persistence_url") if callspec is not None else None
    if url is not None:
        return str(url)
    cls = getattr(item, "cls", None)
    return item.nodeid.split("::")[0] + "::" + str(getattr(cls, "__qualname__", "?"))


def area_of(item: pytest.Item) -> str:
    """The contract area (suite module) a kit test comes from; ``other`` for extra tests."""
    function = getattr(item, "function", None)
    module = getattr(function, "__module__", "") or ""
    prefix = "jido_persistence_conformance.suite."
    return module[len(prefix) :] if module.startswith(prefix) else "other"
