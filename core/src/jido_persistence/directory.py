"""Directory matching rules (contract section 4, Directory).

Two rules every adapter applies, whatever its backend: :func:`name_fold` (the fold a
name is compared in: an adapter that filters in SQL stores it in a column, computed
here when the record is written) and :func:`directory_key` (the external key a query
filters on; a partial key matches nothing).  The predicates and searches below are the
definition that the in-memory reference adapter, and any adapter that filters in
Python, applies; SQL adapters express them in SQL with the two rules above.  The
search functions scan the records unless they are given a
:class:`~jido_persistence.ngrams.NameIndex` of the names, which narrows a name query
to the records holding its trigrams (same answer, see :mod:`jido_persistence.ngrams`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from jido_persistence._text import name_fold
from jido_persistence.models import DirectoryTarget, Participant, Room
from jido_persistence.ngrams import NameIndex
from jido_persistence.validation import DirectoryQuery

__all__ = [
    "directory_key",
    "name_fold",
    "name_matches",
    "participant_matches",
    "room_matches",
    "search_participants",
    "search_rooms",
]

RecordT = TypeVar("RecordT")


def directory_key(target: DirectoryTarget, query: DirectoryQuery) -> tuple[str, ...] | None:
    """The external key ``query`` filters ``target`` records on; ``None``: nothing matches.

    The key of a participant is ``(channel, external_id)`` (an entry of its
    ``external_ids``; ``bridge_id`` is ignored), of a room ``(channel, bridge_id,
    external_id)`` (a binding key pointing at it).  Returns ``()`` when the query gives
    none of the key's parts (no key filter), the full key when it gives all of them, and
    ``None`` when it gives some but not all: a partial key matches nothing (contract
    section 4), so an adapter answers ``[]`` without querying.
    """
    parts = (
        (query.channel, query.external_id)
        if target == DirectoryTarget.PARTICIPANT
        else (query.channel, query.bridge_id, query.external_id)
    )
    given = tuple(part for part in parts if part is not None)
    if len(given) not in (0, len(parts)):
        return None
    return given


def name_matches(value: object, name_fold_: str | None) -> bool:
    """Whether ``value`` is a ``str`` whose :func:`name_fold` contains ``name_fold_`` literally.

    ``None`` (no filter) matches everything; ``""`` matches every ``str``.
    """
    if name_fold_ is None:
        return True
    folded = name_fold(value)
    return folded is not None and name_fold_ in folded


def participant_matches(participant: Participant, query: DirectoryQuery) -> bool:
    """Whether ``participant`` satisfies every filter of ``query``.

    ``channel`` and ``external_id`` must both be given to match an entry of
    ``external_ids``; only one of them matches nothing.  ``bridge_id`` is ignored.
    """
    if query.id is not None and participant.id != query.id:
        return False
    if not name_matches(participant.identity.get("name"), query.name_fold):
        return False
    key = directory_key(DirectoryTarget.PARTICIPANT, query)
    if key is None:
        return False
    return not key or participant.external_ids.get(key[0]) == key[1]


def room_matches(room: Room, query: DirectoryQuery, bound_room_id: str | None) -> bool:
    """Whether ``room`` satisfies every filter of ``query``.

    ``bound_room_id`` is the room the binding key ``(channel, bridge_id, external_id)``
    of the query points at now (``None`` when unbound or the query has no full key).
    Some but not all of the three key parts match nothing.
    """
    if query.id is not None and room.id != query.id:
        return False
    if not name_matches(room.name, query.name_fold):
        return False
    key = directory_key(DirectoryTarget.ROOM, query)
    if key is None:
        return False
    return not key or bound_room_id == room.id


def search_participants(
    participants: Mapping[str, Participant],
    query: DirectoryQuery,
    limit: int | None,
    names: NameIndex | None = None,
) -> list[Participant]:
    """Scan ``participants`` (id -> record) for ``query``; sorted by id, then limited.

    O(n + m log m) for m matches; O(1) when the query names an ``id``; with ``names``
    (the index of ``identity["name"]``), a name query of three code points or more
    looks only at the records holding its trigrams.
    """
    candidates = _candidates(participants, query, names)
    found = sorted(
        (p for p in candidates if participant_matches(p, query)),
        key=lambda participant: participant.id,
    )
    return found[:limit]


def search_rooms(
    rooms: Mapping[str, Room],
    binding_keys: Mapping[tuple[str, str, str], str],
    query: DirectoryQuery,
    limit: int | None,
    names: NameIndex | None = None,
) -> list[Room]:
    """Scan ``rooms`` (id -> record) for ``query``; sorted by id, then limited.

    ``binding_keys`` maps each binding key to the room it points at now; ``names``
    indexes the rooms' names, as for :func:`search_participants`.
    """
    bound = None
    key = directory_key(DirectoryTarget.ROOM, query)
    if key:
        channel, bridge_id, external_id = key
        bound = binding_keys.get((channel, bridge_id, external_id))
    found = sorted(
        (room for room in _candidates(rooms, query, names) if room_matches(room, query, bound)),
        key=lambda room: room.id,
    )
    return found[:limit]


def _candidates(
    records: Mapping[str, RecordT], query: DirectoryQuery, names: NameIndex | None
) -> Iterable[RecordT]:
    if query.id is not None:
        record = records.get(query.id)
        return () if record is None else (record,)
    if names is not None and query.name_fold is not None:
        return (records[found] for found in names.matching(query.name_fold))
    return records.values()
