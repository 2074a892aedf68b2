"""Bounded keyset paging for the kit's tests: a wrong cursor fails, it never hangs.

Every loop of the kit that follows a cursor page by page goes through :func:`walk_pages`.
It knows the expected order of the whole scope, so it stops after ``len(order) + 1``
pages whatever the adapter answers, and it checks after every page that the page moved
strictly past the previous one (backwards for ``before=``, forwards for ``after=``). An
adapter whose cursor includes the cursor record, or ignores it, therefore fails with
the offending page instead of looping forever with its memory growing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, Protocol

__all__ = ["Direction", "walk_pages"]

Direction = Literal["before", "after"]
"""``before``: newest page first, each next page older; ``after``: the other way."""


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


def walk_pages(
    fetch: Callable[[str | None], Sequence[_HasId]],
    order: Sequence[str],
    *,
    direction: Direction,
) -> list[str]:
    """Page through a scope with ``fetch(cursor)``; return the ids visited, in ``order``'s order.

    ``fetch(None)`` is the first page; ``fetch(cursor)`` the page after the cursor in
    ``direction`` (``before=`` the first id of the previous page, or ``after=`` its
    last id).  ``order`` is the expected order of the whole scope (from the reference
    adapter).  Raises AssertionError naming the cursor and the page when a page
    repeats an id already visited, holds an id outside ``order``, is not itself in
    ``order``'s order, or does not lie strictly beyond the previous page; and when
    more than ``len(order) + 1`` pages come back.  O(pages x page size).
    """
    position = {record_id: index for index, record_id in enumerate(order)}
    visited: set[str] = set()
    pages: list[list[str]] = []
    cursor: str | None = None
    # Every accepted page holds only ids not visited before, so at most len(order) pages
    # are non-empty: the (len(order) + 1)-th fetch must be empty or fail a check.
    for _ in range(len(order) + 1):
        page = [record.id for record in fetch(cursor)]
        if not page:
            break
        where = f"the page {direction}={cursor!r} is {page}"
        unknown = [record_id for record_id in page if record_id not in position]
        assert not unknown, f"{where}: {unknown} are not in the scope"
        repeated = [record_id for record_id in page if record_id in visited]
        assert not repeated, f"{where}: {repeated} came back on an earlier page"
        places = [position[record_id] for record_id in page]
        assert places == sorted(places), f"{where}: not in (inserted_at, id) order"
        if pages:
            previous = [position[record_id] for record_id in pages[-1]]
            moved = places[-1] < previous[0] if direction == "before" else places[0] > previous[-1]
            assert moved, f"{where}: it does not lie strictly {direction} {pages[-1]}"
        visited.update(page)
        pages.append(page)
        cursor = page[0] if direction == "before" else page[-1]
    if direction == "before":
        pages.reverse()
    return [record_id for page in pages for record_id in page]
