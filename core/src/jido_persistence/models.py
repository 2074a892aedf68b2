"""The records of the persistence contract (contract section 2), as frozen pydantic models.

Every model is immutable (``model_copy(update=...)`` gives a changed copy), rejects
unknown fields, and round-trips exactly through ``model_dump(mode="json")`` and
``model_validate``.  Datetimes are timezone-aware and normalised to UTC; free-form
maps hold JSON values only; no string holds U+0000 or a lone surrogate.

The records are defined here; their ids and timestamps (``_model_ids``), field types
(``_model_fields``), enums (``_model_enums``) and content parts (``_model_parts``) live
in private modules of one job each.  Import every name from here.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    model_validator,
)

from jido_persistence._model_enums import (
    BindingDirection,
    DedupeScope,
    DeliveryMode,
    DirectoryTarget,
    FailoverPolicy,
    IngressStatus,
    MessageRole,
    MessageStatus,
    ParticipantType,
    Presence,
    RoomType,
    ThreadStatus,
)
from jido_persistence._model_fields import (
    ExternalKey,
    ExternalText,
    Int64,
    Json,
    JsonMap,
    Key,
    StrictBool,
    Text,
    UtcDatetime,
    _check_text,
    _Record,
)
from jido_persistence._model_ids import (
    new_binding_id,
    new_bridge_id,
    new_id,
    new_onboarding_id,
    utc_now,
)
from jido_persistence._model_parts import (
    AudioPart,
    ContentPart,
    CustomPart,
    FilePart,
    ImagePart,
    TextPart,
    ToolResultPart,
    ToolUsePart,
    VideoPart,
)
from jido_persistence._text import (
    INT64_MAX,
)

__all__ = [
    "AudioPart",
    "BindingDirection",
    "BridgeConfig",
    "Capabilities",
    "ContentPart",
    "CustomPart",
    "DedupeScope",
    "DeliveryMode",
    "DeliveryPolicy",
    "DirectoryTarget",
    "Erasure",
    "FailoverPolicy",
    "FilePart",
    "Health",
    "ImagePart",
    "ImportReport",
    "Ingested",
    "IngressStatus",
    "IngressSubscription",
    "Message",
    "MessageRole",
    "MessageStatus",
    "Participant",
    "ParticipantType",
    "Presence",
    "Room",
    "RoomBinding",
    "RoomType",
    "RoutingPolicy",
    "TextPart",
    "Thread",
    "ThreadStatus",
    "ToolResultPart",
    "ToolUsePart",
    "VideoPart",
    "new_binding_id",
    "new_bridge_id",
    "new_id",
    "new_onboarding_id",
    "utc_now",
]


# --- rooms and participants -------------------------------------------------------


class Room(_Record):
    """A conversation: a direct chat, a group, a channel or a thread."""

    id: Key = Field(default_factory=new_id)
    type: RoomType
    name: Text | None = None
    external_bindings: dict[Text, dict[Text, Text]] = Field(default_factory=dict)
    metadata: JsonMap = Field(default_factory=dict)
    inserted_at: UtcDatetime = Field(default_factory=utc_now)


class Participant(_Record):
    """A human, agent or system taking part in rooms; display name in ``identity["name"]``."""

    id: Key = Field(default_factory=new_id)
    type: ParticipantType
    identity: JsonMap = Field(default_factory=dict)
    external_ids: dict[Text, ExternalText] = Field(default_factory=dict)
    presence: Presence = Presence.OFFLINE
    capabilities: list[Text] = Field(default_factory=lambda: ["text"])
    metadata: JsonMap = Field(default_factory=dict)


# --- messages and threads ---------------------------------------------------------


def _default_both_timestamps(data: Any) -> Any:
    """Give ``inserted_at`` and ``updated_at`` the same instant when both are omitted."""
    if isinstance(data, dict) and ("inserted_at" not in data or "updated_at" not in data):
        now = utc_now()
        data = dict(data)
        data.setdefault("inserted_at", now)
        data.setdefault("updated_at", now)
    return data


class Message(_Record):
    """A chat message; ``inserted_at``/``updated_at`` may be ``None`` for imported history."""

    id: Key = Field(default_factory=new_id)
    room_id: Key
    sender_id: Key
    role: MessageRole
    content: list[ContentPart] = Field(default_factory=list)
    reply_to_id: Key | None = None
    external_id: ExternalKey | None = None
    external_reply_to_id: ExternalKey | None = None
    thread_id: Key | None = None
    external_thread_id: ExternalKey | None = None
    delivery_external_room_id: Key | None = None
    status: MessageStatus = MessageStatus.SENDING
    reactions: JsonMap = Field(default_factory=dict)
    receipts: JsonMap = Field(default_factory=dict)
    metadata: JsonMap = Field(default_factory=dict)
    inserted_at: UtcDatetime | None = Field(default_factory=utc_now)
    updated_at: UtcDatetime | None = Field(default_factory=utc_now)

    _timestamps = model_validator(mode="before")(_default_both_timestamps)


class Thread(_Record):
    """A thread of messages inside a room."""

    id: Key = Field(default_factory=new_id)
    room_id: Key
    external_thread_id: ExternalKey | None = None
    delivery_external_room_id: Key | None = None
    root_message_id: Key | None = None
    root_external_message_id: ExternalKey | None = None
    assigned_agent_id: Key | None = None
    status: ThreadStatus = ThreadStatus.ACTIVE
    metadata: JsonMap = Field(default_factory=dict)
    inserted_at: UtcDatetime = Field(default_factory=utc_now)
    updated_at: UtcDatetime = Field(default_factory=utc_now)

    _timestamps = model_validator(mode="before")(_default_both_timestamps)


# --- bindings, configuration ------------------------------------------------------


class RoomBinding(_Record):
    """A link between an internal room and a room on an external platform."""

    id: Key = Field(default_factory=new_binding_id)
    room_id: Key
    channel: Key
    bridge_id: Key
    external_room_id: ExternalKey
    direction: BindingDirection = BindingDirection.BOTH
    enabled: StrictBool = True
    inserted_at: UtcDatetime = Field(default_factory=utc_now)


class DeliveryPolicy(_Record):
    """Retry and dead-letter settings of a bridge."""

    max_attempts: Int64 = 3
    base_backoff_ms: Int64 = 25
    max_backoff_ms: Int64 = 500
    dead_letter: StrictBool = True


class BridgeConfig(_Record):
    """The configuration of one bridge to an external platform.

    ``credentials`` never appear in ``repr``, ``str`` or validation errors.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", allow_inf_nan=False, hide_input_in_errors=True
    )

    id: Key = Field(default_factory=new_bridge_id)
    adapter_module: Text
    credentials: JsonMap = Field(default_factory=dict, repr=False)
    opts: JsonMap = Field(default_factory=dict)
    enabled: StrictBool = True
    capabilities: JsonMap = Field(default_factory=dict)
    delivery_policy: DeliveryPolicy = Field(default_factory=DeliveryPolicy)
    revision: Int64 = 0
    inserted_at: UtcDatetime = Field(default_factory=utc_now)
    updated_at: UtcDatetime = Field(default_factory=utc_now)

    _timestamps = model_validator(mode="before")(_default_both_timestamps)


class RoutingPolicy(_Record):
    """How a room's outgoing messages are delivered; keyed by ``room_id`` (``id == room_id``)."""

    room_id: Key
    id: Key = Field(default="", description="always equal to room_id; filled in when omitted")
    delivery_mode: DeliveryMode = DeliveryMode.BEST_EFFORT
    failover_policy: FailoverPolicy = FailoverPolicy.NEXT_AVAILABLE
    dedupe_scope: DedupeScope = DedupeScope.MESSAGE_ID
    fallback_order: list[Key] = Field(default_factory=list)
    metadata: JsonMap = Field(default_factory=dict)
    revision: Int64 = 0
    inserted_at: UtcDatetime = Field(default_factory=utc_now)
    updated_at: UtcDatetime = Field(default_factory=utc_now)

    @model_validator(mode="before")
    @classmethod
    def _id_is_room_id(cls, data: Any) -> Any:
        data = _default_both_timestamps(data)
        if isinstance(data, dict) and data.get("id") is None and "room_id" in data:
            data = {**data, "id": data["room_id"]}
        return data

    @model_validator(mode="after")
    def _id_equals_room_id(self) -> RoutingPolicy:
        if self.id != self.room_id:
            raise ValueError(f"id {self.id!r} must equal room_id {self.room_id!r}")
        return self


class IngressSubscription(_Record):
    """A bridge's subscription to events on an external platform (e.g. a webhook)."""

    bridge_id: Key
    subscription_id: Key
    adapter_name: Annotated[
        str, Strict(), StringConstraints(min_length=1), AfterValidator(_check_text)
    ]
    status: IngressStatus = IngressStatus.ACTIVE
    external_id: ExternalKey | None = None
    target_url: Text | None = None
    expires_at: UtcDatetime | None = None
    metadata: JsonMap = Field(default_factory=dict)
    raw: Json = None

    @model_validator(mode="before")
    @classmethod
    def _external_id_defaults_to_subscription_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and "external_id" not in data and "subscription_id" in data:
            data = {**data, "external_id": data["subscription_id"]}
        return data


# --- capabilities -----------------------------------------------------------------


class Capabilities(_Record):
    """What an adapter can do, as queried at runtime through ``adapter.capabilities``.

    The group flags (``ingress_subscriptions``, ``ingest``, ``enumeration``,
    ``retention``) are derived from the hooks the adapter class implements (see
    :mod:`jido_persistence.callbacks`); ``durable``, ``multi_process`` and
    ``native_async`` are declared by the class.
    """

    ingress_subscriptions: bool = False
    """The ingress-subscription callbacks (contract section 4)."""
    ingest: bool = False
    """``ingest_message`` and ``get_or_create_thread_by_external_id`` (contract 9.1)."""
    enumeration: bool = False
    """``list_participants``, ``list_onboardings`` and ``after=`` paging (contract 9.2)."""
    retention: bool = False
    """``delete_messages``, ``erase_participant``, ``delete_onboarding`` (contract 9.3)."""
    durable: bool = False
    multi_process: bool = False
    native_async: bool = False
    transactions: bool = False
    """``transaction()`` blocks (contract 9.4): the class implements the ``_transaction``
    hook."""


# --- callback results (contract 1.3) ------------------------------------------------

NonNegativeInt = Annotated[int, Strict(), Field(ge=0, le=INT64_MAX)]


class Health(_Record):
    """The answer of ``health_check()``: whether the store answered, how fast, and why not.

    ``detail`` never holds a password (URLs are redacted).
    """

    ok: StrictBool
    latency_s: Annotated[float, Field(ge=0.0)]
    detail: str


class Ingested(_Record):
    """The answer of ``ingest_message()``: the stored message and whether this call made it."""

    message: Message
    created: StrictBool


class Erasure(_Record):
    """The answer of ``erase_participant()``: how many records were removed or changed."""

    participants: NonNegativeInt
    messages: NonNegativeInt
    keys: NonNegativeInt


class ImportReport(_Record):
    """The answer of ``import_records()``: how many records were written, by ``kind``."""

    records: NonNegativeInt
    by_kind: dict[str, NonNegativeInt]
