"""Export for adapters that hold their records in Python (the memory and TinyDB adapters).

Adapter-author toolkit.  :func:`export_from` turns an :class:`ExportSource` (the
adapter's dicts and sorted indexes, and its messages and threads in save order) into
the records of contract 9.2 in the order documented in
:mod:`jido_persistence.interchange`.  Records are yielded one at a time; memory beyond
the store is O(1) per message and per thread, and O(n) only for the small collections
that have no sorted index to walk (bridge configs, routing policies, room bindings,
ingress subscriptions, binding keys and participant keys are sorted by id here).

:class:`ImportTally` counts what an import takes and builds the
:class:`~jido_persistence.models.ImportReport`; :func:`refuse_non_empty` is the
"import only into an empty store" error.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jido_persistence.errors import InvalidArgument
from jido_persistence.models import (
    BridgeConfig,
    ImportReport,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
)
from jido_persistence.records import (
    BindingKeyRecord,
    BridgeConfigRecord,
    IngressSubscriptionRecord,
    MessageKeyRecord,
    MessageRecord,
    OnboardingRecord,
    ParticipantKeyRecord,
    ParticipantRecord,
    Record,
    RoomBindingRecord,
    RoomRecord,
    RoutingPolicyRecord,
    ThreadExternalKeyRecord,
    ThreadRecord,
    ThreadRootKeyRecord,
)
from jido_persistence.validation import message_external_key

__all__ = ["ExportSource", "ImportTally", "export_from", "refuse_non_empty"]


@dataclass(frozen=True)
class ExportSource:
    """What :func:`export_from` reads of a store held in Python (under the store's lock).

    ``participants`` and ``onboarding`` are id-sorted mappings and ``room_order`` the
    ``(inserted_at, id)`` sorted keys of ``rooms`` (their third item is the id), as the
    enumeration group pages them.  ``threads`` and ``messages`` give a fresh iterator
    over the records in save order (oldest save first) on each call; the ``resolve_*``
    callables answer which id a key resolves to now.
    """

    bridge_configs: Mapping[str, BridgeConfig]
    rooms: Mapping[str, Room]
    room_order: Iterable[tuple[Any, Any, str]]
    participants: Mapping[str, Participant]
    routing_policies: Mapping[str, RoutingPolicy]
    bindings: Mapping[str, RoomBinding]
    onboarding: Mapping[str, dict[str, Any]]
    ingress: Iterable[IngressSubscription]
    threads: Callable[[], Iterable[Thread]]
    messages: Callable[[], Iterable[Message]]
    binding_keys: Mapping[tuple[str, str, str], str]
    participant_keys: Mapping[tuple[str, str], str]
    resolve_message_key: Callable[[tuple[str, str, str]], str | None]
    resolve_thread_external_key: Callable[[tuple[str, str]], str | None]
    resolve_thread_root_key: Callable[[tuple[str, str]], str | None]


def export_from(source: ExportSource) -> Iterator[Record]:
    """Every record and key of ``source``, in the documented export order."""
    for config_id in sorted(source.bridge_configs):
        yield BridgeConfigRecord(record=source.bridge_configs[config_id])
    for entry in source.room_order:
        yield RoomRecord(record=source.rooms[entry[2]])
    for participant in source.participants.values():
        yield ParticipantRecord(record=participant)
    for room_id in sorted(source.routing_policies):
        yield RoutingPolicyRecord(record=source.routing_policies[room_id])
    for binding_id in sorted(source.bindings):
        yield RoomBindingRecord(record=source.bindings[binding_id])
    for flow in source.onboarding.values():
        yield OnboardingRecord(record=copy.deepcopy(flow))
    by_key = sorted(source.ingress, key=lambda found: (found.bridge_id, found.subscription_id))
    for subscription in by_key:
        yield IngressSubscriptionRecord(record=subscription)
    for thread in source.threads():
        yield ThreadRecord(record=thread)
    for message in source.messages():
        yield MessageRecord(record=message)
    yield from _keys(source)


def _keys(source: ExportSource) -> Iterator[Record]:
    for binding_key in sorted(source.binding_keys):
        channel, bridge_id, external_id = binding_key
        yield BindingKeyRecord(
            channel=channel,
            bridge_id=bridge_id,
            external_id=external_id,
            room_id=source.binding_keys[binding_key],
        )
    for participant_key in sorted(source.participant_keys):
        yield ParticipantKeyRecord(
            channel=participant_key[0],
            external_id=participant_key[1],
            participant_id=source.participant_keys[participant_key],
        )
    for message in source.messages():
        key = message_external_key(message)
        if key is not None and source.resolve_message_key(key) == message.id:
            yield MessageKeyRecord(
                channel=key[0], bridge_id=key[1], external_id=key[2], message_id=message.id
            )
    for thread in source.threads():
        external = thread.external_thread_id
        if external is None:
            continue
        if source.resolve_thread_external_key((thread.room_id, external)) == thread.id:
            yield ThreadExternalKeyRecord(
                room_id=thread.room_id, external_thread_id=external, thread_id=thread.id
            )
    for thread in source.threads():
        root = thread.root_message_id
        if root is not None and source.resolve_thread_root_key((thread.room_id, root)) == thread.id:
            yield ThreadRootKeyRecord(
                room_id=thread.room_id, root_message_id=root, thread_id=thread.id
            )


class ImportTally:
    """Counts the records an import takes, by kind, for its :class:`ImportReport`."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def take(self, record: Record) -> Record:
        """Count ``record`` and return it."""
        self._counts[record.kind] += 1
        return record

    def report(self) -> ImportReport:
        """The report of what was taken so far."""
        return ImportReport(records=self._counts.total(), by_kind=dict(self._counts))


def refuse_non_empty(found: Iterable[str]) -> None:
    """Raise InvalidArgument when ``found`` names anything the target store holds."""
    held = list(found)
    if held:
        raise InvalidArgument(
            "import_records() writes only into an empty store; this one holds "
            + ", ".join(held)
            + " (nothing was written)"
        )
