"""The records of an export (contract 9.2): one pydantic model per kind of stored record.

``export_records()`` yields, and ``import_records()`` takes, instances of :data:`Record`,
a union discriminated on the field ``kind``.  Each stored record type has one kind
whose ``record`` field holds the contract model (an onboarding flow: the flow's dict),
and each kind of key has one kind that names the key and what it resolves to now:

=======================  ==============================================================
kind                     fields
=======================  ==============================================================
``bridge_config``        ``record: BridgeConfig`` (credentials included)
``room``                 ``record: Room``
``participant``          ``record: Participant``
``routing_policy``       ``record: RoutingPolicy``
``room_binding``         ``record: RoomBinding``
``onboarding``           ``record``: the flow (a JSON object with ``onboarding_id``)
``ingress_subscription`` ``record: IngressSubscription``
``thread``               ``record: Thread``
``message``              ``record: Message``
``binding_key``          ``channel, bridge_id, external_id -> room_id`` (stale ones too:
                         ``room_id`` may name no room)
``participant_key``      ``channel, external_id -> participant_id`` (stale ones too)
``message_key``          ``channel, bridge_id, external_id -> message_id``
``thread_external_key``  ``room_id, external_thread_id -> thread_id``
``thread_root_key``      ``room_id, root_message_id -> thread_id``
=======================  ==============================================================

Binding keys and participant keys are stored on their own: an importer writes them as
given.  Message and thread keys follow from the message and thread records and the
order in which they come (each key resolves to its most recently saved holder, and an
export lists messages and threads in save order), so an importer that saves messages
and threads in file order rebuilds them, fall-back order included; their key records
say what the exporter resolved, so that a reader of the file (or ``copy --verify``)
can check the result.  The order of the records is documented in
:mod:`jido_persistence.interchange`, which reads and writes them as JSON Lines.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import ConfigDict, Field, field_validator

from jido_persistence._model_fields import JsonMap, Key
from jido_persistence._recheck import TrackedModel
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
from jido_persistence.validation import require_onboarding_flow

__all__ = [
    "KEY_KINDS",
    "RECORD_CLASSES",
    "RECORD_KINDS",
    "BindingKeyRecord",
    "BridgeConfigRecord",
    "ImportReport",
    "IngressSubscriptionRecord",
    "MessageKeyRecord",
    "MessageRecord",
    "OnboardingRecord",
    "ParticipantKeyRecord",
    "ParticipantRecord",
    "Record",
    "RoomBindingRecord",
    "RoomRecord",
    "RoutingPolicyRecord",
    "ThreadExternalKeyRecord",
    "ThreadRecord",
    "ThreadRootKeyRecord",
]


class _Entry(TrackedModel):
    """Base of every record kind: frozen, closed, NaN-free; an instance built without
    validation (``model_construct``) is validated again by ``import_records``."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class BridgeConfigRecord(_Entry):
    """A bridge config, credentials included (a backup must restore them)."""

    kind: Literal["bridge_config"] = "bridge_config"
    record: BridgeConfig


class RoomRecord(_Entry):
    """A room record."""

    kind: Literal["room"] = "room"
    record: Room


class ParticipantRecord(_Entry):
    """A participant record."""

    kind: Literal["participant"] = "participant"
    record: Participant


class RoutingPolicyRecord(_Entry):
    """A routing policy (keyed by its room id; the room need not exist)."""

    kind: Literal["routing_policy"] = "routing_policy"
    record: RoutingPolicy


class RoomBindingRecord(_Entry):
    """A room binding record (its key's resolution is a :class:`BindingKeyRecord`)."""

    kind: Literal["room_binding"] = "room_binding"
    record: RoomBinding


class OnboardingRecord(_Entry):
    """An onboarding flow, verbatim: a JSON object with a non-empty ``onboarding_id``."""

    kind: Literal["onboarding"] = "onboarding"
    record: JsonMap

    @field_validator("record")
    @classmethod
    def _is_a_flow(cls, flow: dict[str, Any]) -> dict[str, Any]:
        # InvalidArgument is a ValueError: pydantic reports it as a validation error.
        return require_onboarding_flow(flow)


class IngressSubscriptionRecord(_Entry):
    """An ingress subscription."""

    kind: Literal["ingress_subscription"] = "ingress_subscription"
    record: IngressSubscription


class ThreadRecord(_Entry):
    """A thread; threads come in save order (oldest save first)."""

    kind: Literal["thread"] = "thread"
    record: Thread


class MessageRecord(_Entry):
    """A message; messages come in save order (oldest save first)."""

    kind: Literal["message"] = "message"
    record: Message


class BindingKeyRecord(_Entry):
    """A binding key and the room it points at (which may not exist: a stale key)."""

    kind: Literal["binding_key"] = "binding_key"
    channel: Key
    bridge_id: Key
    external_id: Key
    room_id: Key


class ParticipantKeyRecord(_Entry):
    """A participant key and the participant it points at (which may not exist)."""

    kind: Literal["participant_key"] = "participant_key"
    channel: Key
    external_id: Key
    participant_id: Key


class MessageKeyRecord(_Entry):
    """A message external-id key and the message it resolves to (derived, see the module doc)."""

    kind: Literal["message_key"] = "message_key"
    channel: Key
    bridge_id: Key
    external_id: Key
    message_id: Key


class ThreadExternalKeyRecord(_Entry):
    """A thread key ``(room_id, external_thread_id)`` and the thread it resolves to (derived)."""

    kind: Literal["thread_external_key"] = "thread_external_key"
    room_id: Key
    external_thread_id: Key
    thread_id: Key


class ThreadRootKeyRecord(_Entry):
    """A thread key ``(room_id, root_message_id)`` and the thread it resolves to (derived)."""

    kind: Literal["thread_root_key"] = "thread_root_key"
    room_id: Key
    root_message_id: Key
    thread_id: Key


Record = Annotated[
    BridgeConfigRecord
    | RoomRecord
    | ParticipantRecord
    | RoutingPolicyRecord
    | RoomBindingRecord
    | OnboardingRecord
    | IngressSubscriptionRecord
    | ThreadRecord
    | MessageRecord
    | BindingKeyRecord
    | ParticipantKeyRecord
    | MessageKeyRecord
    | ThreadExternalKeyRecord
    | ThreadRootKeyRecord,
    Field(discriminator="kind"),
]
"""One record of an export: a union of the kinds above, discriminated on ``kind``."""

RECORD_CLASSES: Final[tuple[type[_Entry], ...]] = (
    BridgeConfigRecord,
    RoomRecord,
    ParticipantRecord,
    RoutingPolicyRecord,
    RoomBindingRecord,
    OnboardingRecord,
    IngressSubscriptionRecord,
    ThreadRecord,
    MessageRecord,
    BindingKeyRecord,
    ParticipantKeyRecord,
    MessageKeyRecord,
    ThreadExternalKeyRecord,
    ThreadRootKeyRecord,
)
"""Every record class, in the order an export lists their kinds."""

RECORD_KINDS: Final[tuple[str, ...]] = tuple(
    cls.model_fields["kind"].default for cls in RECORD_CLASSES
)
"""Every ``kind``, in the order an export lists them (see :mod:`jido_persistence.interchange`)."""

KEY_KINDS: Final[frozenset[str]] = frozenset(
    {"binding_key", "participant_key", "message_key", "thread_external_key", "thread_root_key"}
)
"""The kinds that describe keys rather than records."""
