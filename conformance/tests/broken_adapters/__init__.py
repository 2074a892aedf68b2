"""Deliberately broken adapters: the reference adapter with one seeded bug each.

The conformance kit must catch every one of them (``test_seeded_bugs.py``).  Each
class says its bug in ``seeded_bug`` and the kit area expected to catch it in
``expected_area`` (a module of ``jido_persistence_conformance.suite``).
"""

from __future__ import annotations

from jido_persistence.memory import MemoryAdapter
from jido_persistence_conformance import ClassStoreFactory, StoreFactory

from .bindings import (
    BindingsListedById,
    BindingUpsertDuplicates,
    CascadeLeavesBindings,
    CascadeLeavesRoutingPolicy,
    DeleteBindingDropsForeignKey,
    GetOrCreateRemembersDeadRoom,
    RaceCreatesTwoRooms,
    StaleBindingNotHealed,
)
from .bulk import BulkAdapter, BulkKeepsFirstCopy, BulkSavesNewestFirst
from .caching import CachedReads, SharedStore
from .capabilities import ClaimsRetentionWithoutIt, CrashingIngressList, HidesIngest
from .directory import (
    AmbiguousLookupReturnsFirst,
    LowerInsteadOfCasefold,
    NameFilterAdapter,
    PercentIsWildcard,
)
from .ingest import (
    AfterComparesTimestampOnly,
    AfterIncludesCursor,
    IngestRaceStoresTwo,
    IngestReturnsOldestHolder,
    IngestSavesRepeats,
    MissingCursorGivesEmptyPage,
    ThreadKeyIgnoresRoom,
)
from .interchange import ExportMessagesByTime, ImportDropsStaleKeys
from .keys import (
    BridgeIdNotNormalised,
    DeleteMessageLeavesKey,
    KeyResolvesToFirstHolder,
    OldExternalIdStillResolves,
    UpdateExternalIdKeepsSaveOrder,
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
from .retention import (
    CutIgnoresThread,
    CutIncludesBefore,
    CutKeepsNoneTimestamps,
    DeleteOnboardingSilent,
    EraseLeavesKeys,
    RedactCountsEverything,
    RedactKeepsExternalId,
)

__all__ = ["AREA_ONLY", "BROKEN_ADAPTERS", "CONTROLS", "UNBROKEN_BASES", "factory_for"]

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
    UpdateExternalIdKeepsSaveOrder,
    BindingsListedById,
    GetOrCreateRemembersDeadRoom,
    CachedReads,
    IngestSavesRepeats,
    IngestReturnsOldestHolder,
    IngestRaceStoresTwo,
    ThreadKeyIgnoresRoom,
    AfterIncludesCursor,
    AfterComparesTimestampOnly,
    MissingCursorGivesEmptyPage,
    CutIncludesBefore,
    CutKeepsNoneTimestamps,
    CutIgnoresThread,
    EraseLeavesKeys,
    RedactKeepsExternalId,
    RedactCountsEverything,
    DeleteOnboardingSilent,
    CrashingIngressList,
    ClaimsRetentionWithoutIt,
    HidesIngest,
    ImportDropsStaleKeys,
    ExportMessagesByTime,
)
"""Every seeded-bug adapter."""

AREA_ONLY: frozenset[type[MemoryAdapter]] = frozenset(
    {
        RaceCreatesTwoRooms,
        IngestRaceStoresTwo,
        BulkSavesNewestFirst,
        BulkKeepsFirstCopy,
        CachedReads,
        BindingsListedById,
        UpdateExternalIdKeepsSaveOrder,
        ImportDropsStaleKeys,
        ExportMessagesByTime,
    }
)
"""Bugs the state machine cannot see: races (only concurrent callers can), bugs in
the optional ``bulk_save_messages``, which the machine does not call, and a stale
per-instance cache (the machine uses one instance), and binding order by id (the
machine's bindings get random ids in each store, so runs of them are compared in
natural-key order), and a re-keyed message not taking over a key held by a message
saved after it (the machine's random re-keys rarely meet that order), and export and
import, which the machine does not call; their own kit areas must catch them."""

UNBROKEN_BASES: tuple[type[MemoryAdapter], ...] = (
    PagingAdapter,
    NameFilterAdapter,
    BulkAdapter,
    SharedStore,
)
"""The helper bases with their hooks left alone: they must pass like the reference."""

CONTROLS: dict[str, type[MemoryAdapter]] = {
    "bulk_messages": BulkAdapter,
    "concurrency": SharedStore,
}
"""The adapter an area's control run uses where the reference lacks the surface it
checks (the reference has no ``bulk_save_messages`` and no instances sharing one
store, so it declares no ``multi_process``); the reference elsewhere."""


def factory_for(adapter: type[MemoryAdapter]) -> StoreFactory:
    """The store factory of a seeded-bug adapter: its ``kit_factory`` or a class factory."""
    maker = getattr(adapter, "kit_factory", ClassStoreFactory)
    factory: StoreFactory = maker(adapter)
    return factory
