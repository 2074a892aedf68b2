"""The parameters of one row of the messages table: what ``save_message`` writes.

Its own module so that the adapter and the bulk loader share it without importing
each other.
"""

from __future__ import annotations

from typing import Any

from jido_persistence.models import Message
from jido_persistence.validation import message_external_key
from jido_persistence_duckdb._rows import NULL_SORT_US, to_epoch_us
from jido_persistence_duckdb._statements import lookup_key
from jido_persistence_duckdb._tables import MESSAGES

__all__ = ["message_params"]


def message_params(message: Message) -> list[Any]:
    """The row of ``message`` (table columns, sort key, external-id key), without
    ``save_seq``, which the upsert statement draws."""
    key = message_external_key(message)
    inserted = message.inserted_at
    return [
        *MESSAGES.params(message),
        NULL_SORT_US if inserted is None else to_epoch_us(inserted),
        None if key is None else lookup_key(*key),
    ]
