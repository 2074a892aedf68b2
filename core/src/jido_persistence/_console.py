"""The ``jido-persistence`` console script: the command line, or how to install it.

The command line needs click and rich, which are the ``cli`` extra of the distribution
(the storage API imports without them).  When one is missing, the script says which
and how to install it instead of showing an ImportError traceback.
"""

from __future__ import annotations

import sys
from typing import Final

__all__ = ["CLI_DEPENDENCIES", "INSTALL_CLI", "main"]

INSTALL_CLI: Final = "pip install 'jido-persistence[cli]'"
"""How to install what the command line needs."""

CLI_DEPENDENCIES: Final = ("click", "rich")
"""The distributions of the ``cli`` extra, by import name."""


def main() -> None:
    """Run the ``jido-persistence`` command; exit 1 naming the extra when it is missing."""
    try:
        from jido_persistence.cli import main as command
    except ModuleNotFoundError as error:
        missing = (error.name or "").partition(".")[0]
        if missing not in CLI_DEPENDENCIES:
            raise
        sys.stderr.write(
            f"jido-persistence: the command line needs {missing}, which is not installed.\n"
            f"Install the command line's dependencies with: {INSTALL_CLI}\n"
        )
        raise SystemExit(1) from None
    command()
