"""The kit's and the contract's versions (re-exported by the package).

Its own module so that the report can name them without importing the package's
``__init__``, which names the kit's classes.
"""

from __future__ import annotations

from typing import Final

__all__ = ["CONTRACT_VERSION", "__version__"]

__version__: Final = "0.1.0"
"""The kit's version (the distribution's)."""

CONTRACT_VERSION: Final = "1.2"
"""The version of the persistence contract this kit checks."""
