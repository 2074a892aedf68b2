"""The ingestion workloads (contract 9.1), and what each is compared with.

``ingest_message_new`` delivers events the store has not seen (one message saved per
call); ``ingest_message_repeated`` re-delivers events it holds (a new ``Message``
object with a fresh id and an existing message's platform key, as a bridge builds it
from a webhook sent again; nothing is written).  :data:`INGEST_COMPARISONS` pairs
each with the call it replaces, measured in the same run on the same store: a new
event against ``save_message``, a repeat against ``get_message_by_external_id``,
whose cost it must stay within (:data:`REPEAT_LIMIT`).
"""

from __future__ import annotations

from typing import Final

from jido_persistence import PersistenceAdapter
from jido_persistence.models import Message, MessageRole, TextPart
from jido_persistence_bench.context import Context
from jido_persistence_bench.dataset import BRIDGE_ID, CHANNEL, room_id
from jido_persistence_bench.timing import Bench

__all__ = ["INGEST_COMPARISONS", "REPEAT_LIMIT", "ingest_new", "ingest_repeated"]

REPEAT_LIMIT: Final = 1.2
"""A repeated ingest may cost at most this times ``get_message_by_external_id``."""

INGEST_COMPARISONS: Final[tuple[tuple[str, str, float | None], ...]] = (
    ("ingest_message_new", "save_message", None),
    ("ingest_message_repeated", "get_message_by_external_id", REPEAT_LIMIT),
)
"""(operation, the operation it is compared with, the highest ratio allowed or None)."""


def ingest_new(context: Context, store: PersistenceAdapter) -> Bench:
    """Ingest events with keys never seen: each call saves one message."""

    def prepare(count: int) -> list[Message]:
        return [
            Message(
                id=context.unique("ingested-"),
                room_id=room_id(context.random_room()),
                sender_id="user-bot",
                role=MessageRole.USER,
                content=[TextPart(text="an event delivered for the first time")],
                external_id=context.unique("INGEST"),
                metadata={"channel": CHANNEL, "bridge_id": BRIDGE_ID},
            )
            for _ in range(count)
        ]

    def run(messages: list[Message]) -> int:
        for message in messages:
            store.ingest_message(message)
        return len(messages)

    return Bench("ingest_message_new", prepare, run)


def ingest_repeated(context: Context, store: PersistenceAdapter) -> Bench:
    """Re-deliver events the store holds: each call finds the stored message."""

    def prepare(count: int) -> list[Message]:
        # Built and validated as a bridge builds them (``model_copy`` would give
        # unvalidated instances, which every save-like callback re-validates in full).
        return [
            Message.model_validate(
                {
                    **context.data.message(context.random_message()).model_dump(),
                    "id": context.unique("redelivered-"),
                }
            )
            for _ in range(count)
        ]

    def run(messages: list[Message]) -> int:
        for message in messages:
            store.ingest_message(message)
        return len(messages)

    return Bench("ingest_message_repeated", prepare, run)
