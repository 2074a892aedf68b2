"""The comparison machine's contract-1.3 rules: ingestion and enumeration (9.1, 9.2).

Rules run only where the adapter declares the group (``capabilities.ingest``,
``capabilities.enumeration``); elsewhere they check that the group raises
NotSupported.  ``ingest_message`` is called with the machine's pooled messages (so
keys are often held already, by one message or several, or were re-keyed or deleted),
thread get-or-create with pooled rooms, external ids (``7`` and ``"7"``) and attrs
(bad ones included), and the four enumerations with pooled cursors (existing, deleted,
of another room) and by walking every page.  After each writing step the invariant
also reads every participant and onboarding flow through the new listings.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import rule

from jido_persistence.errors import InvalidArgument, NotSupported
from jido_persistence.models import (
    Message,
    MessageRole,
    Participant,
    ParticipantType,
    Thread,
)
from jido_persistence_conformance._stateful_base import _ComparisonBase
from jido_persistence_conformance._stateful_outcomes import _outcome
from jido_persistence_conformance._stateful_pools import (
    _BAD_CURSORS,
    _LIMITS,
    _ROOM_IDS,
    _ROOM_KEYS,
    _THREAD_IDS,
    _TIMESTAMPS,
    ALL,
    EXTERNAL_THREAD_IDS,
    MESSAGE_IDS,
    ONBOARDING_IDS,
    PARTICIPANT_IDS,
    ROOM_IDS,
    THREAD_IDS,
    TIMESTAMPS,
    _messages,
    _normalised,
)

_THREAD_ATTRS = st.fixed_dictionaries(
    {"inserted_at": _TIMESTAMPS, "updated_at": _TIMESTAMPS},
    optional={
        "status": st.sampled_from(("active", "closed")),
        "root_message_id": st.sampled_from(MESSAGE_IDS[:2]),
    },
) | st.sampled_from(({"room_id": "B"}, {"external_thread_id": "x"}, {"status": "nope"}, {"x": 1}))
"""Thread get-or-create attrs: valid ones from the pools, and the kinds the rule refuses."""

_CURSORS = st.none() | st.sampled_from(
    (*ROOM_IDS, *THREAD_IDS, *PARTICIPANT_IDS, *ONBOARDING_IDS, "ghost")
)
_LISTINGS = ("list_rooms", "list_threads", "list_participants", "list_onboardings")


class _IngestRules(_ComparisonBase):
    """``ingest_message``, thread get-or-create and the keyset enumerations."""

    def __init__(self) -> None:
        super().__init__()
        capabilities = self.store.capabilities
        self.has_ingest = capabilities.ingest
        self.has_enumeration = capabilities.enumeration

    def _unsupported(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Call ``name`` on an adapter without its group: NotSupported, or for bad
        arguments the reference's own argument error (checks may come first)."""
        try:
            getattr(self.store, name)(*args, **kwargs)
        except NotSupported:
            return
        except InvalidArgument:
            # The arguments are bad, so the reference writes nothing either.
            expected = _outcome(lambda: getattr(self.reference, name)(*args, **kwargs))
            actual = _outcome(lambda: getattr(self.store, name)(*args, **kwargs))
            self._assert_same(f"{name}(*{args!r}, **{kwargs!r})", expected, actual)
            return
        raise AssertionError(f"{name}() must raise NotSupported: the adapter lacks its group")

    # --- ingestion (9.1) -------------------------------------------------------------

    @rule(message=_messages(), key=_ROOM_KEYS, keyed=st.booleans(), again=st.booleans())
    def ingest_message(self, message: Message, key: Any, keyed: bool, again: bool) -> None:
        """Ingest a pooled message (keyed, or without a complete key); maybe twice."""
        if keyed:
            message = message.model_copy(
                update={
                    "external_id": message.external_id or "100",
                    "metadata": {"channel": key[0], "bridge_id": key[1]},
                }
            )
        if not self.has_ingest:
            self._unsupported("ingest_message", message)
            return
        if message.external_id is not None and "channel" in message.metadata:
            meta = message.metadata
            self.message_keys.add(
                _normalised((meta["channel"], meta["bridge_id"], message.external_id))
            )
        self.dirty = True
        self.compare("ingest_message", message)
        if again:
            self.compare("ingest_message", message.model_copy(update={"id": MESSAGE_IDS[-1]}))

    @rule(
        room_id=_ROOM_IDS,
        external=st.sampled_from((*EXTERNAL_THREAD_IDS, 7)),
        thread_id=_THREAD_IDS,
        attrs=_THREAD_ATTRS,
    )
    def get_or_create_thread(
        self, room_id: str, external: str | int, thread_id: str, attrs: dict[str, Any]
    ) -> None:
        """Get-or-create a thread by ``(room_id, external_thread_id)``: new, held, bad attrs.

        Valid attrs always carry a pooled id and timestamps, so both stores create the
        same thread.
        """
        if not self.has_ingest:
            self._unsupported("get_or_create_thread_by_external_id", room_id, external, attrs)
            return
        self.thread_external_keys.add((room_id, str(external)))
        self.compare(
            "get_or_create_thread_by_external_id", room_id, external, {"id": thread_id, **attrs}
        )

    # --- enumeration (9.2) -----------------------------------------------------------

    @rule(
        name=st.sampled_from(_LISTINGS),
        room_id=_ROOM_IDS,
        limit=_LIMITS,
        after=_CURSORS | _BAD_CURSORS,
    )
    def enumerate_page(self, name: str, room_id: str, limit: int, after: Any) -> None:
        """One page of an enumeration, with a pooled (or bad) cursor."""
        args = (room_id,) if name == "list_threads" else ()
        if not self.has_enumeration:
            if name in ("list_participants", "list_onboardings"):
                self._unsupported(name, limit=limit, after=after)
            return
        self.compare(name, *args, limit=limit, after=after)

    @rule(name=st.sampled_from(_LISTINGS), room_id=_ROOM_IDS, limit=st.sampled_from((1, 2)))
    def enumerate_all(self, name: str, room_id: str, limit: int) -> None:
        """Walk an enumeration with ``after=`` the last id of each page."""
        if not self.has_enumeration:
            return
        args = (room_id,) if name == "list_threads" else ()
        after: str | None = None
        for _ in range(len(ROOM_IDS) + len(PARTICIPANT_IDS) + len(ONBOARDING_IDS) + 2):
            self.compare(name, *args, limit=limit, after=after)
            page = getattr(self.reference, name)(*args, limit=limit, after=after)
            if not page:
                return
            last = page[-1]
            after = last["onboarding_id"] if isinstance(last, dict) else last.id
        raise AssertionError(f"{name} paging did not end")

    # --- probes: the states the group's bugs hide in -----------------------------------

    @rule(
        room_ids=st.lists(_ROOM_IDS, min_size=2, max_size=2, unique=True),
        key=_ROOM_KEYS,
        stamp=_TIMESTAMPS,
        external=st.sampled_from(EXTERNAL_THREAD_IDS),
    )
    def probe_ingest(self, room_ids: list[str], key: Any, stamp: Any, external: str) -> None:
        """A key held by two saved messages, then ingested; one thread key in two rooms."""
        if not self.has_ingest:
            return
        first, second = MESSAGE_IDS[0], MESSAGE_IDS[1]
        for message_id, when in ((first, stamp), (second, TIMESTAMPS[0])):
            held = Message(
                id=message_id,
                room_id=room_ids[0],
                sender_id="p:1",
                role=MessageRole.USER,
                external_id="x",
                metadata={"channel": key[0], "bridge_id": key[1]},
                inserted_at=when,
                updated_at=when,
            )
            self.compare("save_message", held)
        self.message_keys.add(_normalised((key[0], key[1], "x")))
        self.dirty = True
        self.compare("ingest_message", held.model_copy(update={"id": MESSAGE_IDS[2]}))
        self.compare("delete_message", second)
        self.compare("ingest_message", held.model_copy(update={"id": MESSAGE_IDS[2]}))
        for room_id, thread_id in zip(room_ids, THREAD_IDS, strict=True):
            self.thread_external_keys.add((room_id, external))
            attrs = {"id": thread_id, "inserted_at": stamp, "updated_at": stamp}
            self.compare("get_or_create_thread_by_external_id", room_id, external, attrs)

    @rule(room_id=_ROOM_IDS, stamp=_TIMESTAMPS, limit=st.sampled_from((1, 2)))
    def probe_enumeration(self, room_id: str, stamp: Any, limit: int) -> None:
        """Ties walked page by page, and cursors of another scope, kind, or deleted."""
        if not self.has_enumeration:
            return
        for thread_id in THREAD_IDS:
            thread = Thread(id=thread_id, room_id=room_id, inserted_at=stamp, updated_at=stamp)
            self.compare("save_thread", thread)
        for participant_id in PARTICIPANT_IDS[:2]:
            self.compare(
                "save_participant", Participant(id=participant_id, type=ParticipantType.HUMAN)
            )
        self.enumerate_all("list_threads", room_id, limit)
        self.enumerate_all("list_participants", room_id, limit)
        other = next(other for other in ROOM_IDS if other != room_id)
        self.compare("list_threads", other, limit=limit, after=THREAD_IDS[0])
        self.compare("list_participants", limit=limit, after=room_id)
        self.compare("delete_participant", PARTICIPANT_IDS[0])
        self.compare("list_participants", limit=limit, after=PARTICIPANT_IDS[0])

    def reads_agree(self) -> None:
        """The 1.2 reads, then every participant and flow through the new listings."""
        super().reads_agree()
        if self.has_enumeration:
            self.compare("list_participants", limit=ALL)
            self.compare("list_onboardings", limit=ALL)
            for room_id in ROOM_IDS:
                self.compare("list_threads", room_id, limit=ALL)
