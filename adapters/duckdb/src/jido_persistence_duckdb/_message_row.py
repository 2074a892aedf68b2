"""The parameters of one row of the messages table: what ``save_message`` writes.

Its own module so that the adapter and the bulk loader share it without importing
each other.
"""

from __future__ import annotations

from typing import Any

from jido_persistence.models import Message
from jido_persistence_duckdb._rows import NULL_SORT_US, to_epoch_us
from jido_persistence_duckdb._statements import lookup_key
from jido_persistence_duckdb._tables import MESSAGES

__all__ = ["checked_key", "message_params"]


def checked_key(message: Message) -> tuple[str, str, str] | None:
    """The external-id key of a message the guard accepted, read, not checked again.

    Every caller of :func:`message_params` (``save_message``, ``ingest_message``,
    ``bulk_save_messages``, ``import_records``) runs after a guard that called
    :func:`~jido_persistence.validation.message_external_key` on the same message, so
    its channel is a ``str`` and its bridge id a ``str`` or an ``int`` (not a
    ``bool``); this gives what that call gave, normalised the same way, at a third of
    its cost (a profile of a bulk import found the key computed twice per message).
    """
    external_id = message.external_id
    if external_id is None:
        return None
    metadata = message.metadata
    channel = metadata.get("channel")
    bridge_id = metadata.get("bridge_id")
    if channel is None or bridge_id is None:
        return None
    if type(channel) is not str:
        channel = str(channel)
    if type(bridge_id) is not str:
        bridge_id = str(int(bridge_id)) if isinstance(bridge_id, int) else str(bridge_id)
    return (channel, bridge_id, external_id)


def message_params(message: Message) -> list[Any]:
    """The row of ``message`` (table columns, sort key, external-id key), without
    ``save_seq``, which the upsert statement draws."""
    key = checked_key(message)
    inserted = message.inserted_at
    return [
        *MESSAGES.params(message),
        NULL_SORT_US if inserted is None else to_epoch_us(inserted),
        None if key is None else lookup_key(*key),
    ]
