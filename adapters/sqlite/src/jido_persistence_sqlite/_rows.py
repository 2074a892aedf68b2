"""Records to row parameters: the ``doc`` text and the columns SQL searches and sorts.

``doc`` is ``model_dump_json()`` (read back with ``model_validate_json``); timestamps
become integer microseconds since the Unix epoch, ``None`` becoming :data:`NULL_SORT_US`
in a message's sort key.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from jido_persistence.directory import name_fold
from jido_persistence.models import (
    Message,
    Participant,
    Room,
    RoomBinding,
    Thread,
)
from jido_persistence.validation import message_external_key

__all__ = [
    "NULL_SORT_US",
    "binding_row",
    "epoch_us",
    "message_row",
    "onboarding_row",
    "participant_row",
    "room_row",
    "thread_row",
]

NULL_SORT_US: Final = -(2**63)
"""The sort key of a message whose ``inserted_at`` is ``None``: below every datetime."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def epoch_us(moment: datetime) -> int:
    """Microseconds from the Unix epoch to the aware datetime ``moment`` (exact)."""
    return (moment - _EPOCH) // _MICROSECOND


def room_row(room: Room) -> tuple[object, ...]:
    """``(id, inserted_us, name_fold, doc)``."""
    return (room.id, epoch_us(room.inserted_at), name_fold(room.name), room.model_dump_json())


def participant_row(participant: Participant) -> tuple[object, ...]:
    """``(id, name_fold, doc)``."""
    return (
        participant.id,
        name_fold(participant.identity.get("name")),
        participant.model_dump_json(),
    )


def message_row(message: Message) -> tuple[object, ...]:
    """``(id, room_id, thread_id, sort_us, key_channel, key_bridge_id, key_external_id, doc)``.

    Raises InvalidArgument (before anything is written) when the message has an
    external id and malformed channel or bridge id metadata.
    """
    key = message_external_key(message)
    channel, bridge_id, external_id = key if key is not None else (None, None, None)
    inserted = message.inserted_at
    return (
        message.id,
        message.room_id,
        message.thread_id,
        NULL_SORT_US if inserted is None else epoch_us(inserted),
        channel,
        bridge_id,
        external_id,
        message.model_dump_json(),
    )


def thread_row(thread: Thread) -> tuple[object, ...]:
    """``(id, room_id, inserted_us, external_thread_id, root_message_id, doc)``."""
    return (
        thread.id,
        thread.room_id,
        epoch_us(thread.inserted_at),
        thread.external_thread_id,
        thread.root_message_id,
        thread.model_dump_json(),
    )


def binding_row(binding: RoomBinding) -> tuple[object, ...]:
    """``(id, room_id, channel, bridge_id, external_room_id, inserted_us, doc)``."""
    return (
        binding.id,
        binding.room_id,
        binding.channel,
        binding.bridge_id,
        binding.external_room_id,
        epoch_us(binding.inserted_at),
        binding.model_dump_json(),
    )


def onboarding_row(flow: dict[str, Any]) -> tuple[object, ...]:
    """``(id, doc)``; Python's ``json`` keeps floats as floats (``1e16`` -> ``1e+16``)."""
    return (flow["onboarding_id"], json.dumps(flow, ensure_ascii=False, allow_nan=False))
