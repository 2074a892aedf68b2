"""Copy a store into another one through the callbacks only (``jido-persistence copy``).

:func:`copy_store` works between any two adapters, third-party ones included, because
it reads and writes nothing but the contract's callbacks.  It copies everything the
contract lets a caller enumerate:

- bridge configs (``list_bridge_configs``);
- rooms (``list_rooms``) and, for each room, its routing policy, its threads, its
  messages and its room binding records;
- the binding keys, message external-id keys and thread keys, each resolving in the
  target to the record it resolves to in the source;
- participants (``directory_search("participant", {})``) and their platform keys;
- ingress subscriptions of every bridge id named by a bridge config, a room binding or
  a message's ``metadata["bridge_id"]``, when both stores support them.

What no callback lists is not copied, and :attr:`CopyReport.notes` says so: onboarding
flows (there is no list callback; copy the ids you know with ``get_onboarding`` and
``save_onboarding``), records filed under a room id that has no room record (messages,
threads, bindings or a routing policy of a deleted or never-saved room), ingress
subscriptions of bridges named nowhere else, and participant keys whose holder no
longer lists them in ``Participant.external_ids``.  The order in which a key's former
holders were saved is not observable either, so after a copy, deleting the holder of a
key shared by several records may make it fall back to a different record than in the
source (the current resolution is always the same).

Messages are saved with :func:`~jido_persistence.bulk.save_messages`, in batches of
up to :data:`MESSAGE_BATCH` in the order they are read, so a target with the optional
bulk path (:class:`~jido_persistence.bulk.SupportsBulkSaveMessages`: DuckDB's and
TinyDB's, for instance) takes them in a few calls instead of one ``save_message`` each; the
stored result is the same.

The source is only read (the participant-key probe described at :func:`copy_store`
writes nothing); it should not be written while the copy runs.  Every write is an
upsert, so an interrupted copy can be re-run with ``overwrite=True``.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from types import MappingProxyType
from typing import Final

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.bulk import SupportsBulkSaveMessages, save_messages
from jido_persistence.errors import InvalidArgument, NotFound, PersistenceError
from jido_persistence.models import (
    DirectoryTarget,
    Message,
    Participant,
    RoomBinding,
    Thread,
)
from jido_persistence.validation import (
    message_external_key,
    normalize_external_id,
    require_channel,
)

__all__ = [
    "MESSAGE_BATCH",
    "PAGE_SIZE",
    "RECORD_KINDS",
    "CopyProgress",
    "CopyReport",
    "NotCopied",
    "TargetNotEmpty",
    "copy_store",
]

MAX_LIMIT: Final = 2**63 - 1
"""The largest limit the contract accepts: "all of them"."""

PAGE_SIZE: Final = 500
"""Messages read per ``get_messages`` call."""

MESSAGE_BATCH: Final = 5000
"""Messages saved per :func:`~jido_persistence.bulk.save_messages` call when the target
has a bulk path (without one, each page read is saved at once, message by message)."""

RECORD_KINDS: Final = (
    "bridge_configs",
    "rooms",
    "routing_policies",
    "threads",
    "messages",
    "room_bindings",
    "participants",
    "participant_keys",
    "ingress_subscriptions",
)
"""The keys of :attr:`CopyReport.counts`, in the order they are copied."""

ONBOARDING_NOTE: Final = (
    "onboarding flows were not copied: the contract has no callback that lists them; "
    "copy the onboarding ids you know with get_onboarding() and save_onboarding()"
)
INGRESS_NOTE: Final = (
    "ingress subscriptions were listed for the {count} bridge id(s) named by bridge "
    "configs, room bindings and message metadata; those of other bridges cannot be listed"
)
UNREACHABLE_NOTE: Final = (
    "records filed under a room id without a room record (messages, threads, bindings, "
    "routing policies of a deleted or never-saved room) cannot be listed and were not copied"
)

_TEMPORARY_ROOM_PREFIX: Final = "jido-persistence-copy:unbind:"

BindingKey = tuple[str, str, str]


class TargetNotEmpty(PersistenceError):
    """The target store already holds records and the copy was not told to overwrite.

    ``found`` names what was found (``"rooms"``, ``"participants"``, ``"bridge_configs"``).
    """

    def __init__(self, found: list[str]) -> None:
        self.found = list(found)
        super().__init__(
            f"the target store is not empty (it holds {', '.join(self.found)}); copy into it "
            "anyway with overwrite=True (records with the same ids are replaced)"
        )


@dataclass(frozen=True, slots=True)
class NotCopied:
    """One record or key that could not be copied: its ``kind``, ``key`` and why."""

    kind: str
    key: str
    reason: str


@dataclass(frozen=True, slots=True)
class CopyProgress:
    """A progress event: ``done`` of ``total`` (``None``: unknown) in ``stage``.

    ``stage`` is one of :data:`RECORD_KINDS`; ``counts`` is a live, read-only view of
    the records copied so far, by kind.
    """

    stage: str
    done: int
    total: int | None
    counts: Mapping[str, int]


@dataclass
class CopyReport:
    """What :func:`copy_store` copied (``counts`` by kind) and what it could not.

    ``not_copied`` lists individual records and keys; ``notes`` states what no callback
    lets a caller enumerate (onboarding flows, among others).
    """

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORD_KINDS, 0))
    not_copied: list[NotCopied] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """The number of records and keys copied."""
        return sum(self.counts.values())


ProgressCallback = Callable[[CopyProgress], None]


def copy_store(
    source: PersistenceAdapter,
    target: PersistenceAdapter,
    *,
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
) -> CopyReport:
    """Copy every record of ``source`` that the callbacks can enumerate into ``target``.

    Refuses (:class:`TargetNotEmpty`) when ``target`` holds a room, a participant or a
    bridge config, unless ``overwrite`` is true; then records with the same ids are
    replaced and others are kept.  ``progress`` is called with a :class:`CopyProgress`
    after each room, each batch of messages saved and each other stage.

    Keys resolve in the target as in the source:

    - A binding key held by records of several rooms is created for its current holder
      (``get_room_by_external_binding``) last; a key that no longer resolves though
      records still name it is unbound again (through a temporary binding record that is
      deleted at once).
    - A message external-id key or thread key with several holders is re-saved last
      for the record the source resolves it to.
    - Participant keys are written only by ``get_or_create_participant_by_external_id``.
      Each ``(channel, external_id)`` listed in some ``Participant.external_ids`` is probed
      in the source with ``get_or_create_participant_by_external_id(channel, external_id,
      {})``: attrs without ``type`` are invalid, so the call returns the live holder of
      the key or raises InvalidArgument having created nothing.  The key is then created
      in the target with ``attrs={"id": holder.id, "type": holder.type}``, and every
      participant record is saved exactly afterwards.

    Errors of either store propagate (the target may then hold a partial copy; re-run
    with ``overwrite=True``).  :class:`~jido_persistence.errors.InvalidArgument` when
    ``source is target``.

    Complexity, for R rooms, M messages, T threads, B binding records, P participants
    with K listed keys, C bridge configs and S subscriptions: O(R + M/PAGE_SIZE + B + K +
    C) read calls and O(R + M + T + B + P + K + C + S) writes (plus one write per key
    with several holders), of which the M message writes take O(M/MESSAGE_BATCH + 1)
    calls when the target has a bulk path; memory O(R + P + B + T_room + X +
    MESSAGE_BATCH), where T_room is the largest room's thread count and X the number of
    distinct message keys.
    """
    if source is target:
        raise InvalidArgument("the source and the target are the same store")
    if not overwrite:
        found = _contents(target)
        if found:
            raise TargetNotEmpty(found)
    copier = _Copier(source, target, progress)
    copier.run()
    return copier.report


def _contents(store: PersistenceAdapter) -> list[str]:
    """What makes ``store`` non-empty: rooms, participants, bridge configs.  Three reads."""
    found = []
    if store.list_rooms(limit=1):
        found.append("rooms")
    if store.directory_search(DirectoryTarget.PARTICIPANT, {}, limit=1):
        found.append("participants")
    if store.list_bridge_configs():
        found.append("bridge_configs")
    return found


class _Copier:
    """The state of one copy: the report, and the keys seen so far."""

    def __init__(
        self,
        source: PersistenceAdapter,
        target: PersistenceAdapter,
        progress: ProgressCallback | None,
    ) -> None:
        self.source = source
        self.target = target
        self.report = CopyReport()
        self._progress = progress
        self._room_ids: set[str] = set()
        self._bridge_ids: set[str] = set()
        self._bindings: dict[BindingKey, list[RoomBinding]] = {}
        self._message_keys: Counter[tuple[str, str, str]] = Counter()
        self._pending: list[Message] = []
        bulk = isinstance(target, SupportsBulkSaveMessages)
        self._batch = MESSAGE_BATCH if bulk else 1

    def run(self) -> None:
        """Copy every stage in turn."""
        self._copy_bridge_configs()
        rooms = self.source.list_rooms(limit=MAX_LIMIT)
        self._room_ids = {room.id for room in rooms}
        for done, room in enumerate(rooms, 1):
            self.target.save_room(room)
            self._count("rooms")
            self._copy_room_contents(room.id)
            self._emit("rooms", done, len(rooms))
        self._flush_messages()
        self._copy_bindings()
        self._resolve_message_keys()
        self._copy_participants()
        self._copy_ingress_subscriptions()
        self.report.notes.extend([ONBOARDING_NOTE, UNREACHABLE_NOTE])

    # --- helpers ---------------------------------------------------------------------

    def _count(self, kind: str, amount: int = 1) -> None:
        self.report.counts[kind] += amount

    def _emit(self, stage: str, done: int, total: int | None) -> None:
        if self._progress is not None:
            counts = MappingProxyType(self.report.counts)
            self._progress(CopyProgress(stage, done, total, counts))

    def _skip(self, kind: str, key: object, reason: str) -> None:
        self.report.not_copied.append(NotCopied(kind, str(key), reason))

    # --- bridge configs, rooms -------------------------------------------------------

    def _copy_bridge_configs(self) -> None:
        configs = self.source.list_bridge_configs()
        for done, config in enumerate(configs, 1):
            self.target.save_bridge_config(config)
            self._bridge_ids.add(config.id)
            self._count("bridge_configs")
            self._emit("bridge_configs", done, len(configs))

    def _copy_room_contents(self, room_id: str) -> None:
        try:
            policy = self.source.get_routing_policy(room_id)
        except NotFound:
            pass
        else:
            self.target.save_routing_policy(policy)
            self._count("routing_policies")
        for binding in self.source.list_room_bindings(room_id):
            key = (binding.channel, binding.bridge_id, binding.external_room_id)
            self._bindings.setdefault(key, []).append(binding)
            self._bridge_ids.add(binding.bridge_id)
        self._copy_threads(room_id)
        self._copy_messages(room_id)

    # --- threads ---------------------------------------------------------------------

    def _copy_threads(self, room_id: str) -> None:
        """Save the room's threads so that each shared key's holder is saved last.

        A save sets both keys of a thread at once, so the source's save order is one
        total order consistent with every key's resolution; a topological sort of
        "holder after every other record with that key" finds such an order.
        """
        threads = self.source.list_threads(room_id, limit=MAX_LIMIT)
        by_id = {thread.id: thread for thread in threads}
        order: TopologicalSorter[str] = TopologicalSorter()
        for thread in threads:
            order.add(thread.id)
        external: dict[str, list[str]] = {}
        roots: dict[str, list[str]] = {}
        for thread in threads:
            if thread.external_thread_id is not None:
                external.setdefault(thread.external_thread_id, []).append(thread.id)
            if thread.root_message_id is not None:
                roots.setdefault(thread.root_message_id, []).append(thread.id)
        for value, holders in external.items():
            if len(holders) > 1:
                holder = self._thread_holder(self.source.get_thread_by_external_id, room_id, value)
                self._after(order, holder, holders, by_id, ("thread_external_key", room_id, value))
        for value, holders in roots.items():
            if len(holders) > 1:
                holder = self._thread_holder(self.source.get_thread_by_root_message, room_id, value)
                self._after(order, holder, holders, by_id, ("thread_root_key", room_id, value))
        try:
            ids = list(order.static_order())
        except CycleError:
            ids = list(by_id)
            self._skip("thread_keys", room_id, "the source's thread keys admit no save order")
        for thread_id in ids:
            self.target.save_thread(by_id[thread_id])
            self._count("threads")

    @staticmethod
    def _thread_holder(
        lookup: Callable[[str, str], Thread], room_id: str, value: str
    ) -> str | None:
        try:
            return lookup(room_id, value).id
        except NotFound:
            return None

    def _after(
        self,
        order: TopologicalSorter[str],
        holder: str | None,
        holders: list[str],
        by_id: Mapping[str, Thread],
        key: tuple[str, str, str],
    ) -> None:
        if holder is None or holder not in by_id:
            self._skip(key[0], key[1:], "the source no longer resolves it to a listed thread")
            return
        order.add(holder, *(other for other in holders if other != holder))

    # --- messages --------------------------------------------------------------------

    def _copy_messages(self, room_id: str) -> None:
        """Page backwards with ``before=`` (the contract's exactly-once walk).

        Without a cursor ``get_messages`` returns the newest page, and ``after=`` needs
        the oldest id, which no callback gives; save order does not matter except for
        keys, which :meth:`_resolve_message_keys` settles.  The pages are queued and
        saved by :meth:`_flush_messages`, in the order read, once a batch is full.
        """
        before: str | None = None
        while True:
            page = self.source.get_messages(room_id, limit=PAGE_SIZE, before=before)
            for message in page:
                self._note_message(message)
            self._pending.extend(page)
            if len(self._pending) >= self._batch:
                self._flush_messages()
            if len(page) < PAGE_SIZE:
                return
            before = page[0].id

    def _flush_messages(self) -> None:
        """Save the queued messages in one :func:`save_messages` call, in queue order."""
        if not self._pending:
            return
        saved = save_messages(self.target, self._pending)
        self._pending = []
        self._count("messages", saved)
        self._emit("messages", self.report.counts["messages"], None)

    def _note_message(self, message: Message) -> None:
        key = message_external_key(message)
        if key is not None:
            self._message_keys[key] += 1
        bridge_id = message.metadata.get("bridge_id")
        if isinstance(bridge_id, str | int):
            with contextlib.suppress(InvalidArgument):
                self._bridge_ids.add(normalize_external_id(bridge_id, "bridge_id"))

    def _resolve_message_keys(self) -> None:
        """Re-save, for each key held by several copied messages, the source's resolver."""
        shared = [key for key, holders in self._message_keys.items() if holders > 1]
        for key in shared:
            try:
                holder = self.source.get_message_by_external_id(*key)
            except NotFound:
                self._skip("message_key", key, "the source no longer resolves it")
                continue
            if holder.room_id not in self._room_ids:
                self._skip(
                    "message_key",
                    key,
                    f"it resolves to message {holder.id} of room {holder.room_id}, "
                    "which has no room record",
                )
                continue
            self.target.save_message(holder)

    # --- room bindings ---------------------------------------------------------------

    def _copy_bindings(self) -> None:
        """Create every binding record, the key's current holder last."""
        done = 0
        total = sum(len(records) for records in self._bindings.values())
        for key, records in self._bindings.items():
            try:
                holder: str | None = self.source.get_room_by_external_binding(*key).id
            except NotFound:
                holder = None
            for binding in _holder_last(records, holder):
                copied = self.target.create_room_binding(
                    binding.room_id,
                    *key,
                    {
                        "id": binding.id,
                        "direction": binding.direction,
                        "enabled": binding.enabled,
                        "inserted_at": binding.inserted_at,
                    },
                )
                if copied != binding:
                    self._skip(
                        "room_binding",
                        binding.id,
                        f"the target already had record {copied.id} for this room and key "
                        "(kept its id and inserted_at)",
                    )
                self._count("room_bindings")
                done += 1
                self._emit("room_bindings", done, total)
            if holder is None:
                self._unbind(key)
            elif all(record.room_id != holder for record in records):
                self._skip("room_binding_key", key, f"room {holder} holds it without a record")

    def _unbind(self, key: BindingKey) -> None:
        """Make ``key`` resolve to nothing while every room keeps its records.

        ``delete_room_binding`` removes a key only while it points at the record's room,
        so bind it to a room id that exists nowhere, then delete that record.
        """
        room_id = _TEMPORARY_ROOM_PREFIX + uuid.uuid4().hex
        temporary = self.target.create_room_binding(room_id, *key)
        self.target.delete_room_binding(temporary.id)

    # --- participants ----------------------------------------------------------------

    def _copy_participants(self) -> None:
        found = self.source.directory_search(DirectoryTarget.PARTICIPANT, {})
        participants = [record for record in found if isinstance(record, Participant)]
        keys: dict[tuple[str, str], None] = {}
        for participant in participants:
            for channel, external_id in participant.external_ids.items():
                key = _participant_key(channel, external_id)
                if key is not None:
                    keys[key] = None
        for done, key in enumerate(keys, 1):
            self._copy_participant_key(key)
            self._emit("participant_keys", done, len(keys))
        for done, participant in enumerate(participants, 1):
            self.target.save_participant(participant)
            self._count("participants")
            self._emit("participants", done, len(participants))

    def _copy_participant_key(self, key: tuple[str, str]) -> None:
        try:
            holder = self.source.get_or_create_participant_by_external_id(*key, {})
        except InvalidArgument:
            return  # no live holder: the key is absent in the source, nothing was created
        attrs = {"id": holder.id, "type": holder.type}
        copied = self.target.get_or_create_participant_by_external_id(*key, attrs)
        if copied.id != holder.id:
            self._skip("participant_key", key, f"the target binds it to participant {copied.id}")
            return
        self._count("participant_keys")

    # --- ingress subscriptions -------------------------------------------------------

    def _copy_ingress_subscriptions(self) -> None:
        if not self.source.capabilities.ingress_subscriptions:
            return
        supported = self.target.capabilities.ingress_subscriptions
        bridge_ids = sorted(self._bridge_ids)
        for done, bridge_id in enumerate(bridge_ids, 1):
            for subscription in self.source.list_ingress_subscriptions(bridge_id):
                if supported:
                    self.target.save_ingress_subscription(subscription)
                    self._count("ingress_subscriptions")
                else:
                    self._skip(
                        "ingress_subscription",
                        (subscription.bridge_id, subscription.subscription_id),
                        "the target does not support ingress subscriptions",
                    )
            self._emit("ingress_subscriptions", done, len(bridge_ids))
        self.report.notes.append(INGRESS_NOTE.format(count=len(bridge_ids)))


def _holder_last(records: list[RoomBinding], holder: str | None) -> list[RoomBinding]:
    """``records`` in their order, except that the holder's record comes last."""
    return [record for record in records if record.room_id != holder] + [
        record for record in records if record.room_id == holder
    ]


def _participant_key(channel: str, external_id: str) -> tuple[str, str] | None:
    """The normalised key of an ``external_ids`` entry, ``None`` when it cannot be a key."""
    try:
        return require_channel(channel), normalize_external_id(external_id)
    except InvalidArgument:
        return None
