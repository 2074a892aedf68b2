"""Seeded bugs in message ordering and paging (``get_messages``) and ``list_threads``.

Each adapter is the reference adapter with exactly one bug, of the kind SQL and
document-store adapters really ship: a sort without a tie-breaker, the database's
default null order, an off-by-one cursor comparison, a forgotten ``LIMIT``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message, Room, Thread

ALL = 2**63 - 1
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def page(
    ordered: list[Message], limit: int, before: str | None, after: str | None
) -> list[Message]:
    """The contract's paging over an already ordered scope (cursors known to exist)."""
    ids = [message.id for message in ordered]
    if before is not None:
        stop = ids.index(before)
        return ordered[max(0, stop - limit) : stop]
    if after is not None:
        start = ids.index(after) + 1
        return ordered[start : start + limit]
    return ordered[max(0, len(ordered) - limit) :] if limit else []


class PagingAdapter(MemoryAdapter):
    """Pages the whole scope in Python; subclasses change the order or the paging.

    With the hooks below left as they are it behaves exactly like the reference.
    """

    seeded_bug: ClassVar[str] = "none (the paging base)"
    expected_area: ClassVar[str] = "messages_and_cursors"

    def _get_messages(
        self,
        room_id: str,
        *,
        limit: int,
        before: str | None,
        after: str | None,
        thread_id: str | None,
    ) -> list[Message]:
        with self._lock:
            # The reference checks the cursor (CursorNotFound) before looking at the limit.
            super()._get_messages(room_id, limit=0, before=before, after=after, thread_id=thread_id)
            scope = super()._get_messages(
                room_id, limit=ALL, before=None, after=None, thread_id=thread_id
            )
            return self.page(self.order(scope), limit, before, after)

    def order(self, scope: list[Message]) -> list[Message]:
        """The scope in the adapter's order (the reference's: ``(inserted_at, id)``)."""
        return scope

    def page(
        self, ordered: list[Message], limit: int, before: str | None, after: str | None
    ) -> list[Message]:
        """One page of ``ordered``."""
        return page(ordered, limit, before, after)


class TiesByIdDescending(PagingAdapter):
    """``ORDER BY inserted_at ASC, id DESC``: equal timestamps come out by id descending."""

    seeded_bug = "wrong order on ties (id descending)"

    def order(self, scope: list[Message]) -> list[Message]:
        by_id_descending = sorted(scope, key=lambda m: m.id, reverse=True)
        return sorted(
            by_id_descending,
            key=lambda m: (m.inserted_at is not None, m.inserted_at or _EARLIEST),
        )


class NoneTimestampsLast(PagingAdapter):
    """The backend's default null order (PostgreSQL ``ASC`` puts NULLs last)."""

    seeded_bug = "None timestamps sorted last"

    def order(self, scope: list[Message]) -> list[Message]:
        return [m for m in scope if m.inserted_at is not None] + [
            m for m in scope if m.inserted_at is None
        ]


class BeforeIncludesCursor(PagingAdapter):
    """``WHERE key <= cursor`` instead of ``<``: the cursor repeats on the next page."""

    seeded_bug = "cursor off by one (before includes the cursor)"

    def page(
        self, ordered: list[Message], limit: int, before: str | None, after: str | None
    ) -> list[Message]:
        if before is not None:
            stop = [m.id for m in ordered].index(before) + 1
            return ordered[max(0, stop - limit) : stop]
        return page(ordered, limit, before, after)


class LimitIgnored(PagingAdapter):
    """The query forgot its ``LIMIT``: every message of the window comes back."""

    seeded_bug = "limit ignored"

    def page(
        self, ordered: list[Message], limit: int, before: str | None, after: str | None
    ) -> list[Message]:
        return page(ordered, ALL, before, after)


class NewestFirst(PagingAdapter):
    """``ORDER BY inserted_at DESC LIMIT n`` returned without reversing the page."""

    seeded_bug = "get_messages returns newest-first"

    def page(
        self, ordered: list[Message], limit: int, before: str | None, after: str | None
    ) -> list[Message]:
        return list(reversed(page(ordered, limit, before, after)))


class ListThreadsNewest(MemoryAdapter):
    """``list_threads`` borrowed ``get_messages``' "newest ``limit``" window."""

    seeded_bug = "list_threads returns the newest instead of the oldest"
    expected_area: ClassVar[str] = "threads"

    def _list_threads(self, room_id: str, *, limit: int, after: str | None) -> list[Thread]:
        everything = super()._list_threads(room_id, limit=ALL, after=None)
        return everything[max(0, len(everything) - limit) :] if limit else []


class RoomsOrderedById(MemoryAdapter):
    """``list_rooms`` ordered by id only (``ORDER BY id``), ignoring ``inserted_at``."""

    seeded_bug = "list_rooms ignores inserted_at"
    expected_area: ClassVar[str] = "rooms"

    def _list_rooms(self, *, limit: int, after: str | None) -> list[Room]:
        return sorted(super()._list_rooms(limit=ALL, after=None), key=lambda room: room.id)[:limit]
