"""Area concurrency (being written)."""

from __future__ import annotations

__all__ = ["ConcurrencyTests"]


class ConcurrencyTests:
    """Tests of this area."""
