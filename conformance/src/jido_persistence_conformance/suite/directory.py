"""Area directory (being written)."""

from __future__ import annotations

__all__ = ["DirectoryTests"]


class DirectoryTests:
    """Tests of this area."""
