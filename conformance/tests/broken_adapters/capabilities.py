"""Seeded bugs in what an adapter declares: a crashing optional callback, flags that lie."""

from __future__ import annotations

from typing import ClassVar

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Capabilities, IngressStatus, IngressSubscription


class CrashingIngressList(MemoryAdapter):
    """``list_ingress_subscriptions`` crashes with a RuntimeError (a half-written method,
    or a driver error not listed in ``backend_errors``) instead of answering."""

    seeded_bug = "an optional callback of a declared group crashes (RuntimeError)"
    expected_area: ClassVar[str] = "capabilities"

    def _list_ingress_subscriptions(
        self, bridge_id: str, *, status: IngressStatus | None
    ) -> list[IngressSubscription]:
        raise RuntimeError("cursor is not open")


class ClaimsRetentionWithoutIt(MemoryAdapter):
    """Declares ``retention`` by hand while its retention hooks are the base's
    NotSupported defaults."""

    seeded_bug = "retention=True declared, but the retention callbacks raise NotSupported"
    expected_area: ClassVar[str] = "capabilities"

    _delete_messages = PersistenceAdapter._delete_messages
    _erase_participant = PersistenceAdapter._erase_participant
    _delete_onboarding = PersistenceAdapter._delete_onboarding

    @classmethod
    def capabilities_of(cls) -> Capabilities:
        return super().capabilities_of().model_copy(update={"retention": True})


class HidesIngest(MemoryAdapter):
    """Implements the ingest group but declares ``ingest=False`` by hand."""

    seeded_bug = "ingest callbacks implemented, but ingest=False declared"
    expected_area: ClassVar[str] = "capabilities"

    @classmethod
    def capabilities_of(cls) -> Capabilities:
        return super().capabilities_of().model_copy(update={"ingest": False})
