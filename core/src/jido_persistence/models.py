"""The records of the persistence contract (contract section 2), as frozen pydantic models.

Every model is immutable (``model_copy(update=...)`` gives a changed copy), rejects
unknown fields, and round-trips exactly through ``model_dump(mode="json")`` and
``model_validate``.  Datetimes are timezone-aware and normalised to UTC; free-form
maps hold JSON values only; no string holds U+0000 or a lone surrogate.
"""

from __future__ import annotations

import base64
import os
import secrets
import time
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    JsonValue,
    Strict,
    StringConstraints,
    Tag,
    model_validator,
)

from jido_persistence._recheck import TrackedModel
from jido_persistence._text import (
    INT64_MAX,
    INT64_MIN,
    MAX_KEY_LENGTH,
    json_is_plainly_storable,
    json_problem,
    text_problem,
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


# --- ids and time -----------------------------------------------------------------


def new_id() -> str:
    """Return a new record id: ``"jch_"`` followed by 22 url-safe base64 characters."""
    return "jch_" + base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode("ascii")


def new_binding_id() -> str:
    """Return a new room binding id: ``"bind_"`` followed by 16 lowercase hex digits."""
    return "bind_" + secrets.token_hex(8)


def new_bridge_id() -> str:
    """Return a new bridge config id: ``"bridge_"`` followed by 16 lowercase hex digits."""
    return "bridge_" + secrets.token_hex(8)


def new_onboarding_id() -> str:
    """Return a new onboarding id, a UUIDv7 string (RFC 9562: time-ordered, random tail)."""
    unix_ms = time.time_ns() // 1_000_000
    value = (unix_ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version 7
    value |= secrets.randbits(12) << 64
    value |= 0b10 << 62  # RFC 4122 variant
    value |= secrets.randbits(62)
    return str(uuid.UUID(int=value))


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime with microsecond precision."""
    return datetime.now(UTC)


# --- field types ------------------------------------------------------------------


def _check_text(value: str) -> str:
    if "\x00" not in value and value.isascii():  # the common case, without a call
        return value
    problem = text_problem(value)
    if problem:
        raise ValueError(f"string {problem}")
    return value


def _check_json(value: Any) -> Any:
    if json_is_plainly_storable(value):
        return value
    problem = json_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is UTC:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError(f"datetime {value.isoformat()} is outside the range of UTC") from error


Text = Annotated[str, Strict(), AfterValidator(_check_text)]
"""A string that every backend can store (no U+0000, no lone surrogate)."""

Key = Annotated[
    str,
    Strict(),
    StringConstraints(min_length=1, max_length=MAX_KEY_LENGTH),
    AfterValidator(_check_text),
]
"""An id, channel, bridge id or external id: a non-empty storable string of <= 512 code points."""


def _int_as_decimal(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        if not INT64_MIN <= value <= INT64_MAX:
            raise ValueError(f"integer external id {value} is outside signed 64 bits")
        return str(int(value))
    return value


ExternalKey = Annotated[Key, BeforeValidator(_int_as_decimal)]
"""An external id: a :data:`Key`, or an ``int`` (not ``bool``) within signed 64 bits,
stored as its decimal string (contract 9.0)."""

ExternalText = Annotated[Text, BeforeValidator(_int_as_decimal)]
"""A ``Participant.external_ids`` value: a :data:`Text`, or an int stored as its decimal string."""

Int64 = Annotated[int, Strict(), Field(ge=INT64_MIN, le=INT64_MAX)]
"""An integer within signed 64 bits."""

StrictBool = Annotated[bool, Strict()]
"""A bool field: ``True`` or ``False`` only; ``1``, ``"yes"`` or ``"off"`` are refused.

Int and id fields are strict too, so a record never holds a value the caller did
not write (pydantic's lax mode would turn ``enabled="off"`` into ``False``).
"""

UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An aware datetime, normalised to ``datetime.timezone.utc`` (naive ones are rejected)."""

Json = Annotated[JsonValue, AfterValidator(_check_json)]
"""Any JSON value that every backend can store."""

JsonMap = Annotated[dict[str, JsonValue], AfterValidator(_check_json)]
"""A free-form JSON object."""


class _Record(TrackedModel):
    """Base of every contract model: frozen, closed, NaN-free."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


# --- enums ------------------------------------------------------------------------


class RoomType(StrEnum):
    """What kind of conversation a room is."""

    DIRECT = "direct"
    GROUP = "group"
    CHANNEL = "channel"
    THREAD = "thread"


class ParticipantType(StrEnum):
    """Who or what a participant is."""

    HUMAN = "human"
    AGENT = "agent"
    SYSTEM = "system"


class Presence(StrEnum):
    """A participant's availability."""

    ONLINE = "online"
    AWAY = "away"
    BUSY = "busy"
    OFFLINE = "offline"


class MessageRole(StrEnum):
    """The role of a message's author, as in chat-completion APIs."""

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    TOOL = "tool"


class MessageStatus(StrEnum):
    """Where a message is in its delivery."""

    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class ThreadStatus(StrEnum):
    """Whether a thread is still in use."""

    ACTIVE = "active"
    ARCHIVED = "archived"
    CLOSED = "closed"


class BindingDirection(StrEnum):
    """Which way messages flow through a room binding."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    BOTH = "both"


class DeliveryMode(StrEnum):
    """How a routing policy delivers a room's messages."""

    BEST_EFFORT = "best_effort"
    PRIMARY = "primary"
    BROADCAST = "broadcast"


class FailoverPolicy(StrEnum):
    """What a routing policy does when a delivery fails."""

    NONE = "none"
    NEXT_AVAILABLE = "next_available"
    BROADCAST = "broadcast"


class DedupeScope(StrEnum):
    """What a routing policy deduplicates on."""

    MESSAGE_ID = "message_id"
    THREAD = "thread"
    ROOM = "room"


class IngressStatus(StrEnum):
    """The state of an ingress subscription on the external platform."""

    ACTIVE = "active"
    DELETED = "deleted"
    DISABLED = "disabled"
    EXPIRED = "expired"
    MANUAL_ACTION_REQUIRED = "manual_action_required"
    PENDING = "pending"
    UNKNOWN = "unknown"


class DirectoryTarget(StrEnum):
    """What a directory search looks for."""

    PARTICIPANT = "participant"
    ROOM = "room"


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


# --- content parts ----------------------------------------------------------------


class TextPart(_Record):
    """Plain text content."""

    type: Literal["text"] = "text"
    text: Text


class ImagePart(_Record):
    """An image, by URL or inline base64 data."""

    type: Literal["image"] = "image"
    url: Text | None = None
    data: Text | None = None
    media_type: Text | None = None
    alt_text: Text | None = None
    width: Int64 | None = None
    height: Int64 | None = None


class AudioPart(_Record):
    """An audio clip, by URL or inline base64 data; ``duration`` in seconds."""

    type: Literal["audio"] = "audio"
    url: Text | None = None
    data: Text | None = None
    media_type: Text | None = None
    transcript: Text | None = None
    duration: float | None = None


class VideoPart(_Record):
    """A video, by URL or inline base64 data; ``duration`` in seconds."""

    type: Literal["video"] = "video"
    url: Text | None = None
    data: Text | None = None
    media_type: Text | None = None
    thumbnail_url: Text | None = None
    duration: float | None = None
    width: Int64 | None = None
    height: Int64 | None = None


class FilePart(_Record):
    """A file attachment, by URL or inline base64 data; ``size`` in bytes."""

    type: Literal["file"] = "file"
    url: Text | None = None
    data: Text | None = None
    media_type: Text | None = None
    filename: Text | None = None
    size: Int64 | None = None


class ToolUsePart(_Record):
    """A tool call made by an assistant."""

    type: Literal["tool_use"] = "tool_use"
    id: Text
    name: Text
    input: JsonMap = Field(default_factory=dict)


class ToolResultPart(_Record):
    """The result of a tool call."""

    type: Literal["tool_result"] = "tool_result"
    tool_use_id: Text
    content: Json = None
    is_error: StrictBool = False


KNOWN_PART_TYPES: Final = frozenset(
    {"text", "image", "audio", "video", "file", "tool_use", "tool_result"}
)


class CustomPart(TrackedModel):
    """A content part of a type this library does not know, kept verbatim.

    Every field besides ``type`` is a JSON value.  A part whose ``type`` is one of the
    seven known types never becomes a ``CustomPart``: it must validate as that type.
    """

    model_config = ConfigDict(frozen=True, extra="allow", allow_inf_nan=False)

    type: Text

    @model_validator(mode="before")
    @classmethod
    def _only_json_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            part_type = data.get("type")
            if isinstance(part_type, str) and part_type in KNOWN_PART_TYPES:
                raise ValueError(f"a part of type {part_type!r} cannot be a CustomPart")
            problem = json_problem({k: v for k, v in data.items() if k != "type"}, "part")
            if problem:
                raise ValueError(problem)
        return data


def _part_tag(value: Any) -> str | None:
    part_type = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    if not isinstance(part_type, str):
        return None
    return part_type if part_type in KNOWN_PART_TYPES else "custom"


ContentPart = Annotated[
    Annotated[TextPart, Tag("text")]
    | Annotated[ImagePart, Tag("image")]
    | Annotated[AudioPart, Tag("audio")]
    | Annotated[VideoPart, Tag("video")]
    | Annotated[FilePart, Tag("file")]
    | Annotated[ToolUsePart, Tag("tool_use")]
    | Annotated[ToolResultPart, Tag("tool_result")]
    | Annotated[CustomPart, Tag("custom")],
    Discriminator(
        _part_tag,
        custom_error_type="invalid_part",
        custom_error_message="a content part needs a string 'type'",
    ),
]
"""One part of a message's content, discriminated on ``type``."""


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
