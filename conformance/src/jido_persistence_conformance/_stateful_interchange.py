"""The comparison machine's export/import rule (contract 9.2), when ``capabilities.enumeration``.

``export_and_import`` exports the store under test in the middle of a run, imports the
export into a fresh store of the same adapter (the factory's), checks that the copy's
export is the original's line for line and that the import reported every record, and
then **continues the run on the copy**: the original is closed, and every later step
and invariant compares the copy with the reference.  So the copy must answer every
read as the reference does (the machine's full reads and raw index at once), and go on
behaving as the reference under further writes: re-saves, deletes that make keys fall
back to the next most recent holder, cascades, get-or-create on stale keys.  At most
:data:`ROUND_TRIPS` per run (each opens a store: a file or a schema).
"""

from __future__ import annotations

from typing import Final

from hypothesis.stateful import precondition, rule

from jido_persistence.interchange import encode_record
from jido_persistence_conformance._stateful_base import _ComparisonBase

ROUND_TRIPS: Final = 2
"""Export/import round trips per run of the machine, at most."""


class _InterchangeRules(_ComparisonBase):
    """``export_records`` into ``import_records`` of a fresh store, then run on the copy."""

    round_trips = 0

    @precondition(
        lambda self: self.store.capabilities.enumeration and self.round_trips < ROUND_TRIPS
    )
    @rule()
    def export_and_import(self) -> None:
        """Move the store under test into a fresh one through its own export; go on there."""
        self.round_trips += 1
        original = self.store
        copy = self.store_factory.create()
        try:
            report = copy.import_records(original.export_records())
            exported = [encode_record(record) for record in original.export_records()]
            assert report.records == len(exported), (
                f"import_records() reported {report.records} records of an export of "
                f"{len(exported)}"
            )
            copied = [encode_record(record) for record in copy.export_records()]
            assert copied == exported, (
                f"the imported store's export differs from the original's "
                f"({len(copied)} lines against {len(exported)}):\n  original: "
                f"{_first_difference(exported, copied)}\n  imported: "
                f"{_first_difference(copied, exported)}"
            )
        except BaseException:
            copy.close()
            raise
        original.close()
        self.store = copy
        self.dirty = True
        self.raw_indexes_agree()


def _first_difference(lines: list[bytes], other: list[bytes]) -> str:
    """The first line of ``lines`` that ``other`` does not have at its place, clipped."""
    for index, line in enumerate(lines):
        if index >= len(other) or other[index] != line:
            return f"line {index + 1}: {line[:300]!r}"
    return "(nothing more)"
