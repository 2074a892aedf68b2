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

__all__ = ["BROKEN_ADAPTERS", "CONCURRENCY_ONLY", "UNBROKEN_BASES"]

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
)
"""Every seeded-bug adapter."""

CONCURRENCY_ONLY: frozenset[type[MemoryAdapter]] = frozenset({RaceCreatesTwoRooms})
"""Bugs only concurrent callers can see; the sequential state machine cannot."""

UNBROKEN_BASES: tuple[type[MemoryAdapter], ...] = (PagingAdapter, NameFilterAdapter)
"""The helper bases with their hooks left alone: they must pass like the reference."""
