"""Area durability (being written)."""

from __future__ import annotations

__all__ = ["DurabilityTests"]


class DurabilityTests:
    """Tests of this area."""
