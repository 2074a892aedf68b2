"""The synthetic chat history every store is loaded with before it is measured.

A dataset of ``size`` messages is spread evenly over :data:`ROOMS` rooms (so every
room holds 1% of the messages), with participants, threads and room bindings in
proportion.  Everything is deterministic: the same ``size`` always gives the same
records with the same ids, so adapters are measured on identical stores, and the
workloads can compute what a lookup must return.

Messages are ordered by ``inserted_at`` (one millisecond apart, in id order), each
carries the external-id key ``("slack", BRIDGE_ID, "E<index>")``, and every fifth
message belongs to a thread of its room.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

from jido_persistence.models import (
    Message,
    MessageRole,
    Participant,
    ParticipantType,
    Room,
    RoomType,
    TextPart,
    Thread,
)

__all__ = [
    "BRIDGE_ID",
    "CHANNEL",
    "EPOCH",
    "ROOMS",
    "Dataset",
    "message_id",
    "room_id",
]

ROOMS: Final = 100
"""Rooms per store, whatever its size: each holds 1% of the messages."""

CHANNEL: Final = "slack"
"""The channel of every external key in the dataset."""

BRIDGE_ID: Final = "bridge-1"
"""The bridge id of every external key in the dataset."""

EPOCH: Final = datetime(2025, 1, 1, tzinfo=UTC)
"""The ``inserted_at`` of the first record; later records follow in order."""

PARTICIPANTS_PER_MESSAGE: Final = 10
"""One participant per this many messages (at least :data:`ROOMS`)."""

MESSAGES_PER_THREAD: Final = 20
"""One thread per this many messages (at least one per room)."""

THREADED_EVERY: Final = 5
"""Every fifth message is posted in a thread."""


def room_id(index: int) -> str:
    """The id of room ``index`` (``0 <= index < ROOMS``)."""
    return f"room-{index:03d}"


def room_external_id(index: int) -> str:
    """The external room id bound to room ``index`` on (:data:`CHANNEL`, :data:`BRIDGE_ID`)."""
    return f"C{index:05d}"


def message_id(index: int) -> str:
    """The id of message ``index``; ids sort in insertion order."""
    return f"msg-{index:08d}"


def message_external_id(index: int) -> str:
    """The platform id of message ``index``."""
    return f"E{index}"


def participant_id(index: int) -> str:
    """The id of participant ``index``."""
    return f"user-{index:07d}"


def participant_name(index: int) -> str:
    """The display name of participant ``index`` (``identity["name"]``)."""
    return f"User {index:07d}"


def participant_external_id(index: int) -> str:
    """The platform user id of participant ``index`` on :data:`CHANNEL`."""
    return f"U{index:07d}"


def thread_id(index: int) -> str:
    """The id of thread ``index``."""
    return f"thread-{index:07d}"


@dataclass(frozen=True)
class Dataset:
    """The shape of a store of ``size`` messages; records are generated on demand.

    Attributes:
        size: number of messages.
        rooms: number of rooms (:data:`ROOMS`).
        participants: number of participants.
        threads: number of threads (a multiple of ``rooms``: each room has
            ``threads // rooms`` of them).
    """

    size: int
    rooms: int = ROOMS
    participants: int = field(init=False)
    threads: int = field(init=False)

    def __post_init__(self) -> None:
        if self.size < self.rooms:
            raise ValueError(f"a store needs at least {self.rooms} messages, got {self.size}")
        object.__setattr__(
            self, "participants", max(self.rooms, self.size // PARTICIPANTS_PER_MESSAGE)
        )
        per_room = max(1, self.size // MESSAGES_PER_THREAD // self.rooms)
        object.__setattr__(self, "threads", per_room * self.rooms)

    @property
    def threads_per_room(self) -> int:
        """Threads in each room."""
        return self.threads // self.rooms

    def room_of(self, message_index: int) -> int:
        """The room index holding message ``message_index``."""
        return message_index % self.rooms

    def room_messages(self, room_index: int) -> list[str]:
        """The ids of room ``room_index``'s messages, oldest first."""
        return [message_id(i) for i in range(room_index, self.size, self.rooms)]

    def thread_of(self, message_index: int) -> int | None:
        """The thread index of message ``message_index``, or ``None`` outside threads."""
        if message_index % THREADED_EVERY:
            return None
        room = self.room_of(message_index)
        slot = (message_index // self.rooms) % self.threads_per_room
        return slot * self.rooms + room

    def room(self, index: int) -> Room:
        """Room ``index``, bound to ``(CHANNEL, BRIDGE_ID, room_external_id(index))``."""
        return Room(
            id=room_id(index),
            type=RoomType.GROUP,
            name=f"Room {index:03d}",
            external_bindings={CHANNEL: {BRIDGE_ID: room_external_id(index)}},
            inserted_at=EPOCH + timedelta(seconds=index),
        )

    def participant_attrs(self, index: int) -> dict[str, object]:
        """The ``attrs`` that create participant ``index`` through get-or-create."""
        return {
            "id": participant_id(index),
            "type": ParticipantType.HUMAN,
            "identity": {"name": participant_name(index)},
        }

    def participant(self, index: int) -> Participant:
        """Participant ``index``, as get-or-create stores it."""
        return Participant.model_validate(
            {
                **self.participant_attrs(index),
                "external_ids": {CHANNEL: participant_external_id(index)},
            }
        )

    def thread(self, index: int) -> Thread:
        """Thread ``index``, in room ``index % rooms``, rooted at that room's first message."""
        room = index % self.rooms
        created = EPOCH + timedelta(minutes=1, milliseconds=index)
        return Thread(
            id=thread_id(index),
            room_id=room_id(room),
            external_thread_id=f"T{index}",
            root_message_id=message_id(room),
            inserted_at=created,
            updated_at=created,
        )

    def message(self, index: int) -> Message:
        """Message ``index``, with its external key and, every fifth, a thread."""
        thread = self.thread_of(index)
        created = EPOCH + timedelta(hours=1, milliseconds=index)
        return Message(
            id=message_id(index),
            room_id=room_id(self.room_of(index)),
            sender_id=participant_id(index % self.participants),
            role=MessageRole.USER,
            content=[TextPart(text=f"message {index} of the benchmark history")],
            external_id=message_external_id(index),
            thread_id=None if thread is None else thread_id(thread),
            metadata={"channel": CHANNEL, "bridge_id": BRIDGE_ID},
            inserted_at=created,
            updated_at=created,
        )

    def messages(self) -> Iterator[Message]:
        """Every message, in insertion order."""
        return (self.message(index) for index in range(self.size))
