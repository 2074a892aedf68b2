"""The TinyDB adapter's export and import (contract 9.2), a mixin of ``TinyDBAdapter``.

Export holds the store's lock while its iterator runs and streams the in-memory image
through :func:`~jido_persistence.state_interchange.export_from`.  Messages and threads
go in save order, their documents' ``_seq``: when the documents are already in that
order (checked in one pass over their text, without decoding) they are streamed as
they are, otherwise their ids are sorted by ``_seq`` first (O(n) ids).  Messages are
decoded from their documents without entering the decoded-message cache.

Import refuses a store that holds anything, turns the records into operations (save
sequences numbered in file order, so the last holder of a key in the file is its most
recently saved one) and commits them as ONE journal record: nothing is written until
every record has been read and checked, and a crash leaves all or nothing.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel

from jido_persistence.errors import InvalidArgument
from jido_persistence.models import ImportReport, Message, Thread
from jido_persistence.records import (
    KEY_KINDS,
    BindingKeyRecord,
    OnboardingRecord,
    ParticipantKeyRecord,
    Record,
    RoomBindingRecord,
)
from jido_persistence.state_interchange import (
    ExportSource,
    ImportTally,
    export_from,
    refuse_non_empty,
)
from jido_persistence.transactions import StoreLock
from jido_persistence_tinydb._state import StoreState
from jido_persistence_tinydb._tables import SEQUENCE_FIELD, Op, encode_model, put

__all__ = ["TinyDBInterchange", "document_sequence", "save_order"]

K = TypeVar("K")

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

_SEQUENCE_MARK = b'"' + SEQUENCE_FIELD.encode() + b'":'


def document_sequence(text: bytes) -> int:
    """The ``_seq`` of a message or thread document, read from its text."""
    at = text.rfind(_SEQUENCE_MARK)
    if at >= 0:
        tail = text[at + len(_SEQUENCE_MARK) :].split(b",", 1)[0].split(b"}", 1)[0]
        if tail.strip().isdigit():
            return int(tail)
    return int(json.loads(text)[SEQUENCE_FIELD])


def save_order(docs: dict[K, bytes]) -> Iterable[K]:
    """The keys of ``docs`` by their documents' ``_seq`` (oldest save first)."""
    last = -1
    for text in docs.values():
        sequence = document_sequence(text)
        if sequence <= last:
            return [key for _, key in sorted((document_sequence(t), k) for k, t in docs.items())]
        last = sequence
    return docs.keys()


def _message(state: StoreState, message_id: str) -> Message:
    cached = state.messages.cached(message_id)
    if cached is not None:
        return cached
    doc = json.loads(state.docs["messages"][message_id])
    doc.pop(SEQUENCE_FIELD, None)
    return Message.model_validate(doc)


class TinyDBInterchange:
    """``_export_records`` and ``_import_records`` over the TinyDB store's image."""

    _lock: StoreLock
    _state: StoreState

    if TYPE_CHECKING:

        def _check_open(self) -> None: ...
        def _commit(self, ops: list[Op]) -> None: ...

    def _export_records(self) -> Iterator[Record]:
        """Every record and key, in the documented order."""
        with self._lock:
            self._check_open()
            state = self._state

            def messages() -> Iterator[Message]:
                for message_id in save_order(state.docs["messages"]):
                    yield _message(state, str(message_id))

            def threads() -> Iterator[Thread]:
                for thread_id in save_order(state.docs["threads"]):
                    yield state.threads[str(thread_id)]

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
                    threads=threads,
                    messages=messages,
                    binding_keys=state.binding_keys,
                    participant_keys=state.participant_keys,
                    resolve_message_key=state.message_keys.resolve,
                    resolve_thread_external_key=state.thread_external_keys.resolve,
                    resolve_thread_root_key=state.thread_root_keys.resolve,
                )
            )

    def _import_records(self, records: Iterable[Record]) -> ImportReport:
        """Write ``records`` into this empty store as one journal record.  O(n log n)."""
        with self._lock:
            self._check_open()
            refuse_non_empty(
                table.replace("_", " ") for table, docs in self._state.docs.items() if docs
            )
            tally = ImportTally()
            ops: list[Op] = []
            sequence = self._state.next_save_sequence()
            bindings: set[tuple[str, ...]] = set()
            for record in records:
                tally.take(record)
                if record.kind in KEY_KINDS:
                    _key_op(record, ops)
                    continue
                if isinstance(record, OnboardingRecord):
                    flow = copy.deepcopy(record.record)
                    ops.append(put("onboarding", flow, copy.deepcopy(flow)))
                    continue
                if isinstance(record, RoomBindingRecord):
                    _check_binding(record, bindings)
                table = _TABLE_OF_KIND[record.kind]
                value: BaseModel = record.record  # type: ignore[union-attr]
                sequenced = table in ("messages", "threads")
                ops.append(put(table, encode_model(value, sequence if sequenced else None), value))
                sequence += sequenced
            self._commit(ops)
            return tally.report()


def _key_op(record: Record, ops: list[Op]) -> None:
    """The operation of a key record (message and thread keys need none)."""
    if isinstance(record, BindingKeyRecord):
        doc = {
            "channel": record.channel,
            "bridge_id": record.bridge_id,
            "external_id": record.external_id,
            "room_id": record.room_id,
        }
        ops.append(put("binding_keys", doc, record.room_id))
    elif isinstance(record, ParticipantKeyRecord):
        doc = {
            "channel": record.channel,
            "external_id": record.external_id,
            "participant_id": record.participant_id,
        }
        ops.append(put("participant_keys", doc, record.participant_id))


def _check_binding(record: RoomBindingRecord, seen: set[tuple[str, ...]]) -> None:
    binding = record.record
    by_key = (binding.room_id, binding.channel, binding.bridge_id, binding.external_room_id)
    if (binding.id,) in seen or by_key in seen:
        raise InvalidArgument(
            f"room binding {binding.id!r}: a second record with its id, or with its room and key"
        )
    seen.update({(binding.id,), by_key})
