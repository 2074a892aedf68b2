"""Directory matching rules (contract section 4, Directory), for adapters that scan.

SQL adapters express the same rules in SQL; these predicates are the definition that
the in-memory reference adapter, and any adapter that filters in Python, applies.
"""

from __future__ import annotations

from jido_persistence.models import Participant, Room
from jido_persistence.validation import DirectoryQuery

__all__ = ["name_matches", "participant_matches", "room_matches"]


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
