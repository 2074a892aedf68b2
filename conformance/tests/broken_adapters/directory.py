"""Seeded bugs in ``directory_search`` and ``directory_lookup``."""

from __future__ import annotations

import dataclasses
import re
from typing import ClassVar

from jido_persistence.errors import NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import DirectoryTarget, Participant, Room
from jido_persistence.validation import DirectoryQuery


def _name_of(record: Participant | Room) -> object:
    return record.identity.get("name") if isinstance(record, Participant) else record.name


class NameFilterAdapter(MemoryAdapter):
    """Filters names with :meth:`name_matches`; the reference's rule unless overridden."""

    seeded_bug: ClassVar[str] = "none (the name-filter base)"
    expected_area: ClassVar[str] = "directory"

    def _directory_search(
        self, target: DirectoryTarget, query: DirectoryQuery, *, limit: int | None
    ) -> list[Participant] | list[Room]:
        if query.name is None:
            return super()._directory_search(target, query, limit=limit)
        rest = dataclasses.replace(query, name=None)
        found = [
            record
            for record in super()._directory_search(target, rest, limit=None)
            if self.name_matches(_name_of(record), query.name)
        ]
        return found[:limit]  # type: ignore[return-value]

    def name_matches(self, value: object, name: str) -> bool:
        """The contract's rule: a casefolded literal substring of a ``str`` value."""
        return isinstance(value, str) and name.casefold() in value.casefold()


class PercentIsWildcard(NameFilterAdapter):
    """An unescaped ``ILIKE '%' || name || '%'``: ``%`` and ``_`` in a name are wildcards."""

    seeded_bug = "% and _ treated as wildcards"

    def name_matches(self, value: object, name: str) -> bool:
        if not isinstance(value, str):
            return False
        pattern = "".join(
            ".*" if char == "%" else "." if char == "_" else re.escape(char)
            for char in name.casefold()
        )
        return re.search(pattern, value.casefold(), re.DOTALL) is not None


class LowerInsteadOfCasefold(NameFilterAdapter):
    """SQL ``lower()`` instead of ``casefold``: "STRASSE" no longer finds "straße"."""

    seeded_bug = "casefold replaced by lower()"

    def name_matches(self, value: object, name: str) -> bool:
        return isinstance(value, str) and name.lower() in value.lower()


class AmbiguousLookupReturnsFirst(MemoryAdapter):
    """``directory_lookup`` as ``search(...)[0]``: several matches return the first."""

    seeded_bug = "ambiguous lookup returns the first match"
    expected_area: ClassVar[str] = "directory"

    def _directory_lookup(
        self, target: DirectoryTarget, query: DirectoryQuery
    ) -> Participant | Room:
        matches = self._directory_search(target, query, limit=None)
        if not matches:
            raise NotFound(target.value, query)
        return matches[0]
