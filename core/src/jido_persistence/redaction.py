"""What ``erase_participant(..., messages="redact")`` leaves of a message (contract 9.3).

One definition for every adapter, so a redacted message is the same record whatever
the backend: :func:`redacted` builds it, :func:`needs_redaction` says whether a stored
message would change (an already redacted message is not counted again, so a second
erasure answers zero).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from pydantic import JsonValue

from jido_persistence.models import Message

__all__ = ["ERASED_DEFAULTS", "KEPT_FIELDS", "needs_redaction", "redacted"]

KEPT_FIELDS: Final = (
    "id",
    "room_id",
    "sender_id",
    "role",
    "thread_id",
    "reply_to_id",
    "status",
    "inserted_at",
    "updated_at",
)
"""The fields a redacted message keeps; every other field takes its empty default:
``content`` ``[]``; ``metadata``, ``reactions``, ``receipts`` ``{}``; ``external_id``,
``external_reply_to_id``, ``external_thread_id`` and ``delivery_external_room_id``
``None`` (so the message holds no external-id key any more)."""

ERASED_DEFAULTS: Final[Mapping[str, JsonValue]] = MappingProxyType(
    {
        name: field.get_default(call_default_factory=True)
        for name, field in Message.model_fields.items()
        if name not in KEPT_FIELDS
    }
)
"""Every other field of ``Message`` with the JSON value a redacted message holds in it
(``[]``, ``{}`` or ``None``), for adapters that redact in SQL (``UPDATE ... SET``)."""


def redacted(message: Message) -> Message:
    """``message`` with only :data:`KEPT_FIELDS` kept (timestamps too, even ``None``).

    Its position in ``get_messages`` (room, thread, ``(inserted_at, id)``) is unchanged.
    O(1).
    """
    return Message(**{name: getattr(message, name) for name in KEPT_FIELDS})


def needs_redaction(message: Message) -> bool:
    """Whether :func:`redacted` would change ``message`` (it holds something erasable)."""
    return any(getattr(message, name) != empty for name, empty in ERASED_DEFAULTS.items())
