"""Retention and erasure (contract 9.3, details in 9.6), when ``capabilities.retention``.

``delete_messages(room_id, *, before, thread_id=None)`` deletes the scope's messages
with ``inserted_at < before`` (``None`` is older than every datetime) and their keys;
``erase_participant(participant_id, *, messages="delete" | "redact")`` removes the
participant record, the keys pointing at it and its messages in every room (or
redacts them); ``delete_onboarding`` removes one flow.  Each test checks one rule and
names it; "nothing else touched" is checked through the raw index reader when the
adapter offers one, and every end state against the in-memory reference.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import InvalidArgument, NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Erasure, Message
from jido_persistence_conformance import strategies
from jido_persistence_conformance._retention_support import (
    ERASED,
    KEEP,
    MESSAGE_KEYS,
    ROOMS,
    T0,
    assert_rest_untouched,
    keys_pointing_at,
    populate,
    snapshot_kwargs,
)
from jido_persistence_conformance._support import (
    HUGE,
    assert_raw_index_matches,
    canonical,
    capability,
    ids,
    kit_settings,
    message,
    raw_index_or_none,
    snapshot,
)
from jido_persistence_conformance.factories import StoreFactory

__all__ = ["RetentionTests"]

SECOND = timedelta(seconds=1)
MIN = datetime.min.replace(tzinfo=UTC)
SENDERS = ("p:1", "p:2")
Mode = Literal["delete", "redact"]


def _room(store: PersistenceAdapter, room_id: str, thread_id: str | None = None) -> list[str]:
    return ids(store.get_messages(room_id, limit=HUGE, thread_id=thread_id))


def _holder(store: PersistenceAdapter, key: tuple[str, str, str]) -> str | None:
    try:
        return store.get_message_by_external_id(*key).id
    except NotFound:
        return None


def _agrees_with_reference(store: PersistenceAdapter, reference: PersistenceAdapter) -> None:
    assert snapshot(store, **snapshot_kwargs()) == snapshot(reference, **snapshot_kwargs())
    assert_raw_index_matches(store, reference)


def _property_messages() -> st.SearchStrategy[list[Message]]:
    """Messages whose rooms, threads, senders, keys and timestamps collide often."""
    one = st.tuples(
        strategies.messages(
            room_ids=ROOMS,
            message_ids=("m1", "m2", "m3", "m4", "m5", "m6"),
            thread_ids=("t1",),
            channels=("slack",),
            bridge_ids=("b1",),
            external_ids=("E1", "E2"),
            timestamps=(None, MIN, T0, T0 + SECOND),
        ),
        st.sampled_from(SENDERS),
    ).map(lambda pair: pair[0].model_copy(update={"sender_id": pair[1]}))
    return st.lists(one, max_size=8)


class RetentionTests:
    """``delete_messages``, ``erase_participant`` and ``delete_onboarding``.

    Each test carries its own ``capability("retention")`` mark: a mark on this class
    would be inherited by every test of ``AdapterConformance``.
    """

    # --- delete_messages ---------------------------------------------------------------

    @capability("retention")
    def test_delete_messages_removes_what_is_older_than_before(
        self, store: PersistenceAdapter
    ) -> None:
        """Messages with ``inserted_at < before`` go; one exactly at ``before`` stays.

        Troubleshooting (contract 9.3, delete_messages): the comparison is strict and
        by ``inserted_at``; the call returns how many it deleted.  Usual mistakes:
        ``<=`` instead of ``<``, or comparing ``updated_at``.
        """
        populate(store)
        assert store.delete_messages("room:a", before=T0 + 2 * SECOND) == 3
        assert _room(store, "room:a") == ["m:a3", "m:a4"]

    @capability("retention")
    def test_delete_messages_treats_none_as_older_than_every_datetime(
        self, store: PersistenceAdapter
    ) -> None:
        """A ``None`` ``inserted_at`` is deleted even with ``before=datetime.min``.

        Troubleshooting (contract 9.3: ``None`` timestamps are older than every
        datetime): in SQL, ``NULL < x`` is not true; map NULL to a sentinel below every
        datetime (the sort key), or add ``OR inserted_at IS NULL``.
        """
        populate(store)
        assert store.delete_messages("room:a", before=MIN) == 1
        assert _room(store, "room:a") == ["m:a1", "m:a2", "m:a3", "m:a4"]

    @capability("retention")
    def test_delete_messages_keeps_to_the_thread(self, store: PersistenceAdapter) -> None:
        """With ``thread_id``, only that thread's messages of the room are deleted.

        Troubleshooting (contract 9.3: "the messages of the scope"): the scope is the
        room and, when given, the thread, as in ``get_messages``.  Usual mistake:
        ignoring ``thread_id`` and deleting room-wide.
        """
        populate(store)
        assert store.delete_messages("room:a", before=T0 + 3 * SECOND, thread_id="t:1") == 2
        assert _room(store, "room:a") == ["m:a0", "m:a1", "m:a4"]
        assert store.delete_messages("room:a", before=T0 + 9 * SECOND, thread_id="t:none") == 0

    @capability("retention")
    def test_delete_messages_compares_instants_not_wall_clocks(
        self, store: PersistenceAdapter
    ) -> None:
        """A ``before`` in another UTC offset means the same instant.

        Troubleshooting (contract 2: datetimes are normalised to UTC): convert
        ``before`` to UTC before comparing.  Usual mistake: dropping the offset.
        """
        populate(store)
        india = timezone(timedelta(hours=5, minutes=30))
        assert store.delete_messages("room:a", before=(T0 + SECOND).astimezone(india)) == 2
        assert _room(store, "room:a") == ["m:a2", "m:a3", "m:a4"]

    @capability("retention")
    def test_delete_messages_moves_keys_to_the_next_holder(self, store: PersistenceAdapter) -> None:
        """A deleted message's external-id key resolves to the next most recently saved
        holder, or to nothing.

        Troubleshooting (contract 9.3, "with their index entries", and contract 4's
        key rule): K1 is held by m:a1 and (saved later) m:a2; deleting m:a2 leaves it
        to m:a1; deleting both holders of K3 leaves no key.  Usual mistake: deleting
        rows without the separate key index, which then still answers m:a2.
        """
        populate(store)
        assert _holder(store, MESSAGE_KEYS[0]) == "m:a2"
        store.delete_messages("room:a", before=T0 + 3 * SECOND, thread_id="t:1")
        assert _holder(store, MESSAGE_KEYS[0]) == "m:a1"
        assert store.delete_messages("room:b", before=T0 + 3 * SECOND) == 3
        assert _holder(store, MESSAGE_KEYS[1]) is None
        assert _holder(store, MESSAGE_KEYS[2]) is None

    @capability("retention")
    def test_delete_messages_touches_nothing_of_another_room(
        self, store: PersistenceAdapter
    ) -> None:
        """Other rooms, threads, bindings, policies and keys stay exactly as they were.

        Troubleshooting (contract 9.3: the scope is one room): checked through the raw
        index reader as well as the read callbacks.  Usual mistake: a ``WHERE`` without
        the room, or a cascade that also removes threads or bindings.
        """
        populate(store)
        before_raw = raw_index_or_none(store)
        before = snapshot(store, **snapshot_kwargs())
        store.delete_messages("room:a", before=T0 + 9 * SECOND)
        after = snapshot(store, **snapshot_kwargs())
        gone = {"m:a0", "m:a1", "m:a2", "m:a3", "m:a4"}
        changed = {"messages:room:a", *(f"message:{message_id}" for message_id in gone)}
        changed.add(f"message_key:{MESSAGE_KEYS[0]}")
        assert {k: v for k, v in after.items() if k not in changed} == {
            k: v for k, v in before.items() if k not in changed
        }
        assert_rest_untouched(before_raw, raw_index_or_none(store), message_ids=gone)

    @capability("retention")
    def test_delete_messages_is_idempotent(self, store: PersistenceAdapter) -> None:
        """The same call a second time deletes nothing and answers 0.

        Troubleshooting (contract 9.3: every callback is safe to retry): count the rows
        actually deleted, not the ones asked for.
        """
        populate(store)
        assert store.delete_messages("room:b", before=T0 + SECOND) == 1
        assert store.delete_messages("room:b", before=T0 + SECOND) == 0
        assert store.delete_messages("room:unknown", before=T0) == 0

    @capability("retention")
    def test_delete_messages_rejects_a_naive_or_missing_before(
        self, store: PersistenceAdapter
    ) -> None:
        """A naive ``before``, a non-datetime or a bad room id raise InvalidArgument and
        delete nothing.

        Troubleshooting (contract 9.6: a naive ``before`` raises InvalidArgument): the
        check runs before the backend is called.  Usual mistake: treating a naive
        datetime as UTC (or as the server's local time).
        """
        populate(store)
        before = snapshot(store, **snapshot_kwargs())
        bad: list[tuple[Any, Any]] = [
            ("room:a", datetime(2030, 1, 1)),
            ("room:a", "2030-01-01T00:00:00Z"),
            ("room:a", None),
            ("room:a", 1),
            ("", T0),
            (7, T0),
        ]
        for room_id, cut in bad:
            with pytest.raises(InvalidArgument):
                store.delete_messages(room_id, before=cut)
        with pytest.raises(InvalidArgument):
            store.delete_messages("room:a", before=T0, thread_id="")
        assert snapshot(store, **snapshot_kwargs()) == before

    @capability("retention")
    def test_delete_messages_ends_as_the_reference(
        self, store: PersistenceAdapter, reference: MemoryAdapter
    ) -> None:
        """After several cuts, every read and the raw index equal the reference's.

        Troubleshooting (contract 9.3): compare the first differing entry: a message,
        a page or a key (the raw index shows keys no read path reaches).
        """
        for each in (store, reference):
            populate(each)
            each.delete_messages("room:a", before=T0 + SECOND, thread_id="t:1")
            each.delete_messages("room:b", before=T0 + SECOND)
            each.delete_messages("room:a", before=MIN)
        _agrees_with_reference(store, reference)

    @capability("retention")
    @kit_settings(max_examples=10)
    @given(
        batch=_property_messages(),
        cut=st.sampled_from((MIN, T0, T0 + SECOND, T0 + 2 * SECOND)),
        room_id=st.sampled_from(ROOMS),
        thread_id=st.none() | st.just("t1"),
    )
    def test_delete_messages_agrees_with_the_reference_for_any_store(
        self,
        factory: StoreFactory,
        batch: list[Message],
        cut: datetime,
        room_id: str,
        thread_id: str | None,
    ) -> None:
        """For any messages and cut, the count, the pages and the keys equal the reference's.

        Troubleshooting (contract 9.3): shared keys, ties, ``None`` timestamps and
        threads together; read the example hypothesis prints.
        """
        with _store_and_oracle(factory, batch) as (store, oracle):
            expected = oracle.delete_messages(room_id, before=cut, thread_id=thread_id)
            assert store.delete_messages(room_id, before=cut, thread_id=thread_id) == expected

    # --- erase_participant ----------------------------------------------------------------

    @capability("retention")
    def test_erase_removes_record_keys_and_messages_in_every_room(
        self, store: PersistenceAdapter
    ) -> None:
        """``messages="delete"``: the record, both keys and five messages in two rooms go.

        Troubleshooting (contract 9.3, erase_participant): ``Erasure`` counts what was
        removed (participants, messages, keys).  Usual mistakes: erasing in one room
        only, or leaving the participant keys (get-or-create would heal them, the raw
        index shows them).
        """
        populate(store)
        assert store.erase_participant(ERASED) == Erasure(participants=1, messages=5, keys=2)
        with pytest.raises(NotFound):
            store.get_participant(ERASED)
        assert _room(store, "room:a") == ["m:a1", "m:a3"]
        assert _room(store, "room:b") == ["m:b1"]
        assert keys_pointing_at(store, ERASED) == []

    @capability("retention")
    def test_erase_by_sender_when_the_record_is_gone(self, store: PersistenceAdapter) -> None:
        """A participant whose record was deleted is still erased by ``sender_id``.

        Troubleshooting (contract 9.6: erases by ``sender_id`` whether or not the
        record exists): do not look the participant up first.  Keys left behind by
        ``delete_participant`` are removed and counted too.
        """
        populate(store)
        store.delete_participant(ERASED)
        left_behind = keys_pointing_at(store, ERASED)
        found = store.erase_participant(ERASED)
        assert (found.participants, found.messages) == (0, 5)
        if raw_index_or_none(store) is not None:
            assert found.keys == len(left_behind)
        assert keys_pointing_at(store, ERASED) == []

    @capability("retention")
    def test_erase_of_an_unknown_participant_answers_zeros(self, store: PersistenceAdapter) -> None:
        """An unknown participant is not an error: ``Erasure(0, 0, 0)`` in both modes.

        Troubleshooting (contract 9.3: an unknown participant is not an error).  Usual
        mistake: raising NotFound.
        """
        populate(store)
        for mode in ("delete", "redact"):
            assert store.erase_participant("p:nobody", messages=mode) == Erasure(
                participants=0, messages=0, keys=0
            )

    @capability("retention")
    def test_redaction_keeps_exactly_the_listed_fields(self, store: PersistenceAdapter) -> None:
        """A redacted message keeps id, room_id, sender_id, role, thread_id, reply_to_id,
        status and both timestamps; every other field is empty.

        Troubleshooting (contract 9.6): ``content`` ``[]``; ``metadata``, ``reactions``,
        ``receipts`` ``{}``; ``external_id``, ``external_reply_to_id``,
        ``external_thread_id`` (and ``delivery_external_room_id``) ``None``.  Usual
        mistakes: keeping the external ids, or touching ``updated_at``.
        """
        populate(store)
        original = store.get_message("m:a2")
        assert store.erase_participant(ERASED, messages="redact") == Erasure(
            participants=1, messages=5, keys=2
        )
        kept = (
            "id",
            "room_id",
            "sender_id",
            "role",
            "thread_id",
            "reply_to_id",
            "status",
            "inserted_at",
            "updated_at",
        )
        expected = Message(**{name: getattr(original, name) for name in kept})
        assert canonical(store.get_message("m:a2")) == canonical(expected)

    @capability("retention")
    def test_redacted_messages_keep_their_places(self, store: PersistenceAdapter) -> None:
        """Redaction keeps each message's room, thread and position in every page.

        Troubleshooting (contract 9.3: keeps id, room, thread, position and
        timestamps): a re-save must not change the sort key.  Usual mistake: a new
        ``inserted_at`` or a lost ``thread_id``.
        """
        populate(store)
        pages = {room_id: _room(store, room_id) for room_id in ROOMS}
        thread = _room(store, "room:a", "t:1")
        store.erase_participant(ERASED, messages="redact")
        assert {room_id: _room(store, room_id) for room_id in ROOMS} == pages
        assert _room(store, "room:a", "t:1") == thread
        assert ids(store.get_messages("room:a", limit=2, before="m:a3")) == ["m:a1", "m:a2"]

    @capability("retention")
    def test_redaction_drops_the_external_key(self, store: PersistenceAdapter) -> None:
        """A redacted message holds no key: K1 falls back to m:a1, K2 resolves to nothing,
        K3 to the older holder m:b1.

        Troubleshooting (contract 9.6: its key falls back to another holder or to
        nothing).  Usual mistake: a key table that still names the redacted message.
        """
        populate(store)
        store.erase_participant(ERASED, messages="redact")
        assert [_holder(store, key) for key in MESSAGE_KEYS] == ["m:a1", None, "m:b1"]

    @capability("retention")
    @pytest.mark.parametrize("mode", ["delete", "redact"])
    def test_second_erasure_answers_zeros(self, store: PersistenceAdapter, mode: Mode) -> None:
        """Erasing again changes nothing and answers ``Erasure(0, 0, 0)``, in both modes.

        Troubleshooting (contract 9.6: counts are of records changed; an already
        redacted message is not counted).  Usual mistake: counting every message of
        the sender on each call.
        """
        populate(store)
        store.erase_participant(ERASED, messages=mode)
        before = snapshot(store, **snapshot_kwargs())
        assert store.erase_participant(ERASED, messages=mode) == Erasure(
            participants=0, messages=0, keys=0
        )
        assert snapshot(store, **snapshot_kwargs()) == before

    @capability("retention")
    def test_already_empty_messages_are_not_counted_as_redacted(
        self, store: PersistenceAdapter
    ) -> None:
        """A message with nothing to erase is not counted by ``redact``, but is by ``delete``.

        Troubleshooting (contract 9.6: "counts are of records changed").  Usual
        mistake: an ``UPDATE`` without a condition, whose row count includes rows it
        did not change.
        """
        store.save_message(message("m:empty", "room:a", T0, sender_id=ERASED))
        store.save_message(message("m:full", "room:a", T0, sender_id=ERASED, metadata={"a": 1}))
        assert store.erase_participant(ERASED, messages="redact").messages == 1
        assert store.erase_participant(ERASED, messages="delete").messages == 2

    @capability("retention")
    @pytest.mark.parametrize("mode", ["delete", "redact"])
    def test_erase_touches_nothing_of_another_participant(
        self, store: PersistenceAdapter, mode: Mode
    ) -> None:
        """Another participant's record, keys and messages stay exactly as they were.

        Troubleshooting (contract 9.3: only what belongs to ``participant_id``), checked
        through the raw index reader too.  Usual mistakes: matching ``sender_id`` by
        prefix, or removing keys of the same channel.
        """
        populate(store)
        keep = [canonical(m) for room in ROOMS for m in store.get_messages(room, limit=HUGE)]
        keep = [text for text in keep if f'"sender_id": "{KEEP}"' in text]
        record = canonical(store.get_participant(KEEP))
        before_raw = raw_index_or_none(store)
        store.erase_participant(ERASED, messages=mode)
        after = [canonical(m) for room in ROOMS for m in store.get_messages(room, limit=HUGE)]
        assert [text for text in after if f'"sender_id": "{KEEP}"' in text] == keep
        assert canonical(store.get_participant(KEEP)) == record
        assert_rest_untouched(
            before_raw,
            raw_index_or_none(store),
            message_ids={"m:a0", "m:a2", "m:a4", "m:b0", "m:b2"},
            participant_id=ERASED,
        )

    @capability("retention")
    @pytest.mark.parametrize("mode", ["delete", "redact"])
    def test_erase_ends_as_the_reference(
        self, store: PersistenceAdapter, reference: MemoryAdapter, mode: Mode
    ) -> None:
        """After an erasure, every read and the raw index equal the reference's.

        Troubleshooting (contract 9.3): compare the first differing entry.
        """
        for each in (store, reference):
            populate(each)
            assert each.erase_participant(ERASED, messages=mode) == Erasure(
                participants=1, messages=5, keys=2
            )
        _agrees_with_reference(store, reference)

    @capability("retention")
    def test_erase_rejects_bad_arguments(self, store: PersistenceAdapter) -> None:
        """A bad ``messages`` mode or participant id raises InvalidArgument; nothing changes.

        Troubleshooting (contract 9.3: ``messages`` is ``"delete"`` or ``"redact"``).
        Usual mistake: treating any other value as ``"delete"``.
        """
        populate(store)
        before = snapshot(store, **snapshot_kwargs())
        for participant_id, mode in ((ERASED, "purge"), (ERASED, None), ("", "delete")):
            with pytest.raises(InvalidArgument):
                store.erase_participant(participant_id, messages=mode)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgument):
            store.erase_participant(None)  # type: ignore[arg-type]
        assert snapshot(store, **snapshot_kwargs()) == before

    @capability("retention")
    @kit_settings(max_examples=10)
    @given(
        batch=_property_messages(),
        sender=st.sampled_from(SENDERS),
        mode=st.sampled_from(("delete", "redact")),
    )
    def test_erase_agrees_with_the_reference_for_any_store(
        self, factory: StoreFactory, batch: list[Message], sender: str, mode: Mode
    ) -> None:
        """For any messages, erasing a sender twice answers and leaves what the reference does.

        Troubleshooting (contract 9.3 and 9.6): shared keys between the erased and
        another sender, redaction of already empty messages, ``None`` timestamps.
        """
        with _store_and_oracle(factory, batch) as (store, oracle):
            for _ in range(2):
                expected = oracle.erase_participant(sender, messages=mode)
                assert store.erase_participant(sender, messages=mode) == expected

    # --- delete_onboarding ----------------------------------------------------------------

    @capability("retention")
    def test_delete_onboarding_removes_only_that_flow(self, store: PersistenceAdapter) -> None:
        """The flow is gone (NotFound), the other flow stays.

        Troubleshooting (contract 9.3, delete_onboarding).  Usual mistake: a
        ``DELETE`` without its ``WHERE``.
        """
        populate(store)
        store.delete_onboarding("o:1")
        with pytest.raises(NotFound):
            store.get_onboarding("o:1")
        assert store.get_onboarding("o:2") == {"onboarding_id": "o:2", "step": 2}

    @capability("retention")
    def test_delete_onboarding_of_an_unknown_flow_is_not_found(
        self, store: PersistenceAdapter
    ) -> None:
        """An unknown id (or one deleted already) raises NotFound("onboarding", id).

        Troubleshooting (contract 9.3: "NotFound when unknown"), unlike the idempotent
        ``delete_message``.  Usual mistake: a silent no-op.
        """
        store.save_onboarding({"onboarding_id": "o:1"})
        store.delete_onboarding("o:1")
        for unknown in ("o:1", "o:never"):
            with pytest.raises(NotFound) as caught:
                store.delete_onboarding(unknown)
            assert (caught.value.entity, caught.value.key) == ("onboarding", unknown)


@contextmanager
def _store_and_oracle(
    factory: StoreFactory, batch: list[Message]
) -> Iterator[tuple[PersistenceAdapter, MemoryAdapter]]:
    """A fresh store and a reference holding ``batch``; after the block, both must read
    the same (pages, keys) and have the same raw index."""
    store = factory.create()
    try:
        with MemoryAdapter() as oracle:
            for each in batch:
                store.save_message(each)
                oracle.save_message(each)
            yield store, oracle
            assert _read_all(store, batch) == _read_all(oracle, batch)
            assert_raw_index_matches(store, oracle)
    finally:
        store.close()


def _read_all(store: PersistenceAdapter, batch: list[Message]) -> dict[str, Any]:
    """What the read callbacks show of the rooms and keys ``batch`` touches."""
    return snapshot(store, room_ids=ROOMS, message_keys=_keys(batch), raw=False)


def _keys(batch: list[Message]) -> list[tuple[str, str, str]]:
    """Every complete external-id key of ``batch``, normalised."""
    found = set()
    for each in batch:
        channel, bridge = each.metadata.get("channel"), each.metadata.get("bridge_id")
        if each.external_id is not None and channel is not None and bridge is not None:
            found.add((str(channel), str(bridge), each.external_id))
    return sorted(found)
