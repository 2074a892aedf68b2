"""Export and import (contract 9.2) of every adapter whose records live in an
:class:`~jido_persistence.state.InMemoryState`: the memory and TinyDB adapters.

:class:`StateInterchange` is a mixin beside :class:`~jido_persistence.state_reads.StateReads`
and :class:`~jido_persistence.state_writes.StateWrites`.  Export holds the store's lock
while its iterator runs (writers of other threads wait for it; consume or close the
iterator on the thread that started it) and streams the records through
:func:`~jido_persistence.state_interchange.export_from`, messages and threads in save
order (:meth:`StateInterchange._saved_messages`, which an adapter keeping messages
elsewhere overrides).  Import refuses a store that holds anything, turns every record
into a record-level change (save sequences in file order, so the last holder of a key
in the file is its most recently saved one) and hands them to ``_commit`` as ONE list
once every record has been read and checked: all or nothing.  O(n log n).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from jido_persistence.errors import InvalidArgument
from jido_persistence.models import ImportReport, Message, Thread
from jido_persistence.records import (
    BindingKeyRecord,
    OnboardingRecord,
    ParticipantKeyRecord,
    Record,
    RoomBindingRecord,
)
from jido_persistence.state import TABLES, InMemoryState, RecordChange, RecordPut, record_put
from jido_persistence.state_interchange import (
    ExportSource,
    ImportTally,
    export_from,
    refuse_non_empty,
)
from jido_persistence.transactions import StoreLock

__all__ = ["StateInterchange"]

_TABLE_OF_KIND = {
    "bridge_config": "bridge_configs",
    "room": "rooms",
    "participant": "participants",
    "routing_policy": "routing_policies",
    "room_binding": "room_bindings",
    "ingress_subscription": "ingress_subscriptions",
    "thread": "threads",
    "message": "messages",
}


class StateInterchange:
    """``_export_records`` and ``_import_records`` on ``self._state``."""

    _lock: StoreLock
    _state: InMemoryState

    if TYPE_CHECKING:

        def _check_open(self) -> None: ...
        def _commit(self, changes: list[RecordChange]) -> None: ...

    def _saved_messages(self) -> Iterator[Message]:
        """The messages, oldest save first (a save moves a record to the end of the
        state's dicts)."""
        return iter(self._state.messages.values())

    def _saved_threads(self) -> Iterator[Thread]:
        """The threads, oldest save first."""
        return iter(self._state.threads.values())

    def _export_records(self) -> Iterator[Record]:
        """Every record and key, in the documented order; O(1) memory per message."""
        with self._lock:
            self._check_open()
            state = self._state
            yield from export_from(
                ExportSource(
                    bridge_configs=state.bridge_configs,
                    rooms=state.rooms,
                    room_order=state.room_order,
                    participants=state.participants,
                    routing_policies=state.routing_policies,
                    bindings=state.bindings,
                    onboarding=state.onboarding,
                    ingress=[sub for subs in state.ingress.values() for sub in subs.values()],
                    threads=self._saved_threads,
                    messages=self._saved_messages,
                    binding_keys=state.binding_keys,
                    participant_keys=state.participant_keys,
                    resolve_message_key=state.message_keys.resolve,
                    resolve_thread_external_key=state.thread_external_keys.resolve,
                    resolve_thread_root_key=state.thread_root_keys.resolve,
                )
            )

    def _held(self) -> list[str]:
        """The tables holding something, named for the "not empty" error."""
        state = self._state
        sizes = state.row_counts()
        sizes["participant_keys"] = len(state.participant_keys)
        sizes["binding_keys"] = len(state.binding_keys)
        return [table.replace("_", " ") for table in TABLES if sizes[table]]

    def _import_records(self, records: Iterable[Record]) -> ImportReport:
        """Write ``records`` into this empty store, all or nothing.  O(n log n)."""
        with self._lock:
            self._check_open()
            refuse_non_empty(self._held())
            tally = ImportTally()
            changes: list[RecordChange] = []
            bindings: set[tuple[str, ...]] = set()
            for record in records:
                tally.take(record)
                change = _change_of(record, bindings)
                if change is not None:
                    changes.append(change)
            self._commit(changes)
            return tally.report()


def _change_of(record: Record, bindings: set[tuple[str, ...]]) -> RecordChange | None:
    """The change importing ``record`` makes (message and thread keys need none: they
    follow from the save order)."""
    if isinstance(record, BindingKeyRecord):
        key = (record.channel, record.bridge_id, record.external_id)
        return RecordPut("binding_keys", key, record.room_id)
    if isinstance(record, ParticipantKeyRecord):
        return RecordPut(
            "participant_keys", (record.channel, record.external_id), record.participant_id
        )
    if isinstance(record, OnboardingRecord):
        return record_put("onboarding", copy.deepcopy(record.record))
    table = _TABLE_OF_KIND.get(record.kind)
    if table is None:
        return None
    if isinstance(record, RoomBindingRecord):
        _check_binding(record, bindings)
    return record_put(table, record.record)  # type: ignore[union-attr]


def _check_binding(record: RoomBindingRecord, seen: set[tuple[str, ...]]) -> None:
    binding = record.record
    by_key = (binding.room_id, binding.channel, binding.bridge_id, binding.external_room_id)
    if (binding.id,) in seen or by_key in seen:
        raise InvalidArgument(
            f"room binding {binding.id!r}: a second record with its id, or with its room and key"
        )
    seen.update({(binding.id,), by_key})
