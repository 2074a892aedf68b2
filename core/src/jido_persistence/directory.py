"""Directory matching rules (contract section 4, Directory), for adapters that filter
in Python.

SQL adapters express the same rules in SQL; these predicates are the definition that
the in-memory reference adapter, and any adapter that filters in Python, applies.  The
search functions scan the records unless they are given a
:class:`~jido_persistence.ngrams.NameIndex` of the names, which narrows a name query
to the records holding its trigrams (same answer, see :mod:`jido_persistence.ngrams`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from jido_persistence.models import Participant, Room
from jido_persistence.ngrams import NameIndex
from jido_persistence.validation import DirectoryQuery

__all__ = [
    "name_matches",
    "participant_matches",
    "room_matches",
    "search_participants",
    "search_rooms",
]

RecordT = TypeVar("RecordT")


def name_matches(value: object, name_fold: str | None) -> bool:
    """Whether ``value`` is a ``str`` whose casefold contains ``name_fold`` literally.

    ``None`` (no filter) matches everything; ``""`` matches every ``str``.
    """
    if name_fold is None:
        return True
    return isinstance(value, str) and name_fold in value.casefold()


def participant_matches(participant: Participant, query: DirectoryQuery) -> bool:
    """Whether ``participant`` satisfies every filter of ``query``.

    ``channel`` and ``external_id`` must both be given to match an entry of
    ``external_ids``; only one of them matches nothing.  ``bridge_id`` is ignored.
    """
    if query.id is not None and participant.id != query.id:
        return False
    if not name_matches(participant.identity.get("name"), query.name_fold):
        return False
    if query.channel is None and query.external_id is None:
        return True
    if query.channel is None or query.external_id is None:
        return False
    return participant.external_ids.get(query.channel) == query.external_id


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
    key_parts = (query.channel, query.bridge_id, query.external_id)
    given = sum(part is not None for part in key_parts)
    if given == 0:
        return True
    if given < len(key_parts):
        return False
    return bound_room_id == room.id


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
    if query.channel is not None and query.bridge_id is not None and query.external_id is not None:
        bound = binding_keys.get((query.channel, query.bridge_id, query.external_id))
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
