"""Copy a store into another one, losslessly (``jido-persistence copy``).

:func:`copy_store` pipes the source's ``export_records()`` into the target's
``import_records()`` (contract 9.2): every record and every key crosses, stale keys,
participant keys and the fall-back order of keys held by several records included, so
every read callback answers on the target exactly as on the source.  Records stream:
memory stays bounded by the adapters' own export and import, whatever the store's size.
Both stores need the enumeration group (every bundled adapter has it); a 1.2
third-party adapter without it gets :class:`~jido_persistence.errors.NotSupported`.

The target must be empty (:class:`TargetNotEmpty` otherwise), and the import is all or
nothing: a failure leaves it empty.  With ``overwrite=True`` a non-empty target is
*merged into* through the callbacks instead (:func:`merge_records`): records are
upserted by id, but that path cannot carry everything (stale keys, for one), and
:attr:`CopyReport.not_copied` lists what it could not.

``verify=True`` exports the target afterwards and compares, kind by kind, the count
and a SHA-256 digest of the canonical lines with those of the records that were sent
(:class:`~jido_persistence.interchange.KindDigests`); differences are listed in
:attr:`CopyReport.differences`.  The source is only read; it should not be written
while the copy runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.bulk import save_messages
from jido_persistence.errors import InvalidArgument, NotSupported, PersistenceError
from jido_persistence.interchange import KindDigests, without_credentials
from jido_persistence.models import Message, Participant
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

__all__ = [
    "MESSAGE_BATCH",
    "PROGRESS_EVERY",
    "CopyProgress",
    "CopyReport",
    "NotCopied",
    "TargetNotEmpty",
    "copy_store",
    "first_record",
    "merge_records",
]

MESSAGE_BATCH: Final = 5000
"""Messages saved per :func:`~jido_persistence.bulk.save_messages` call when merging."""

PROGRESS_EVERY: Final = 1000
"""Records between two progress events."""


class TargetNotEmpty(PersistenceError):
    """The target store already holds records and the copy was not told to merge.

    ``found`` names the kind of the first record found (``"room"``, ``"message"``...).
    """

    def __init__(self, found: list[str]) -> None:
        self.found = list(found)
        super().__init__(
            f"the target store is not empty (it holds {', '.join(self.found)} records); "
            "merge into it with overwrite=True (records with the same ids are replaced)"
        )


@dataclass(frozen=True, slots=True)
class NotCopied:
    """One record or key a merge could not carry: its ``kind``, ``key`` and why."""

    kind: str
    key: str
    reason: str


@dataclass(frozen=True, slots=True)
class CopyProgress:
    """A progress event: ``done`` records copied so far (``total`` unknown: ``None``).

    ``stage`` is ``"records"`` while copying and ``"verify"`` while verifying;
    ``counts`` is a live, read-only view of the records copied so far, by kind.
    """

    stage: str
    done: int
    total: int | None
    counts: Mapping[str, int]


@dataclass
class CopyReport:
    """What :func:`copy_store` copied (``counts`` by kind, in export order).

    ``merged`` is true when the target was not empty (``overwrite=True``);
    ``not_copied`` lists what a merge could not carry; ``verified`` is ``None`` unless
    ``verify=True``, then whether the target's export matched, with ``differences``
    naming the kinds that did not.
    """

    counts: dict[str, int] = field(default_factory=dict)
    merged: bool = False
    not_copied: list[NotCopied] = field(default_factory=list)
    verified: bool | None = None
    differences: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """The number of records and keys copied."""
        return sum(self.counts.values())


ProgressCallback = Callable[[CopyProgress], None]


def first_record(store: PersistenceAdapter) -> Record | None:
    """The first record ``store`` exports, or ``None`` when it is empty.  Reads one record."""
    records = store.export_records()
    try:
        return next(iter(records), None)
    finally:
        close = getattr(records, "close", None)
        if close is not None:
            close()


def copy_store(
    source: PersistenceAdapter,
    target: PersistenceAdapter,
    *,
    overwrite: bool = False,
    verify: bool = False,
    strip_credentials: bool = False,
    progress: ProgressCallback | None = None,
) -> CopyReport:
    """Copy every record and key of ``source`` into ``target``; see the module doc.

    Raises InvalidArgument when ``source is target``; NotSupported when either store
    lacks the enumeration group; TargetNotEmpty when ``target`` holds a record and
    ``overwrite`` is false; whatever either store raises (an import leaves the target
    empty; a merge may stop halfway: every write is an upsert, so re-run it).
    ``strip_credentials`` copies bridge configs with ``credentials={}``.

    Complexity: one export of the source, one import (or one upsert per record), and
    with ``verify`` one export of the target; memory O(one record) beyond the adapters'
    own (a merge keeps the participant records, O(participants)).
    """
    if source is target:
        raise InvalidArgument("the source and the target are the same store")
    for role, store in (("source", source), ("target", target)):
        if not store.capabilities.enumeration:
            raise NotSupported(f"export_records/import_records (the {role})", type(store).__name__)
    report = CopyReport()
    found = first_record(target)
    if found is not None and not overwrite:
        raise TargetNotEmpty([found.kind])
    sent = KindDigests()
    records: Iterable[Record] = source.export_records()
    if strip_credentials:
        records = without_credentials(records)
    stream = _tap(records, sent, report, progress)
    if found is None:
        target.import_records(stream)
    else:
        report.merged = True
        report.not_copied = merge_records(target, stream)
    if verify:
        received = KindDigests()
        for record in target.export_records():
            received.add_record(record)
        report.differences = sent.differences(received)
        report.verified = not report.differences
        _emit(progress, "verify", report)
    return report


def _tap(
    records: Iterable[Record],
    digests: KindDigests,
    report: CopyReport,
    progress: ProgressCallback | None,
) -> Iterator[Record]:
    """``records``, counted into ``report`` and ``digests`` as they pass."""
    for record in records:
        digests.add_record(record)
        report.counts[record.kind] = report.counts.get(record.kind, 0) + 1
        yield record
        if progress is not None and report.total % PROGRESS_EVERY == 0:
            _emit(progress, "records", report)
    _emit(progress, "records", report)


def _emit(progress: ProgressCallback | None, stage: str, report: CopyReport) -> None:
    if progress is not None:
        progress(CopyProgress(stage, report.total, None, MappingProxyType(report.counts)))


def merge_records(target: PersistenceAdapter, records: Iterable[Record]) -> list[NotCopied]:
    """Upsert ``records`` into the non-empty ``target`` through the callbacks.

    Records replace those with the same id; room bindings are made with
    ``create_room_binding`` (so each binding key points at the room whose binding record
    came last); participant keys are made with ``get_or_create_participant_by_external_id``
    for participants the records hold.  Returns what could not be carried: stale binding
    and participant keys, binding records the target refuses, ingress subscriptions
    when the target lacks them.  Message and thread keys follow the messages and threads,
    saved in order.
    """
    skipped: list[NotCopied] = []
    participants: dict[str, Participant] = {}
    pending: list[Message] = []
    ingress = target.capabilities.ingress_subscriptions

    def flush() -> None:
        save_messages(target, pending)
        pending.clear()

    for record in records:
        if not isinstance(record, MessageRecord) and pending:
            flush()
        match record:
            case MessageRecord(record=message):
                pending.append(message)
                if len(pending) >= MESSAGE_BATCH:
                    flush()
            case ThreadRecord(record=thread):
                target.save_thread(thread)
            case RoomRecord(record=room):
                target.save_room(room)
            case ParticipantRecord(record=participant):
                target.save_participant(participant)
                participants[participant.id] = participant
            case RoutingPolicyRecord(record=policy):
                target.save_routing_policy(policy)
            case OnboardingRecord(record=flow):
                target.save_onboarding(flow)
            case BridgeConfigRecord(record=config):
                target.save_bridge_config(config)
            case IngressSubscriptionRecord(record=subscription) if ingress:
                target.save_ingress_subscription(subscription)
            case IngressSubscriptionRecord(record=subscription):
                key = f"{subscription.bridge_id}/{subscription.subscription_id}"
                skipped.append(NotCopied(record.kind, key, "the target has no ingress group"))
            case RoomBindingRecord(record=binding):
                attrs = {
                    "id": binding.id,
                    "direction": binding.direction,
                    "enabled": binding.enabled,
                    "inserted_at": binding.inserted_at,
                }
                try:
                    target.create_room_binding(
                        binding.room_id,
                        binding.channel,
                        binding.bridge_id,
                        binding.external_room_id,
                        attrs,
                    )
                except InvalidArgument as error:
                    skipped.append(NotCopied(record.kind, binding.id, str(error)))
            case BindingKeyRecord():
                key = f"{record.channel}/{record.bridge_id}/{record.external_id}"
                try:
                    holder = target.get_room_by_external_binding(
                        record.channel, record.bridge_id, record.external_id
                    ).id
                except PersistenceError:
                    holder = None
                if holder != record.room_id:
                    reason = f"points at {record.room_id!r}; the callbacks cannot set that"
                    skipped.append(NotCopied(record.kind, key, reason))
            case ParticipantKeyRecord():
                key = f"{record.channel}/{record.external_id}"
                owner = participants.get(record.participant_id)
                if owner is None:
                    reason = f"its participant {record.participant_id!r} is not in the records"
                    skipped.append(NotCopied(record.kind, key, reason))
                    continue
                got = target.get_or_create_participant_by_external_id(
                    record.channel, record.external_id, {"id": owner.id, "type": owner.type}
                )
                if got.id != owner.id:
                    reason = f"the target binds it to participant {got.id!r}"
                    skipped.append(NotCopied(record.kind, key, reason))
                target.save_participant(owner)  # get-or-create may have built a bare one
            case _:
                pass  # message and thread keys follow the save order
    if pending:
        flush()
    return skipped
