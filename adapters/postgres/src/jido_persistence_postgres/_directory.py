"""The directory search as one parameterised query, filtered and sorted by the server.

The name filter is the contract's literal, case-insensitive substring match:
``query_name.casefold() in value.casefold()``.  SQL's ``lower()``/``ILIKE`` are not
``casefold`` ("STRASSE" must match "straße"), so each row stores ``name_fold``, computed
in Python when the record is written, and the query is folded the same way.  With
``pg_trgm`` the match is ``name_fold LIKE '%<query>%'`` with ``%``, ``_`` and ``\\``
escaped, which the trigram GIN index serves; without it, ``strpos(name_fold, q) > 0``
(no pattern characters at all), a scan.
"""

from __future__ import annotations

from typing import Final

from jido_persistence.directory import directory_key
from jido_persistence.models import DirectoryTarget
from jido_persistence.validation import DirectoryQuery

__all__ = ["directory_query", "like_pattern"]

_LIKE_SPECIALS: Final = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})


def like_pattern(fold: str) -> str:
    """A ``LIKE ... ESCAPE '\\'`` pattern matching ``fold`` literally anywhere."""
    return "%" + fold.translate(_LIKE_SPECIALS) + "%"


def directory_query(
    schema: str,
    target: DirectoryTarget,
    query: DirectoryQuery,
    limit: int | None,
    *,
    trigram: bool,
) -> tuple[str, list[object]] | None:
    """The SQL and parameters of a directory search; ``None`` when nothing can match.

    ``schema`` is the quoted schema name.  Only one of a key's parts given matches
    nothing (contract section 4), which needs no query.
    """
    conditions: list[str] = []
    params: list[object] = []
    if query.id is not None:
        conditions.append("id = %s")
        params.append(query.id)
    name_fold = query.name_fold
    if name_fold is not None:
        if trigram:
            conditions.append("name_fold LIKE %s ESCAPE '\\'")
            params.append(like_pattern(name_fold))
        else:
            conditions.append("strpos(name_fold, %s) > 0")
            params.append(name_fold)
    if target == DirectoryTarget.PARTICIPANT:
        table = "participants"
        key_condition = "(doc -> 'external_ids' ->> %s::text) = %s::text"
    else:
        table = "rooms"
        key_condition = (
            f"id IN (SELECT room_id FROM {schema}.binding_keys"
            " WHERE channel = %s AND bridge_id = %s AND external_id = %s)"
        )
    key = directory_key(target, query)
    if key is None:
        return None
    if key:
        conditions.append(key_condition)
        params.extend(key)
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    params.append(limit)
    return f"SELECT doc FROM {schema}.{table}{where} ORDER BY id LIMIT %s::bigint", params
