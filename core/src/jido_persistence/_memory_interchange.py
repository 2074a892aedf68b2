"""The memory adapter's export and import (contract 9.2), a mixin of ``MemoryAdapter``.

Export holds the store's lock while its iterator runs (writers of other threads wait
for it; consume or close the iterator on the thread that started it) and streams the
records through :func:`~jido_persistence.state_interchange.export_from`: messages and
threads are walked in the dicts' own order, which is save order (a save moves the
record to the end).  Import refuses a store that holds anything, then writes the
records as they come, under the lock; if anything fails midway (a bad record, the
source failing), the store is put back as it was, empty.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from jido_persistence.errors import InvalidArgument
from jido_persistence.indexes import KeyHolders
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
    MessageRecord,
    OnboardingRecord,
    ParticipantKeyRecord,
    ParticipantRecord,
    Record,
    RoomBindingRecord,
    RoomRecord,
    RoutingPolicyRecord,
    ThreadRecord,
)
from jido_persistence.state_interchange import (
    ExportSource,
    ImportTally,
    export_from,
    refuse_non_empty,
)
from jido_persistence.transactions import StoreLock, restore_state, snapshot_state, state_attributes

__all__ = ["MemoryInterchange"]


class MemoryInterchange:
    """``_export_records`` and ``_import_records`` over the memory adapter's dicts."""

    _lock: StoreLock
    _rooms: dict[str, Room]
    _room_order: Any
    _participants: dict[str, Participant]
    _participant_keys: dict[tuple[str, str], str]
    _messages: dict[str, Message]
    _message_keys: KeyHolders[tuple[str, str, str]]
    _threads: dict[str, Thread]
    _thread_external_keys: KeyHolders[tuple[str, str]]
    _thread_root_keys: KeyHolders[tuple[str, str]]
    _binding_keys: dict[tuple[str, str, str], str]
    _bindings: dict[str, RoomBinding]
    _room_bindings: dict[str, dict[str, RoomBinding]]
    _binding_by_room_key: dict[tuple[str, tuple[str, str, str]], str]
    _onboarding: dict[str, dict[str, Any]]
    _bridge_configs: dict[str, BridgeConfig]
    _routing_policies: dict[str, RoutingPolicy]
    _ingress: dict[tuple[str, str], IngressSubscription]

    if TYPE_CHECKING:

        def _check_open(self) -> None: ...
        def _store_message(self, message: Message) -> None: ...
        def _store_thread(self, thread: Thread) -> None: ...
        def _save_room(self, room: Room) -> Room: ...

    def _export_records(self) -> Iterator[Record]:
        """Every record and key, in the documented order; O(1) memory per message."""
        with self._lock:
            self._check_open()
            yield from export_from(
                ExportSource(
                    bridge_configs=self._bridge_configs,
                    rooms=self._rooms,
                    room_order=self._room_order,
                    participants=self._participants,
                    routing_policies=self._routing_policies,
                    bindings=self._bindings,
                    onboarding=self._onboarding,
                    ingress=self._ingress.values(),
                    threads=self._threads.values,
                    messages=self._messages.values,
                    binding_keys=self._binding_keys,
                    participant_keys=self._participant_keys,
                    resolve_message_key=self._message_keys.resolve,
                    resolve_thread_external_key=self._thread_external_keys.resolve,
                    resolve_thread_root_key=self._thread_root_keys.resolve,
                )
            )

    def _held(self) -> list[str]:
        tables = {
            "rooms": self._rooms,
            "participants": self._participants,
            "participant keys": self._participant_keys,
            "messages": self._messages,
            "threads": self._threads,
            "room bindings": self._bindings,
            "binding keys": self._binding_keys,
            "onboarding flows": self._onboarding,
            "bridge configs": self._bridge_configs,
            "routing policies": self._routing_policies,
            "ingress subscriptions": self._ingress,
        }
        return [name for name, table in tables.items() if table]

    def _import_records(self, records: Iterable[Record]) -> ImportReport:
        """Write ``records`` into this empty store, all or nothing.  O(n log n)."""
        with self._lock:
            self._check_open()
            refuse_non_empty(self._held())
            saved = snapshot_state(self, state_attributes(self))
            tally = ImportTally()
            try:
                for record in records:
                    self._import_one(tally.take(record))
            except BaseException:
                restore_state(self, saved)
                raise
            return tally.report()

    def _import_one(self, record: Record) -> None:
        match record:
            case MessageRecord(record=message):
                self._store_message(message)
            case ThreadRecord(record=thread):
                self._store_thread(thread)
            case RoomRecord(record=room):
                self._save_room(room)
            case ParticipantRecord(record=participant):
                self._participants[participant.id] = participant
            case RoomBindingRecord(record=binding):
                self._import_binding(binding)
            case OnboardingRecord(record=flow):
                self._onboarding[str(flow["onboarding_id"])] = copy.deepcopy(flow)
            case BridgeConfigRecord(record=config):
                self._bridge_configs[config.id] = config
            case RoutingPolicyRecord(record=policy):
                self._routing_policies[policy.room_id] = policy
            case IngressSubscriptionRecord(record=subscription):
                self._ingress[(subscription.bridge_id, subscription.subscription_id)] = subscription
            case BindingKeyRecord():
                key = (record.channel, record.bridge_id, record.external_id)
                self._binding_keys[key] = record.room_id
            case ParticipantKeyRecord():
                self._participant_keys[(record.channel, record.external_id)] = record.participant_id
            case _:
                pass  # message and thread keys follow from the save order

    def _import_binding(self, binding: RoomBinding) -> None:
        by_room_key = (
            binding.room_id,
            (binding.channel, binding.bridge_id, binding.external_room_id),
        )
        if binding.id in self._bindings or by_room_key in self._binding_by_room_key:
            raise InvalidArgument(
                f"room binding {binding.id!r}: a second record with its id, or with its room "
                "and key"
            )
        self._bindings[binding.id] = binding
        self._room_bindings.setdefault(binding.room_id, {})[binding.id] = binding
        self._binding_by_room_key[by_room_key] = binding.id
