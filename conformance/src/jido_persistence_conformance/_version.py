"""The kit's and the contract's versions (re-exported by the package).

Its own module so that the report can name them without importing the package's
``__init__``, which names the kit's classes.
"""

from __future__ import annotations

from typing import Final

__all__ = ["CONTRACT_GROUPS", "CONTRACT_VERSION", "__version__"]

__version__: Final = "0.1.0"
"""The kit's version (the distribution's)."""

CONTRACT_VERSION: Final = "1.3"
"""The version of the persistence contract this kit checks.

Contract 1.3 is 1.2 plus its optional groups (:data:`CONTRACT_GROUPS`): the kit checks
every required rule on every adapter, and a group's rules where the adapter declares
the group's capability flag (elsewhere they are *not applicable*).  So an adapter that
passes the kit keeps contract 1.3 with the groups it declares; the JSON report lists
them per run (``"groups"``)."""

CONTRACT_GROUPS: Final = {
    "ingress": "ingress_subscriptions",
    "ingest": "ingest",
    "enumeration": "enumeration",
    "retention": "retention",
    "transactions": "transactions",
}
"""The optional groups of contract 1.3 the kit checks, each with its capability flag
(``jido_persistence.callbacks.GROUP_FLAGS``; kept here so that loading the plugin
imports nothing of core)."""
