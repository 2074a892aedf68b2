"""Seeded bugs in export and import (contract 9.2)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar

from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import ImportReport
from jido_persistence.records import (
    MessageRecord,
    ParticipantKeyRecord,
    ParticipantRecord,
    Record,
)


class ImportDropsStaleKeys(MemoryAdapter):
    """A participant key whose participant is gone is not imported (stale keys lost)."""

    seeded_bug = "import_records drops stale participant keys"
    expected_area: ClassVar[str] = "round_trip"

    def _import_records(self, records: Iterable[Record]) -> ImportReport:
        seen: set[str] = set()

        def live(records: Iterable[Record]) -> Iterator[Record]:
            for record in records:
                gone = (
                    record.participant_id not in seen
                    if isinstance(record, ParticipantKeyRecord)
                    else False
                )
                if gone:
                    continue
                if isinstance(record, ParticipantRecord):
                    seen.add(record.record.id)
                yield record

        return super()._import_records(live(records))


class ExportMessagesByTime(MemoryAdapter):
    """Messages are exported in ``(inserted_at, id)`` order, not save order, so an import
    makes another holder of a shared key the most recently saved one."""

    seeded_bug = "export_records lists messages by time, not save order"
    expected_area: ClassVar[str] = "round_trip"

    def _export_records(self) -> Iterator[Record]:
        records = list(super()._export_records())
        messages = [record for record in records if isinstance(record, MessageRecord)]
        messages.sort(key=lambda record: (str(record.record.inserted_at), record.record.id))
        others = iter(messages)
        for record in records:
            yield next(others) if isinstance(record, MessageRecord) else record
