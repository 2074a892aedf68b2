"""The callbacks of the optional groups: ingress, ingest, enumeration, retention.

A mixin of :class:`~jido_persistence.adapter.PersistenceAdapter`: each public callback
is final and runs the guard; each hook raises NotSupported unless a class implements
all of its group's hooks (the group's capability flag says whether it does).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, final

from jido_persistence._guard import GuardedStore
from jido_persistence.models import (
    Erasure,
    Ingested,
    IngressStatus,
    IngressSubscription,
    Message,
    Participant,
    Thread,
)


class OptionalCallbacks(GuardedStore):
    """The ingress, ingest, enumeration and retention groups (all or none of each)."""

    # --- ingress subscriptions (optional group "ingress": all three or none) ---------

    @final
    def save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        """Insert or replace by ``(bridge_id, subscription_id)``.  Optional: NotSupported."""
        return self._guard(
            "save_ingress_subscription", self._save_ingress_subscription, subscription
        )

    @final
    def list_ingress_subscriptions(
        self, bridge_id: str | int, *, status: IngressStatus | str | None = None
    ) -> list[IngressSubscription]:
        """The bridge's subscriptions sorted by subscription_id.  Optional: NotSupported.

        ``status`` filters (an IngressStatus or its value; anything else InvalidArgument).
        """
        return self._guard(
            "list_ingress_subscriptions", self._list_ingress_subscriptions, bridge_id, status=status
        )

    @final
    def delete_ingress_subscription(self, bridge_id: str | int, subscription_id: str) -> None:
        """Delete one subscription (NotFound when unknown).  Optional: NotSupported."""
        self._guard(
            "delete_ingress_subscription",
            self._delete_ingress_subscription,
            bridge_id,
            subscription_id,
        )

    def _save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        """Hook of :meth:`save_ingress_subscription` (default: NotSupported)."""
        raise self._unsupported("save_ingress_subscription")

    def _list_ingress_subscriptions(
        self, bridge_id: str, *, status: IngressStatus | None
    ) -> list[IngressSubscription]:
        """Hook of :meth:`list_ingress_subscriptions` (default: NotSupported)."""
        raise self._unsupported("list_ingress_subscriptions")

    def _delete_ingress_subscription(self, bridge_id: str, subscription_id: str) -> None:
        """Hook of :meth:`delete_ingress_subscription` (default: NotSupported)."""
        raise self._unsupported("delete_ingress_subscription")

    # --- idempotent ingestion (optional group "ingest", contract 9.1) ----------------

    @final
    def ingest_message(self, message: Message) -> Ingested:
        """Store ``message`` unless a stored message holds its external key.

        The message must carry a complete external key (channel, bridge id, external
        id), else InvalidArgument.  A key already held returns its resolution with
        ``created=False`` and writes nothing; otherwise the message is saved as by
        :meth:`save_message` and returned with ``created=True``.  Race-free.
        Optional: NotSupported.  O(log n).
        """
        return self._guard("ingest_message", self._ingest_message, message)

    @final
    def get_or_create_thread_by_external_id(
        self,
        room_id: str,
        external_thread_id: str | int,
        attrs: Mapping[str, Any] | None = None,
    ) -> Thread:
        """The room's thread with this external id, created from ``attrs`` when absent.

        ``attrs`` are Thread fields other than ``room_id`` and ``external_thread_id``
        (those raise InvalidArgument, as unknown keys do).  Race-free, as the other
        get-or-create callbacks.  Optional: NotSupported.
        """
        return self._guard(
            "get_or_create_thread_by_external_id",
            self._get_or_create_thread_by_external_id,
            room_id,
            external_thread_id,
            attrs,
        )

    def _ingest_message(self, message: Message) -> Ingested:
        """Hook of :meth:`ingest_message` (default: NotSupported); the key is complete."""
        raise self._unsupported("ingest_message")

    def _get_or_create_thread_by_external_id(
        self, room_id: str, external_thread_id: str, attrs: dict[str, Any]
    ) -> Thread:
        """Hook of :meth:`get_or_create_thread_by_external_id` (default: NotSupported)."""
        raise self._unsupported("get_or_create_thread_by_external_id")

    # --- enumeration (optional group "enumeration", contract 9.2) --------------------

    @final
    def list_participants(self, *, limit: int = 100, after: str | None = None) -> list[Participant]:
        """The first ``limit`` participants by id, after participant ``after``.

        Raises InvalidLimit, InvalidCursor, CursorNotFound.  Optional: NotSupported.
        O(log n + limit).
        """
        return self._guard("list_participants", self._list_participants, limit=limit, after=after)

    @final
    def list_onboardings(
        self, *, limit: int = 100, after: str | None = None
    ) -> list[dict[str, Any]]:
        """The first ``limit`` onboarding flows by id, after onboarding ``after``.

        Raises InvalidLimit, InvalidCursor, CursorNotFound.  Optional: NotSupported.
        O(log n + limit).
        """
        return self._guard("list_onboardings", self._list_onboardings, limit=limit, after=after)

    def _list_participants(self, *, limit: int, after: str | None) -> list[Participant]:
        """Hook of :meth:`list_participants` (default: NotSupported)."""
        raise self._unsupported("list_participants")

    def _list_onboardings(self, *, limit: int, after: str | None) -> list[dict[str, Any]]:
        """Hook of :meth:`list_onboardings` (default: NotSupported)."""
        raise self._unsupported("list_onboardings")

    # --- retention and erasure (optional group "retention", contract 9.3) ------------

    @final
    def delete_messages(
        self, room_id: str, *, before: datetime, thread_id: str | None = None
    ) -> int:
        """Delete the scope's messages with ``inserted_at < before``; return how many.

        ``None`` timestamps are older than every datetime.  Atomic, with the index
        entries.  A naive ``before`` raises InvalidArgument.  Optional: NotSupported.
        """
        return self._guard(
            "delete_messages", self._delete_messages, room_id, before=before, thread_id=thread_id
        )

    @final
    def erase_participant(
        self, participant_id: str, *, messages: Literal["delete", "redact"] = "delete"
    ) -> Erasure:
        """Remove the participant, its keys and (deleted or redacted) its messages.

        Erases by ``sender_id`` in every room, whether or not the record exists; safe to
        re-run (a second call answers zero counts).  ``messages`` other than
        ``"delete"``/``"redact"`` raises InvalidArgument.  Optional: NotSupported.
        """
        return self._guard(
            "erase_participant", self._erase_participant, participant_id, messages=messages
        )

    @final
    def delete_onboarding(self, onboarding_id: str) -> None:
        """Delete the flow.  Raises NotFound("onboarding", onboarding_id).  Optional."""
        self._guard("delete_onboarding", self._delete_onboarding, onboarding_id)

    def _delete_messages(self, room_id: str, *, before: datetime, thread_id: str | None) -> int:
        """Hook of :meth:`delete_messages` (default: NotSupported); ``before`` in UTC."""
        raise self._unsupported("delete_messages")

    def _erase_participant(
        self, participant_id: str, *, messages: Literal["delete", "redact"]
    ) -> Erasure:
        """Hook of :meth:`erase_participant` (default: NotSupported)."""
        raise self._unsupported("erase_participant")

    def _delete_onboarding(self, onboarding_id: str) -> None:
        """Hook of :meth:`delete_onboarding` (default: NotSupported)."""
        raise self._unsupported("delete_onboarding")
