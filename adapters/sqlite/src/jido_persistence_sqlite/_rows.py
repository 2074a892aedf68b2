"""The rows of the SQLite tables: core's SQL toolkit rows (``jido_persistence.sqlkit_rows``)."""

from jido_persistence.sqlkit_rows import (
    binding_row,
    message_row,
    onboarding_row,
    participant_row,
    room_row,
    thread_row,
)

__all__ = [
    "binding_row",
    "message_row",
    "onboarding_row",
    "participant_row",
    "room_row",
    "thread_row",
]
