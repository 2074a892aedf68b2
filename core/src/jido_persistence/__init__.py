"""jido-persistence: chat and messaging data behind one typed behaviour.

Open a store with :func:`open_store` (a name, a URL, ``JIDO_PERSISTENCE_URL`` or the
embedded TinyDB default) and call the callbacks of
:class:`~jido_persistence.adapter.PersistenceAdapter` on it; :func:`copy_store` copies
one store into another, and :func:`save_messages` saves many messages through an
adapter's optional bulk path (:class:`SupportsBulkSaveMessages`) when it has one.
:func:`prune` removes old messages room by room (a retention policy on top of
``delete_messages``).  :func:`open_async_store` and :class:`AsyncStore` (from
:mod:`jido_persistence.aio`, imported on first use) offer the callbacks as coroutines
for asyncio code.  Records
are the models of :mod:`jido_persistence.models`; failures are the exceptions of
:mod:`jido_persistence.errors`.  Adapter authors start from
:mod:`jido_persistence.callbacks` (the callback table) and ``docs/writing-an-adapter.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jido_persistence.adapter import AdapterOptions, PersistenceAdapter, RawIndex
from jido_persistence.bulk import SupportsBulkSaveMessages, save_messages
from jido_persistence.copy import CopyReport, copy_store
from jido_persistence.errors import (
    AdapterNotFound,
    AmbiguousLookup,
    ConfigurationError,
    CursorNotFound,
    InvalidArgument,
    InvalidCursor,
    InvalidDirectoryTarget,
    InvalidLimit,
    InvalidOnboardingId,
    NotFound,
    NotSupported,
    PersistenceError,
    StorageError,
    StoreClosed,
    StoreLocked,
)
from jido_persistence.models import (
    BridgeConfig,
    Capabilities,
    DirectoryTarget,
    Erasure,
    Health,
    ImportReport,
    Ingested,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoomBinding,
    RoutingPolicy,
    Thread,
    new_onboarding_id,
)
from jido_persistence.records import Record
from jido_persistence.registry import available_adapters, open_store
from jido_persistence.retention import PruneReport, prune
from jido_persistence.validation import normalize_external_id

if TYPE_CHECKING:
    from jido_persistence.aio import AsyncStore, open_async_store

__all__ = [
    "AdapterNotFound",
    "AdapterOptions",
    "AmbiguousLookup",
    "AsyncStore",
    "BridgeConfig",
    "Capabilities",
    "ConfigurationError",
    "CopyReport",
    "CursorNotFound",
    "DirectoryTarget",
    "Erasure",
    "Health",
    "ImportReport",
    "Ingested",
    "IngressSubscription",
    "InvalidArgument",
    "InvalidCursor",
    "InvalidDirectoryTarget",
    "InvalidLimit",
    "InvalidOnboardingId",
    "Message",
    "NotFound",
    "NotSupported",
    "Participant",
    "PersistenceAdapter",
    "PersistenceError",
    "PruneReport",
    "RawIndex",
    "Record",
    "Room",
    "RoomBinding",
    "RoutingPolicy",
    "StorageError",
    "StoreClosed",
    "StoreLocked",
    "SupportsBulkSaveMessages",
    "Thread",
    "available_adapters",
    "copy_store",
    "new_onboarding_id",
    "normalize_external_id",
    "open_async_store",
    "open_store",
    "prune",
    "save_messages",
]

__version__ = "0.1.0"

_LAZY = frozenset({"AsyncStore", "open_async_store"})


def __getattr__(name: str) -> object:
    """Import :mod:`jido_persistence.aio` (and asyncio) only when its names are used."""
    if name in _LAZY:
        from jido_persistence import aio

        return getattr(aio, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
