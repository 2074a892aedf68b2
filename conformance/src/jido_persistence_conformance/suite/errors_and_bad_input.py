"""Area errors_and_bad_input (being written)."""

from __future__ import annotations

__all__ = ["ErrorsAndBadInputTests"]


class ErrorsAndBadInputTests:
    """Tests of this area."""
