"""The tests of the conformance kit, one module per area of the contract.

Each module holds one mixin class of tests (``RoomsTests``, ...) that use the fixtures
``store``, ``factory`` and ``reference`` of
:class:`~jido_persistence_conformance.AdapterConformance`, which inherits them all.
"""

from __future__ import annotations

from typing import Final

__all__ = ["AREAS"]

AREAS: Final = (
    "rooms",
    "participants",
    "messages_and_cursors",
    "threads",
    "external_ids",
    "ingestion",
    "room_bindings",
    "directory",
    "onboarding",
    "bridge_configs",
    "routing_policies",
    "ingress_subscriptions",
    "bulk_messages",
    "enumeration",
    "round_trip",
    "retention",
    "isolation",
    "cascades",
    "errors_and_bad_input",
    "capabilities",
    "durability",
    "concurrency",
    "ingestion_concurrency",
    "transactions",
    "async_facade",
    "stateful_comparison",
)
"""The areas of the contract, in contract order; each is a module of this package."""
