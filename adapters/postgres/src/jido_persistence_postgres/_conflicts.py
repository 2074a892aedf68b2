"""What the retry loops share: the connection type, the transient errors, ``Retry``.

Its own module so that the connection layer (:mod:`._database`) and the block helpers
(:mod:`._blocks`) both use them without importing each other.
"""

from __future__ import annotations

from typing import Any, Final

import psycopg
import psycopg.errors

__all__ = ["TRANSIENT", "Connection", "Retry"]

Connection = psycopg.Connection[tuple[Any, ...]]
"""A pooled connection (rows as tuples)."""

TRANSIENT: Final = (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected)
"""The errors that running the same transaction again may not meet: retried outside
``transaction()`` blocks."""


class Retry(Exception):
    """Raised inside a transaction to roll it back and run the work again."""
