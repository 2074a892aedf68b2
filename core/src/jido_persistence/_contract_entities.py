"""The callbacks of the contract's entities: rooms, participants, messages, threads.

A mixin of :class:`~jido_persistence.adapter.PersistenceAdapter`: each public callback
is final and runs the guard; each hook is abstract (see :mod:`jido_persistence.adapter`).
"""

from __future__ import annotations

import abc
from typing import final

from jido_persistence._guard import GuardedStore
from jido_persistence.models import (
    Message,
    Participant,
    Room,
    Thread,
)


class EntityCallbacks(GuardedStore):
    """Rooms, participants, messages and threads: the final callbacks and their hooks."""

    # --- rooms -----------------------------------------------------------------------

    @final
    def save_room(self, room: Room) -> Room:
        """Insert or replace ``room`` by id and return it.  Binding keys are not touched.

        Raises InvalidArgument when ``room`` is not a valid Room.  O(log n).
        """
        return self._guard("save_room", self._save_room, room)

    @final
    def get_room(self, room_id: str) -> Room:
        """Return the room ``room_id``.  Raises NotFound("room", room_id).  O(1)."""
        return self._guard("get_room", self._get_room, room_id)

    @final
    def delete_room(self, room_id: str) -> None:
        """Delete the room and cascade, idempotently, even when the room record is gone.

        Removes the room's messages (and their external-id keys), its threads (and their
        keys), its room bindings, its routing policy, and each binding key that still
        points at this room.  Participants and other rooms' data are not touched.
        """
        self._guard("delete_room", self._delete_room, room_id)

    @final
    def list_rooms(self, *, limit: int = 100, after: str | None = None) -> list[Room]:
        """The first ``limit`` rooms in ``(inserted_at, id)`` order, after room ``after``.

        Raises InvalidLimit; InvalidCursor for an ``after`` that is ``""`` or not a
        ``str``; CursorNotFound for an unknown ``after``; NotSupported for ``after``
        when the adapter lacks the enumeration group.  O(log n + limit).
        """
        return self._guard("list_rooms", self._list_rooms, limit=limit, after=after)

    @abc.abstractmethod
    def _save_room(self, room: Room) -> Room:
        """Hook of :meth:`save_room`."""

    @abc.abstractmethod
    def _get_room(self, room_id: str) -> Room:
        """Hook of :meth:`get_room`."""

    @abc.abstractmethod
    def _delete_room(self, room_id: str) -> None:
        """Hook of :meth:`delete_room`."""

    @abc.abstractmethod
    def _list_rooms(self, *, limit: int, after: str | None) -> list[Room]:
        """Hook of :meth:`list_rooms`; ``after`` is ``None`` unless the class enumerates."""

    # --- participants ----------------------------------------------------------------

    @final
    def save_participant(self, participant: Participant) -> Participant:
        """Insert or replace ``participant`` by id and return it.  Raises InvalidArgument."""
        return self._guard("save_participant", self._save_participant, participant)

    @final
    def get_participant(self, participant_id: str) -> Participant:
        """Return the participant.  Raises NotFound("participant", participant_id).  O(1)."""
        return self._guard("get_participant", self._get_participant, participant_id)

    @final
    def delete_participant(self, participant_id: str) -> None:
        """Delete the participant, idempotently.  Its external-id keys may stay behind."""
        self._guard("delete_participant", self._delete_participant, participant_id)

    @abc.abstractmethod
    def _save_participant(self, participant: Participant) -> Participant:
        """Hook of :meth:`save_participant`."""

    @abc.abstractmethod
    def _get_participant(self, participant_id: str) -> Participant:
        """Hook of :meth:`get_participant`."""

    @abc.abstractmethod
    def _delete_participant(self, participant_id: str) -> None:
        """Hook of :meth:`delete_participant`."""

    # --- messages --------------------------------------------------------------------

    @final
    def save_message(self, message: Message) -> Message:
        """Insert or replace ``message`` by id and return it.

        Indexes follow the latest saved version (room, thread, external-id key).  The
        key ``(metadata["channel"], metadata["bridge_id"], external_id)`` resolves to the
        most recently saved message that carries it.  Raises InvalidArgument (storing
        nothing) when ``external_id`` is set and the channel or bridge id metadata is
        malformed.  O(log n) expected.
        """
        return self._guard("save_message", self._save_message, message)

    @final
    def get_message(self, message_id: str) -> Message:
        """Return the message.  Raises NotFound("message", message_id).  O(1)."""
        return self._guard("get_message", self._get_message, message_id)

    @final
    def get_messages(
        self,
        room_id: str,
        *,
        limit: int = 50,
        before: str | None = None,
        after: str | None = None,
        thread_id: str | None = None,
    ) -> list[Message]:
        """A page of the room's messages (of ``thread_id`` when given), oldest first.

        Ordered by ``(inserted_at, id)`` with ``None`` timestamps first.  No cursor: the
        newest ``limit``; ``before=id``: the newest ``limit`` strictly before it;
        ``after=id``: the oldest ``limit`` strictly after it.  Raises InvalidLimit,
        InvalidCursor (both cursors, empty or non-string), CursorNotFound (cursor not in
        the scope), in that order.  O(log n + limit).
        """
        return self._guard(
            "get_messages",
            self._get_messages,
            room_id,
            limit=limit,
            before=before,
            after=after,
            thread_id=thread_id,
        )

    @final
    def delete_message(self, message_id: str) -> None:
        """Delete the message and every index entry of it, idempotently."""
        self._guard("delete_message", self._delete_message, message_id)

    @abc.abstractmethod
    def _save_message(self, message: Message) -> Message:
        """Hook of :meth:`save_message`; the external key, when set, is well formed."""

    @abc.abstractmethod
    def _get_message(self, message_id: str) -> Message:
        """Hook of :meth:`get_message`."""

    @abc.abstractmethod
    def _get_messages(
        self,
        room_id: str,
        *,
        limit: int,
        before: str | None,
        after: str | None,
        thread_id: str | None,
    ) -> list[Message]:
        """Hook of :meth:`get_messages`; at most one cursor, its existence unchecked."""

    @abc.abstractmethod
    def _delete_message(self, message_id: str) -> None:
        """Hook of :meth:`delete_message`."""

    # --- threads ---------------------------------------------------------------------

    @final
    def save_thread(self, thread: Thread) -> Thread:
        """Insert or replace ``thread`` by id; its per-room keys follow the latest save."""
        return self._guard("save_thread", self._save_thread, thread)

    @final
    def get_thread(self, thread_id: str) -> Thread:
        """Return the thread.  Raises NotFound("thread", thread_id).  O(1)."""
        return self._guard("get_thread", self._get_thread, thread_id)

    @final
    def get_thread_by_external_id(self, room_id: str, external_thread_id: str | int) -> Thread:
        """The room's most recently saved thread with this external id.

        Raises NotFound("thread", (room_id, external_thread_id)).  O(1).
        """
        return self._guard(
            "get_thread_by_external_id",
            self._get_thread_by_external_id,
            room_id,
            external_thread_id,
        )

    @final
    def get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        """The room's most recently saved thread with this root message.

        Raises NotFound("thread", (room_id, root_message_id)).  O(1).
        """
        return self._guard(
            "get_thread_by_root_message",
            self._get_thread_by_root_message,
            room_id,
            root_message_id,
        )

    @final
    def list_threads(
        self, room_id: str, *, limit: int = 100, after: str | None = None
    ) -> list[Thread]:
        """The room's oldest ``limit`` threads in ``(inserted_at, id)`` order, after ``after``.

        Raises InvalidLimit; InvalidCursor for an ``after`` that is ``""`` or not a
        ``str``; CursorNotFound for an ``after`` not in the room; NotSupported for
        ``after`` when the adapter lacks the enumeration group.  O(log n + limit).
        """
        return self._guard("list_threads", self._list_threads, room_id, limit=limit, after=after)

    @abc.abstractmethod
    def _save_thread(self, thread: Thread) -> Thread:
        """Hook of :meth:`save_thread`."""

    @abc.abstractmethod
    def _get_thread(self, thread_id: str) -> Thread:
        """Hook of :meth:`get_thread`."""

    @abc.abstractmethod
    def _get_thread_by_external_id(self, room_id: str, external_thread_id: str) -> Thread:
        """Hook of :meth:`get_thread_by_external_id`; the external id normalised."""

    @abc.abstractmethod
    def _get_thread_by_root_message(self, room_id: str, root_message_id: str) -> Thread:
        """Hook of :meth:`get_thread_by_root_message`."""

    @abc.abstractmethod
    def _list_threads(self, room_id: str, *, limit: int, after: str | None) -> list[Thread]:
        """Hook of :meth:`list_threads`; ``after`` is ``None`` unless the class enumerates."""
