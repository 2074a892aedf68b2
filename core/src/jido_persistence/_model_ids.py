"""Ids and timestamps of new records: the default factories of the models' fields."""

from __future__ import annotations

import base64
import os
import secrets
import time
import uuid
from datetime import UTC, datetime

__all__ = ["new_binding_id", "new_bridge_id", "new_id", "new_onboarding_id", "utc_now"]


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
