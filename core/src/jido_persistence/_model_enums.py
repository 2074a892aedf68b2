"""The enums of the contract's records (contract section 2)."""

from __future__ import annotations

from enum import StrEnum


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
