"""The callbacks that resolve keys: external ids, room bindings and the directory.

A mixin of :class:`~jido_persistence.adapter.PersistenceAdapter`: each public callback
is final and runs the guard; each hook is abstract but ``_directory_lookup``, which
the base builds on ``_directory_search``.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any, Final, final

from jido_persistence._guard import GuardedStore
from jido_persistence.errors import AmbiguousLookup, NotFound
from jido_persistence.models import (
    DirectoryTarget,
    Message,
    Participant,
    Room,
    RoomBinding,
)
from jido_persistence.validation import DirectoryQuery

AMBIGUOUS_MATCHES_SHOWN: Final = 100
"""How many matches an AmbiguousLookup of ``directory_lookup`` carries at most."""


class KeyCallbacks(GuardedStore):
    """External-id resolution, room bindings and the directory."""

    # --- external-id resolution ------------------------------------------------------

    @final
    def get_or_create_room_by_external_binding(
        self,
        channel: str,
        bridge_id: str | int,
        external_id: str | int,
        attrs: Mapping[str, Any] | None = None,
    ) -> Room:
        """The room bound to the key, created from ``attrs`` (with a RoomBinding) when absent.

        A key bound to a room that no longer exists is stale: it is removed and the call
        goes on as if absent.  Race-free: concurrent callers get the same room, and a
        losing call writes nothing.  Invalid attrs raise InvalidArgument (pydantic error
        as ``__cause__``) and create nothing.
        """
        return self._guard(
            "get_or_create_room_by_external_binding",
            self._get_or_create_room_by_external_binding,
            channel,
            bridge_id,
            external_id,
            attrs,
        )

    @final
    def get_or_create_participant_by_external_id(
        self, channel: str, external_id: str | int, attrs: Mapping[str, Any] | None = None
    ) -> Participant:
        """The participant bound to ``(channel, external_id)``, created when absent.

        Same algorithm as :meth:`get_or_create_room_by_external_binding`.
        """
        return self._guard(
            "get_or_create_participant_by_external_id",
            self._get_or_create_participant_by_external_id,
            channel,
            external_id,
            attrs,
        )

    @final
    def get_message_by_external_id(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Message:
        """The message the key resolves to.

        Raises NotFound("message", (channel, bridge_id, external_id)).  O(1).
        """
        return self._guard(
            "get_message_by_external_id",
            self._get_message_by_external_id,
            channel,
            bridge_id,
            external_id,
        )

    @final
    def update_message_external_id(self, message_id: str, external_id: str | int) -> Message:
        """Store the message with a new external id (timestamps untouched) and return it.

        The old key stops resolving to it; the new one does.  Raises NotFound.
        """
        return self._guard(
            "update_message_external_id", self._update_message_external_id, message_id, external_id
        )

    @abc.abstractmethod
    def _get_or_create_room_by_external_binding(
        self, channel: str, bridge_id: str, external_id: str, attrs: dict[str, Any]
    ) -> Room:
        """Hook of :meth:`get_or_create_room_by_external_binding`; attrs a fresh dict."""

    @abc.abstractmethod
    def _get_or_create_participant_by_external_id(
        self, channel: str, external_id: str, attrs: dict[str, Any]
    ) -> Participant:
        """Hook of :meth:`get_or_create_participant_by_external_id`; attrs a fresh dict."""

    @abc.abstractmethod
    def _get_message_by_external_id(
        self, channel: str, bridge_id: str, external_id: str
    ) -> Message:
        """Hook of :meth:`get_message_by_external_id`."""

    @abc.abstractmethod
    def _update_message_external_id(self, message_id: str, external_id: str) -> Message:
        """Hook of :meth:`update_message_external_id`."""

    # --- room bindings ---------------------------------------------------------------

    @final
    def get_room_by_external_binding(
        self, channel: str, bridge_id: str | int, external_id: str | int
    ) -> Room:
        """The room the binding key points at; NotFound when unbound or the room is gone."""
        return self._guard(
            "get_room_by_external_binding",
            self._get_room_by_external_binding,
            channel,
            bridge_id,
            external_id,
        )

    @final
    def create_room_binding(
        self,
        room_id: str,
        channel: str,
        bridge_id: str | int,
        external_id: str | int,
        attrs: Mapping[str, Any] | None = None,
    ) -> RoomBinding:
        """Create (or update) the binding record and point the key at ``room_id``.

        At most one record per ``(room_id, channel, bridge_id, external_id)``: an
        existing one keeps its id and inserted_at and takes ``direction``/``enabled``
        from ``attrs`` where given.  ``attrs`` keys: id, direction, enabled, inserted_at.
        """
        return self._guard(
            "create_room_binding",
            self._create_room_binding,
            room_id,
            channel,
            bridge_id,
            external_id,
            attrs,
        )

    @final
    def list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        """The room's binding records in ``(inserted_at, id)`` order."""
        return self._guard("list_room_bindings", self._list_room_bindings, room_id)

    @final
    def delete_room_binding(self, binding_id: str) -> None:
        """Delete the record and its key if it still points at the record's room.

        Raises NotFound("room_binding", binding_id).
        """
        self._guard("delete_room_binding", self._delete_room_binding, binding_id)

    @abc.abstractmethod
    def _get_room_by_external_binding(self, channel: str, bridge_id: str, external_id: str) -> Room:
        """Hook of :meth:`get_room_by_external_binding`."""

    @abc.abstractmethod
    def _create_room_binding(
        self, room_id: str, channel: str, bridge_id: str, external_id: str, attrs: dict[str, Any]
    ) -> RoomBinding:
        """Hook of :meth:`create_room_binding`; attrs hold RoomBinding field names only."""

    @abc.abstractmethod
    def _list_room_bindings(self, room_id: str) -> list[RoomBinding]:
        """Hook of :meth:`list_room_bindings`."""

    @abc.abstractmethod
    def _delete_room_binding(self, binding_id: str) -> None:
        """Hook of :meth:`delete_room_binding`."""

    # --- directory -------------------------------------------------------------------

    @final
    def directory_search(
        self,
        target: DirectoryTarget | str,
        query: Mapping[str, Any],
        *,
        limit: int | None = None,
    ) -> list[Participant] | list[Room]:
        """Participants or rooms matching every filter of ``query``, sorted by id.

        Filters: ``id``, ``name`` (casefolded literal substring), and the external key
        (participants: ``channel`` + ``external_id``; rooms: ``channel`` + ``bridge_id``
        + ``external_id``).  Raises InvalidDirectoryTarget, InvalidArgument for a bad
        query, InvalidLimit.  May scan: O(n).
        """
        return self._guard("directory_search", self._directory_search, target, query, limit=limit)

    @final
    def directory_lookup(
        self, target: DirectoryTarget | str, query: Mapping[str, Any]
    ) -> Participant | Room:
        """The one entry matching ``query``.

        Raises NotFound(target, query) when none and AmbiguousLookup (first 100 matches
        by id, ``truncated`` when more) when several.
        """
        return self._guard("directory_lookup", self._directory_lookup, target, query)

    @abc.abstractmethod
    def _directory_search(
        self, target: DirectoryTarget, query: DirectoryQuery, *, limit: int | None
    ) -> list[Participant] | list[Room]:
        """Hook of :meth:`directory_search`; the query parsed."""

    def _directory_lookup(
        self, target: DirectoryTarget, query: DirectoryQuery
    ) -> Participant | Room:
        """Hook of :meth:`directory_lookup`: :meth:`_directory_search` of 101 matches."""
        matches = self._directory_search(target, query, limit=AMBIGUOUS_MATCHES_SHOWN + 1)
        if not matches:
            raise NotFound(target.value, query)
        if len(matches) > 1:
            raise AmbiguousLookup(
                target.value,
                query,
                matches[:AMBIGUOUS_MATCHES_SHOWN],
                truncated=len(matches) > AMBIGUOUS_MATCHES_SHOWN,
            )
        return matches[0]
