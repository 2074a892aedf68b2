"""Deliberately broken adapters: the reference adapter with one seeded bug each.

The conformance kit must catch every one of them (``test_seeded_bugs.py``).  Each
class says its bug in ``seeded_bug`` and the kit area expected to catch it in
``expected_area`` (a module of ``jido_persistence_conformance.suite``).
"""

from __future__ import annotations

from jido_persistence.memory import MemoryAdapter

from .bindings import (
    BindingUpsertDuplicates,
    CascadeLeavesBindings,
    CascadeLeavesRoutingPolicy,
    DeleteBindingDropsForeignKey,
    RaceCreatesTwoRooms,
    StaleBindingNotHealed,
)
from .bulk import BulkAdapter, BulkKeepsFirstCopy, BulkSavesNewestFirst
from .directory import (
    AmbiguousLookupReturnsFirst,
    LowerInsteadOfCasefold,
    NameFilterAdapter,
    PercentIsWildcard,
)
from .keys import (
    BridgeIdNotNormalised,
    DeleteMessageLeavesKey,
    KeyResolvesToFirstHolder,
    OldExternalIdStillResolves,
    UpdateExternalIdTouchesUpdatedAt,
)
from .messages import (
    BeforeIncludesCursor,
    LimitIgnored,
    ListThreadsNewest,
    NewestFirst,
    NoneTimestampsLast,
    PagingAdapter,
    RoomsOrderedById,
    TiesByIdDescending,
)
from .records import LossyJsonNumbers, OnboardingByReference

__all__ = ["AREA_ONLY", "BROKEN_ADAPTERS", "CONTROLS", "UNBROKEN_BASES"]

BROKEN_ADAPTERS: tuple[type[MemoryAdapter], ...] = (
    TiesByIdDescending,
    NoneTimestampsLast,
    BeforeIncludesCursor,
    LimitIgnored,
    NewestFirst,
    ListThreadsNewest,
    RoomsOrderedById,
    AmbiguousLookupReturnsFirst,
    PercentIsWildcard,
    LowerInsteadOfCasefold,
    StaleBindingNotHealed,
    CascadeLeavesBindings,
    CascadeLeavesRoutingPolicy,
    DeleteBindingDropsForeignKey,
    BindingUpsertDuplicates,
    RaceCreatesTwoRooms,
    BridgeIdNotNormalised,
    OldExternalIdStillResolves,
    KeyResolvesToFirstHolder,
    DeleteMessageLeavesKey,
    UpdateExternalIdTouchesUpdatedAt,
    OnboardingByReference,
    LossyJsonNumbers,
    BulkSavesNewestFirst,
    BulkKeepsFirstCopy,
)
"""Every seeded-bug adapter."""

AREA_ONLY: frozenset[type[MemoryAdapter]] = frozenset(
    {RaceCreatesTwoRooms, BulkSavesNewestFirst, BulkKeepsFirstCopy}
)
"""Bugs the state machine cannot see: races (only concurrent callers can), and bugs in
the optional ``bulk_save_messages``, which the machine does not call; their own kit
areas must catch them."""

UNBROKEN_BASES: tuple[type[MemoryAdapter], ...] = (PagingAdapter, NameFilterAdapter, BulkAdapter)
"""The helper bases with their hooks left alone: they must pass like the reference."""

CONTROLS: dict[str, type[MemoryAdapter]] = {"bulk_messages": BulkAdapter}
"""The adapter an area's control run uses where the reference lacks the surface it
checks (the reference has no ``bulk_save_messages``); the reference elsewhere."""
