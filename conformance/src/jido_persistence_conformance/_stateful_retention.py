"""The comparison machine's retention rules (contract 9.3), when ``capabilities.retention``.

``delete_messages`` with cuts drawn from the machine's colliding timestamps (equal
instants in other offsets, ``datetime.min`` and ``max``, naive ones that must be
refused) over rooms and threads; ``erase_participant`` in both modes, twice in a row
sometimes (the second call must answer zeros); ``delete_onboarding`` of stored and
unknown flows.  After an erasure the participant record is read back and, through the
raw index reader, no participant key may still point at the erased id (the machine's
full comparison ignores keys of participants that do not exist, which
``delete_participant`` may leave behind).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from jido_persistence.adapter import PersistenceAdapter, SupportsRawIndex
from jido_persistence.models import Message
from jido_persistence_conformance._stateful_base import _ComparisonBase
from jido_persistence_conformance._stateful_outcomes import _outcome
from jido_persistence_conformance._stateful_pools import (
    _THREAD_IDS,
    _TIMESTAMPS,
    ONBOARDING_IDS,
    PARTICIPANT_IDS,
    _messages,
    _normalised,
)

_CUTS = _TIMESTAMPS | st.just(datetime(2020, 1, 1))
"""The machine's timestamps as cuts, and a naive datetime (InvalidArgument)."""


def _keys_of(store: PersistenceAdapter, participant_id: str) -> int | None:
    """How many participant keys point at ``participant_id`` (None: no raw reader)."""
    if not isinstance(store, SupportsRawIndex):
        return None
    keys = store.raw_index()["participant_keys"]
    return sum(1 for owner in keys.values() if owner == participant_id)


class _RetentionRules(_ComparisonBase):
    """``delete_messages``, ``erase_participant`` and ``delete_onboarding``."""

    @precondition(lambda self: self.store.capabilities.retention)
    @rule(cut=_CUTS, thread_id=st.none() | _THREAD_IDS, data=st.data())
    def delete_messages(self, cut: datetime, thread_id: str | None, data: st.DataObject) -> None:
        """Delete a room's (or thread's) messages older than a colliding cut."""
        room_id = self._pick_room(data)
        self.compare("delete_messages", room_id, before=cut, thread_id=thread_id)

    @precondition(lambda self: self.store.capabilities.retention)
    @rule(
        participant_id=st.sampled_from(PARTICIPANT_IDS),
        mode=st.sampled_from(("delete", "redact")),
        again=st.booleans(),
    )
    def erase_participant(
        self, participant_id: str, mode: Literal["delete", "redact"], again: bool
    ) -> None:
        """Erase a sender in every room (twice: the second call answers zeros)."""
        for _ in range(2 if again else 1):
            self._erase(participant_id, mode)
        self.compare("get_participant", participant_id)
        assert _keys_of(self.store, participant_id) in (None, 0), (
            f"erase_participant({participant_id!r}) left participant keys pointing at it"
        )

    def _erase(self, participant_id: str, mode: Literal["delete", "redact"]) -> None:
        """Compare one erasure; ``keys`` counts what each store had pointing at the id.

        ``delete_participant`` may leave keys behind or not (contract 4), so an adapter
        that removed them earlier counts fewer: the machine expects, for the adapter,
        the number its raw index showed (when it has a raw reader).
        """
        self.dirty = True
        theirs, ours = (
            _keys_of(self.reference, participant_id),
            _keys_of(self.store, participant_id),
        )
        expected = _outcome(
            lambda: _with_keys(
                self.reference.erase_participant(participant_id, messages=mode), ours, theirs
            )
        )
        actual = _outcome(lambda: self.store.erase_participant(participant_id, messages=mode))
        self._assert_same(
            f"erase_participant({participant_id!r}, messages={mode!r})", expected, actual
        )

    @precondition(lambda self: self.store.capabilities.retention)
    @rule(
        messages=st.lists(_messages(), min_size=2, max_size=4),
        cut=_TIMESTAMPS,
        mode=st.sampled_from(("delete", "redact")),
        thread_id=st.none() | _THREAD_IDS,
    )
    def probe_retention(
        self,
        messages: list[Message],
        cut: datetime,
        mode: Literal["delete", "redact"],
        thread_id: str | None,
    ) -> None:
        """One room: messages of one sender (the first without ``inserted_at`` and
        outside the thread, the second exactly at the cut, the rest in ``thread_id``,
        sharing keys), cut at ``cut`` in that scope, then give the sender a participant
        key and erase it twice."""
        room_id, sender = messages[0].room_id, messages[0].sender_id
        for index, given in enumerate(messages):
            update: dict[str, object] = {"room_id": room_id, "sender_id": sender}
            update["thread_id"] = None if index == 0 else thread_id
            if index == 0:
                update["inserted_at"] = None
            elif index == 1:
                update["inserted_at"] = cut
            message = given.model_copy(update=update)
            if message.external_id is not None and "channel" in message.metadata:
                meta = message.metadata
                self.message_keys.add(
                    _normalised((meta["channel"], meta["bridge_id"], message.external_id))
                )
            self.compare("save_message", message)
        self.compare("delete_messages", room_id, before=cut, thread_id=thread_id)
        self.compare("save_message", messages[-1].model_copy(update={"room_id": room_id}))
        attrs = {"id": sender, "type": "human"}
        self.compare("get_or_create_participant_by_external_id", "probe", sender, attrs)
        for _ in range(2):
            self._erase(sender, mode)
        assert _keys_of(self.store, sender) in (None, 0), (
            f"erase_participant({sender!r}) left participant keys pointing at it"
        )

    @precondition(lambda self: self.store.capabilities.retention)
    @rule(onboarding_id=st.sampled_from(ONBOARDING_IDS))
    def delete_onboarding(self, onboarding_id: str) -> None:
        """Delete a stored or unknown flow (NotFound)."""
        self.compare("delete_onboarding", onboarding_id)
        self.compare("get_onboarding", onboarding_id)


def _with_keys(erasure: object, ours: int | None, theirs: int | None) -> object:
    """The reference's Erasure with ``keys`` as the adapter's own raw index counted."""
    from jido_persistence.models import Erasure

    if isinstance(erasure, Erasure) and ours is not None and theirs is not None:
        return erasure.model_copy(update={"keys": ours})
    return erasure
