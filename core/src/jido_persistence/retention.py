"""Retention policies on top of the retention group: ``prune`` removes old messages.

Each limit given is enforced in every room pruned: afterwards no room holds a
message older than ``older_than`` (``None`` timestamps count as older than every
datetime), nor more than ``keep_last`` messages (the newest ones stay).  A message is
removed when either limit says so.

Per room the work is one ``delete_messages`` call for the age limit and, for
``keep_last``, one page read to find the cut and one ``delete_messages`` call, plus a
``delete_message`` for each message that ties with the cut on ``inserted_at`` (rare:
``delete_messages`` cuts by timestamp, the position is by ``(inserted_at, id)``).
``dry_run=True`` reads instead (paging each room backwards, O(its messages)) and
writes nothing; its report equals the report the same call without ``dry_run`` would
give on the same data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import InvalidArgument, NotSupported
from jido_persistence.models import Message, utc_now
from jido_persistence.validation import require_id

__all__ = ["PruneProgress", "PruneReport", "prune"]

PAGE: Final = 1000
"""Messages read per ``get_messages`` call (dry runs and tie clean-up)."""

_ALL_ROOMS: Final = 2**63 - 1


@dataclass(frozen=True)
class PruneProgress:
    """A progress event: room ``done`` of ``total`` finished, ``removed`` so far."""

    room_id: str
    done: int
    total: int
    removed: int


@dataclass
class PruneReport:
    """What :func:`prune` removed (or, with ``dry_run``, would remove).

    ``by_room`` lists only rooms that lost messages; ``cut`` is the ``before`` of the
    age limit (``None`` without ``older_than``).
    """

    rooms: int = 0
    """Rooms examined."""
    messages: int = 0
    """Messages removed (would be removed, in a dry run)."""
    by_room: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    cut: datetime | None = None
    keep_last: int | None = None


def prune(
    store: PersistenceAdapter,
    older_than: timedelta | None = None,
    keep_last: int | None = None,
    rooms: Iterable[str] | None = None,
    dry_run: bool = False,
    *,
    now: datetime | None = None,
    progress: Callable[[PruneProgress], None] | None = None,
) -> PruneReport:
    """Remove the messages that ``older_than`` or ``keep_last`` condemn, room by room.

    ``older_than``: messages with ``inserted_at < now - older_than`` go.
    ``keep_last``: all but the newest ``keep_last`` messages of each room go (0 empties
    the room).  ``rooms``: the room ids to prune; ``None``: every room ``list_rooms``
    lists (messages of a room without a room record are pruned only when named).
    ``now`` defaults to the current time (aware; naive raises InvalidArgument).
    ``progress`` is called after each room.

    Raises InvalidArgument (no limit given, a negative ``older_than``, a ``keep_last``
    that is not an ``int >= 0``, a bad room id) before anything is removed, and
    NotSupported when the store lacks the retention group.  Each room is pruned by
    atomic callbacks, but the run as a whole is not atomic: re-running it is safe.
    O(rooms x calls per room); a dry run is O(messages read).
    """
    cut = _cut(older_than, now)
    if keep_last is not None and (type(keep_last) is not int or keep_last < 0):
        raise InvalidArgument(f"keep_last must be an int >= 0, got {keep_last!r}")
    if cut is None and keep_last is None:
        raise InvalidArgument("nothing to prune: give older_than, keep_last or both")
    if not store.capabilities.retention:
        raise NotSupported("delete_messages", type(store).__name__)
    room_ids = _room_ids(store, rooms)
    report = PruneReport(rooms=len(room_ids), dry_run=dry_run, cut=cut, keep_last=keep_last)
    for done, room_id in enumerate(room_ids, start=1):
        if dry_run:
            removed = _count_condemned(store, room_id, cut, keep_last)
        else:
            removed = _prune_room(store, room_id, cut, keep_last)
        if removed:
            report.by_room[room_id] = removed
            report.messages += removed
        if progress is not None:
            progress(PruneProgress(room_id, done, len(room_ids), report.messages))
    return report


def _cut(older_than: timedelta | None, now: datetime | None) -> datetime | None:
    if older_than is None:
        return None
    if not isinstance(older_than, timedelta) or older_than < timedelta(0):
        raise InvalidArgument(f"older_than must be a timedelta >= 0, got {older_than!r}")
    if now is None:
        now = utc_now()
    elif not isinstance(now, datetime) or now.tzinfo is None:
        raise InvalidArgument(f"now must be an aware datetime, got {now!r}")
    moment = now.astimezone(UTC)
    floor = datetime.min.replace(tzinfo=UTC)
    return floor if moment - floor < older_than else moment - older_than


def _room_ids(store: PersistenceAdapter, rooms: Iterable[str] | None) -> list[str]:
    if rooms is None:
        return [room.id for room in store.list_rooms(limit=_ALL_ROOMS)]
    if isinstance(rooms, str):
        raise InvalidArgument("rooms must be an iterable of room ids, not one string")
    return list(dict.fromkeys(require_id("room_id", room_id) for room_id in rooms))


def _prune_room(
    store: PersistenceAdapter, room_id: str, cut: datetime | None, keep_last: int | None
) -> int:
    removed = 0 if cut is None else store.delete_messages(room_id, before=cut)
    if keep_last is None:
        return removed
    newest = store.get_messages(room_id, limit=keep_last + 1)
    if len(newest) <= keep_last:
        return removed
    boundary, oldest_kept = newest[0], (newest[1] if keep_last else None)
    if boundary.inserted_at is not None:
        removed += store.delete_messages(room_id, before=boundary.inserted_at)
    # What is left before the oldest kept message ties with the boundary on inserted_at
    # (or has none): remove it one by one.
    while True:
        if oldest_kept is None:
            page = store.get_messages(room_id, limit=PAGE)
        else:
            page = store.get_messages(room_id, limit=PAGE, before=oldest_kept.id)
        if not page:
            return removed
        for message in page:
            store.delete_message(message.id)
        removed += len(page)


def _count_condemned(
    store: PersistenceAdapter, room_id: str, cut: datetime | None, keep_last: int | None
) -> int:
    condemned = 0
    for position, message in enumerate(_newest_first(store, room_id)):
        beyond = keep_last is not None and position >= keep_last
        if beyond or _older(message, cut):
            condemned += 1
    return condemned


def _older(message: Message, cut: datetime | None) -> bool:
    if cut is None:
        return False
    return message.inserted_at is None or message.inserted_at < cut


def _newest_first(store: PersistenceAdapter, room_id: str) -> Iterator[Message]:
    page = store.get_messages(room_id, limit=PAGE)
    while page:
        yield from reversed(page)
        page = store.get_messages(room_id, limit=PAGE, before=page[0].id)
