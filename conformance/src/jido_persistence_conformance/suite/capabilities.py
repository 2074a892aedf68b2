"""Area capabilities (being written)."""

from __future__ import annotations

__all__ = ["CapabilitiesTests"]


class CapabilitiesTests:
    """Tests of this area."""
