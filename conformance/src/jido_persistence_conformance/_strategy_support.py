"""The helpers every strategy module of the kit shares.

:func:`_short_repr` keeps a strategy's repr short (hypothesis prints it in failure
reports and health checks, and nested model strategies reach 50 kB otherwise);
:func:`_optional` adds ``None`` to a strategy.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from hypothesis import strategies as st

P = ParamSpec("P")
T = TypeVar("T")


def _short_repr(
    build: Callable[P, st.SearchStrategy[T]],
) -> Callable[P, st.SearchStrategy[T]]:
    """Wrap a strategy in ``deferred`` so its repr stays short (nested reprs reach 50 kB)."""

    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> st.SearchStrategy[T]:
        strategy = build(*args, **kwargs)

        def definition() -> st.SearchStrategy[T]:
            return strategy

        # A named function, not a lambda: hypothesis describes lambdas by compiling
        # their source, which is slow when strategies are built inside a test.
        definition.__name__ = definition.__qualname__ = f"{build.__name__}(...)"
        return st.deferred(definition)

    return wrapper


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy
