"""Idempotent ingestion: ``ingest_message`` and thread get-or-create (contract 9.1, 9.6).

Every rule of 9.1 and its details in 9.6 is one test here, named after the rule;
the races are in :mod:`.ingestion_concurrency`.  The tests run on stores declaring
``capabilities.ingest``; on others one test checks that the group raises
NotSupported.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import InvalidArgument, NotFound, NotSupported
from jido_persistence.models import Message, TextPart, Thread, ThreadStatus
from jido_persistence_conformance import strategies
from jido_persistence_conformance._support import (
    HUGE,
    canonical,
    capability,
    ids,
    kit_settings,
    message,
    raw_index_or_none,
    snapshot,
    unique_id,
)

__all__ = ["IngestionTests"]

T0 = datetime(2024, 1, 1, tzinfo=UTC)
SLACK: dict[str, Any] = {"channel": "slack", "bridge_id": "b1"}
REPEATS = 5
"""How often the re-delivery tests deliver one event."""


def _event(message_id: str, external_id: str = "E1", **fields: Any) -> Message:
    """A platform event as a bridge turns it into a message: keyed, timestamped."""
    fields.setdefault("metadata", dict(SLACK))
    fields.setdefault("content", [TextPart(text="hello")])
    event: Message = message(
        message_id, inserted_at=fields.pop("inserted_at", T0), external_id=external_id, **fields
    )
    return event


def _thread(thread_id: str, room_id: str = "room:1", day: int = 0, **fields: Any) -> Thread:
    stamp = T0 + timedelta(days=day)
    return Thread(id=thread_id, room_id=room_id, inserted_at=stamp, updated_at=stamp, **fields)


class IngestionTests:
    """``ingest_message`` stores one message per external key; threads get-or-create."""

    # --- ingest_message: 9.1 -----------------------------------------------------------

    @capability("ingest")
    def test_ingest_saves_a_new_message_as_save_message_does(
        self, store: PersistenceAdapter
    ) -> None:
        """Rule 9.1 (new key): the message is saved as by ``save_message``, ``created=True``.

        Troubleshooting: the result is ``Ingested(message=<the argument>, created=True)``
        and the message is then found by id, by its external key and in its room's
        (and thread's) pages.  Usual mistakes: returning the Message instead of an
        ``Ingested``, or a write path that skips the indexes ``save_message`` keeps.
        """
        event = _event("m:1", thread_id="t:1")
        result = store.ingest_message(event)
        assert result.created is True
        assert canonical(result.message) == canonical(event)
        assert canonical(store.get_message("m:1")) == canonical(event)
        assert store.get_message_by_external_id("slack", "b1", "E1").id == "m:1"
        assert ids(store.get_messages("room:1")) == ["m:1"]
        assert ids(store.get_messages("room:1", thread_id="t:1")) == ["m:1"]

    @capability("ingest")
    def test_redelivered_event_gives_one_message(self, store: PersistenceAdapter) -> None:
        """Rule 9.1 (re-delivery): N deliveries of one event store one message;
        ``created`` is true exactly once, and every call returns the stored message.

        Each delivery is a new ``Message`` with an id of its own, as a bridge builds it
        from a webhook it was sent again.

        Troubleshooting: look the key up first and return its holder.  Usual
        mistakes: saving every delivery (one message per delivery), or answering
        ``created=True`` whenever the id is new.
        """
        results = [store.ingest_message(_event(f"m:{n}")) for n in range(REPEATS)]
        assert [result.created for result in results] == [True] + [False] * (REPEATS - 1)
        assert {canonical(result.message) for result in results} == {canonical(_event("m:0"))}
        assert ids(store.get_messages("room:1", limit=HUGE)) == ["m:0"]
        for n in range(1, REPEATS):
            with pytest.raises(NotFound):
                store.get_message(f"m:{n}")

    @capability("ingest")
    def test_redelivery_writes_nothing(self, store: PersistenceAdapter) -> None:
        """Rule 9.1 (nothing written): a repeat leaves the store exactly as it was,
        raw index included (keys and row counts read straight from the backend).

        The repeats carry the same id with other content, other timestamps and
        another thread: a write of any kind (a re-save, an upsert) would show.

        Troubleshooting: on a key that resolves, return before any write.  Usual
        mistakes: ``INSERT OR REPLACE``/``ON CONFLICT DO UPDATE`` on the repeat (it
        replaces the stored message and re-stamps ``inserted_at``), or bumping the
        save sequence so that the key's resolution changes.
        """
        first = store.ingest_message(_event("m:1")).message
        before = snapshot(store, message_ids=["m:1", "m:2"], message_keys=[("slack", "b1", "E1")])
        raw_before = raw_index_or_none(store)
        later = T0 + timedelta(hours=1)
        repeats = [
            _event("m:1", content=[TextPart(text="edited")], inserted_at=later, thread_id="t:9"),
            _event("m:2", inserted_at=None),
            _event("m:1"),
        ]
        for repeat in repeats:
            result = store.ingest_message(repeat)
            assert result.created is False
            assert canonical(result.message) == canonical(first)
        assert (
            snapshot(store, message_ids=["m:1", "m:2"], message_keys=[("slack", "b1", "E1")])
            == before
        )
        assert raw_index_or_none(store) == raw_before

    @capability("ingest")
    def test_ingest_needs_a_complete_external_key(self, store: PersistenceAdapter) -> None:
        """Rule 9.1 (complete key): without channel, bridge id and external id all set,
        ``ingest_message`` raises InvalidArgument and stores nothing.

        Troubleshooting: the key is ``(metadata["channel"], metadata["bridge_id"],
        external_id)`` as for ``save_message``; a message missing any part has no key
        to be idempotent on.  Usual mistake: falling back to ``save_message``.
        """
        before = snapshot(store, message_ids=["m:1"])
        incomplete = [
            message("m:1", external_id=None, metadata=dict(SLACK)),
            message("m:1", external_id="E1", metadata={"channel": "slack"}),
            message("m:1", external_id="E1", metadata={"bridge_id": "b1"}),
            message("m:1", external_id="E1"),
            message("m:1", external_id="E1", metadata={"channel": None, "bridge_id": "b1"}),
        ]
        for candidate in incomplete:
            with pytest.raises(InvalidArgument):
                store.ingest_message(candidate)
        assert snapshot(store, message_ids=["m:1"]) == before

    @capability("ingest")
    def test_ingest_refuses_malformed_key_metadata(self, store: PersistenceAdapter) -> None:
        """Rule 9.1 with section 4: a channel that is not a non-empty ``str`` or a bridge
        id that is not ``str``/``int`` raises InvalidArgument and stores nothing.

        Troubleshooting: the same key check as ``save_message``.  Usual mistake:
        stringifying ``True`` or ``""`` into a key.
        """
        before = snapshot(store, message_ids=["m:1"])
        for metadata in (
            {"channel": "", "bridge_id": "b1"},
            {"channel": 7, "bridge_id": "b1"},
            {"channel": "slack", "bridge_id": True},
            {"channel": "slack", "bridge_id": 1.5},
        ):
            with pytest.raises(InvalidArgument):
                store.ingest_message(message("m:1", external_id="E1", metadata=metadata))
        for not_a_message in (None, {"id": "m:1"}, _thread("t:1")):
            with pytest.raises(InvalidArgument):
                store.ingest_message(not_a_message)  # type: ignore[arg-type]
        assert snapshot(store, message_ids=["m:1"]) == before

    @capability("ingest")
    def test_ingest_rechecks_its_message(self, store: PersistenceAdapter) -> None:
        """Rule 9.1 with 9.0: a message built with ``model_construct()`` that its model
        would reject (a naive timestamp, a NUL) raises InvalidArgument and stores
        nothing, as for ``save_message``.

        Troubleshooting: the message is saved "as by save_message", argument checks
        included.  Usual mistake: an ingest path that skips the re-check and stores a
        record no read can return.
        """
        before = snapshot(store, message_ids=["m:1"], message_keys=[("slack", "b1", "E1")])
        good = _event("m:1")
        for bad in (
            Message.model_construct(**{**dict(good), "inserted_at": datetime(2024, 1, 1)}),
            Message.model_construct(**{**dict(good), "sender_id": "p\x00"}),
        ):
            with pytest.raises(InvalidArgument):
                store.ingest_message(bad)
        assert snapshot(store, message_ids=["m:1"], message_keys=[("slack", "b1", "E1")]) == before

    @capability("ingest")
    def test_ingest_returns_the_keys_resolution(self, store: PersistenceAdapter) -> None:
        """Rule 9.6 (several holders): on a key held by several messages,
        ``ingest_message`` returns the most recently saved holder; as holders go,
        it falls back to the next, and creates once none is left.

        Troubleshooting: resolve the key exactly as ``get_message_by_external_id``
        does.  Usual mistakes: returning the oldest holder (``ORDER BY`` the wrong
        way, ``LIMIT 1`` without an order), or a unique index that makes the second
        ``save_message`` of a key fail.
        """
        store.save_message(_event("m:old", inserted_at=T0 + timedelta(days=1)))
        store.save_message(_event("m:new", inserted_at=T0))
        result = store.ingest_message(_event("m:3"))
        assert (result.message.id, result.created) == ("m:new", False)
        store.delete_message("m:new")
        result = store.ingest_message(_event("m:3"))
        assert (result.message.id, result.created) == ("m:old", False)
        store.update_message_external_id("m:old", "E-other")
        result = store.ingest_message(_event("m:3"))
        assert (result.message.id, result.created) == ("m:3", True)
        assert store.get_message_by_external_id("slack", "b1", "E1").id == "m:3"

    @capability("ingest")
    def test_ingest_keys_are_normalised(self, store: PersistenceAdapter) -> None:
        """Rule 9.1 with section 3: a bridge id ``42`` and ``"42"`` are one bridge id, so a
        re-delivery whose metadata spells it as an int is still a repeat.

        Troubleshooting: build the key with the normalised strings.  Usual mistake:
        comparing an int from ``metadata`` with the text stored for the first delivery.
        """
        first = store.ingest_message(
            message("m:1", external_id="123", metadata={"channel": "tg", "bridge_id": 42})
        )
        again = store.ingest_message(
            message("m:2", external_id="123", metadata={"channel": "tg", "bridge_id": "42"})
        )
        assert (first.created, again.created) == (True, False)
        assert again.message.id == "m:1"

    @capability("ingest")
    def test_ingest_keys_are_per_channel_and_bridge(self, store: PersistenceAdapter) -> None:
        """Rule 9.1 (the key): the same external id under another channel or bridge is
        another event.

        Troubleshooting: all three parts make the key; channels compare exactly
        (``"Slack"`` is not ``"slack"``).  Usual mistake: keying on ``external_id`` alone.
        """
        metadatas = (
            {"channel": "slack", "bridge_id": "b1"},
            {"channel": "slack", "bridge_id": "b2"},
            {"channel": "Slack", "bridge_id": "b1"},
            {"channel": "discord", "bridge_id": "b1"},
        )
        for index, metadata in enumerate(metadatas):
            result = store.ingest_message(
                message(f"m:{index}", external_id="E1", metadata=metadata)
            )
            assert result.created is True, metadata
        assert len(store.get_messages("room:1", limit=HUGE)) == len(metadatas)

    @capability("ingest")
    def test_ingest_of_a_stored_id_with_a_new_key_saves_it(self, store: PersistenceAdapter) -> None:
        """Rule 9.1 ("saved as by save_message"): a message whose id is stored under
        another key, ingested with a key that resolves to nothing, replaces the stored
        version; its old key stops resolving to it.

        Troubleshooting: an upsert by id, with the indexes following the latest
        version.  Usual mistake: an ``INSERT ... ON CONFLICT (id) DO NOTHING`` that
        answers ``created=True`` but keeps the old version.
        """
        store.save_message(_event("m:1", external_id="E-old"))
        result = store.ingest_message(_event("m:1", external_id="E-new"))
        assert result.created is True
        assert store.get_message("m:1").external_id == "E-new"
        assert store.get_message_by_external_id("slack", "b1", "E-new").id == "m:1"
        with pytest.raises(NotFound):
            store.get_message_by_external_id("slack", "b1", "E-old")

    @capability("ingest")
    @kit_settings(max_examples=20)
    @given(event=strategies.messages(external_ids=st.just("E-prop")), data=st.data())
    def test_any_keyed_message_is_ingested_once(
        self, store: PersistenceAdapter, event: Message, data: st.DataObject
    ) -> None:
        """Rule 9.1 for every message the models allow: the first ingest of a fresh key
        creates the message exactly as given, a second one returns it unchanged.

        Troubleshooting: the stored message must round-trip exactly (section 2) on
        this path too.  Usual mistake: an ingest path with its own, lossy encoding.
        """
        key = unique_id("K")
        bridge = data.draw(st.sampled_from(["b1", 7]), label="bridge id")
        keyed = event.model_copy(
            update={
                "id": unique_id("m"),
                "external_id": key,
                "metadata": {**event.metadata, "channel": "prop", "bridge_id": bridge},
            }
        )
        keyed = Message.model_validate(keyed.model_dump())
        first = store.ingest_message(keyed)
        assert first.created is True
        assert canonical(first.message) == canonical(keyed)
        second = store.ingest_message(keyed.model_copy(update={"id": unique_id("m")}))
        assert second.created is False
        assert canonical(second.message) == canonical(keyed)
        assert canonical(store.get_message(keyed.id)) == canonical(keyed)

    # --- get_or_create_thread_by_external_id: 9.1, 9.6 ---------------------------------

    @capability("ingest")
    def test_get_or_create_thread_creates_once(self, store: PersistenceAdapter) -> None:
        """Rule 9.1 (thread get-or-create): the first call builds the thread from
        ``attrs`` with the room and external id of the call; later calls return it,
        whatever their attrs.

        Troubleshooting: the get-or-create algorithm of section 4 on the thread key
        ``(room_id, external_thread_id)``.  Usual mistake: a second thread when the
        attrs differ.
        """
        attrs = {"id": "t:1", "status": "archived", "metadata": {"topic": "x"}}
        first = store.get_or_create_thread_by_external_id("room:1", "X1", attrs)
        assert (first.id, first.room_id, first.external_thread_id) == ("t:1", "room:1", "X1")
        assert (first.status, first.metadata) == (ThreadStatus.ARCHIVED, {"topic": "x"})
        again = store.get_or_create_thread_by_external_id("room:1", "X1", {"id": "t:2"})
        assert canonical(again) == canonical(first)
        assert canonical(store.get_thread("t:1")) == canonical(first)
        assert canonical(store.get_thread_by_external_id("room:1", "X1")) == canonical(first)
        assert ids(store.list_threads("room:1", limit=HUGE)) == ["t:1"]
        with pytest.raises(NotFound):
            store.get_thread("t:2")

    @capability("ingest")
    def test_get_or_create_thread_without_attrs(self, store: PersistenceAdapter) -> None:
        """Rule 9.1 (``attrs=None``): means ``{}``: a thread with a generated id and the
        model's defaults.

        Troubleshooting: ``Thread`` needs only ``room_id``, which comes from the call.
        Usual mistake: treating ``None`` attrs as an error.
        """
        thread = store.get_or_create_thread_by_external_id("room:1", "X1")
        assert thread.id.startswith("jch_")
        assert (thread.status, thread.metadata) == (ThreadStatus.ACTIVE, {})
        assert store.get_or_create_thread_by_external_id("room:1", "X1", None).id == thread.id

    @capability("ingest")
    def test_get_or_create_thread_keys_are_per_room(self, store: PersistenceAdapter) -> None:
        """Rule 9.1 (thread key): the same external thread id in two rooms is two threads.

        Troubleshooting: the key is ``(room_id, external_thread_id)``.  Usual mistake: a
        look-up by ``external_thread_id`` alone.
        """
        one = store.get_or_create_thread_by_external_id("room:1", "X1", {"id": "t:1"})
        two = store.get_or_create_thread_by_external_id("room:2", "X1", {"id": "t:2"})
        assert (one.id, two.id) == ("t:1", "t:2")
        assert two.room_id == "room:2"

    @capability("ingest")
    def test_get_or_create_thread_normalises_the_external_id(
        self, store: PersistenceAdapter
    ) -> None:
        """Rule 9.1 with section 3: ``123`` and ``"123"`` are one external thread id; the
        created thread stores the string.

        Troubleshooting: normalise before the look-up and before building the thread.
        """
        thread = store.get_or_create_thread_by_external_id("room:1", 123, {"id": "t:1"})
        assert thread.external_thread_id == "123"
        assert store.get_or_create_thread_by_external_id("room:1", "123").id == "t:1"
        assert store.get_thread_by_external_id("room:1", 123).id == "t:1"

    @capability("ingest")
    def test_get_or_create_thread_returns_the_keys_resolution(
        self, store: PersistenceAdapter
    ) -> None:
        """Rule 9.1 with section 4: a key held by several saved threads resolves to the
        most recently saved one, which get-or-create returns without writing.

        Troubleshooting: resolve as ``get_thread_by_external_id`` does.  Usual mistake:
        a unique index on the thread key, which ``save_thread`` must not have.
        """
        store.save_thread(_thread("t:old", external_thread_id="X1", day=1))
        store.save_thread(_thread("t:new", external_thread_id="X1", day=0))
        before = snapshot(store, thread_ids=["t:old", "t:new", "t:x"])
        found = store.get_or_create_thread_by_external_id("room:1", "X1", {"id": "t:x"})
        assert found.id == "t:new"
        assert snapshot(store, thread_ids=["t:old", "t:new", "t:x"]) == before

    @capability("ingest")
    def test_get_or_create_thread_refuses_attrs_that_are_not_thread_fields(
        self, store: PersistenceAdapter
    ) -> None:
        """Rule 9.6 (thread attrs): keys that are not ``Thread`` fields, and ``room_id``
        or ``external_thread_id`` (they come from the arguments), raise InvalidArgument
        and create nothing.

        Troubleshooting: the binding rule, as ``create_room_binding`` applies it.
        Usual mistake: letting ``attrs["room_id"]`` override the argument.
        """
        before = snapshot(store, room_ids=["room:1", "room:2"], thread_ids=["t:1"])
        for attrs in (
            {"room_id": "room:2"},
            {"external_thread_id": "X2"},
            {"id": "t:1", "colour": "red"},
            {1: "x"},
        ):
            with pytest.raises(InvalidArgument):
                store.get_or_create_thread_by_external_id("room:1", "X1", attrs)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgument):
            store.get_or_create_thread_by_external_id("room:1", "X1", ["id"])  # type: ignore[arg-type]
        assert snapshot(store, room_ids=["room:1", "room:2"], thread_ids=["t:1"]) == before

    @capability("ingest")
    def test_get_or_create_thread_refuses_invalid_attr_values(
        self, store: PersistenceAdapter
    ) -> None:
        """Rule 9.1 with section 4: attrs that do not validate raise InvalidArgument with
        pydantic's ValidationError as ``__cause__``, and create nothing.

        Troubleshooting: build the thread with ``build_record`` before writing.  Usual
        mistake: letting the ValidationError escape unwrapped.
        """
        before = snapshot(store, thread_ids=["t:1"])
        for attrs in (
            {"id": "t:1", "status": "nope"},
            {"id": "t:1", "inserted_at": "yesterday"},
            {"id": ""},
        ):
            with pytest.raises(InvalidArgument) as caught:
                store.get_or_create_thread_by_external_id("room:1", "X1", attrs)
            assert isinstance(caught.value.__cause__, ValidationError)
        assert snapshot(store, thread_ids=["t:1"]) == before

    @capability("ingest")
    def test_get_or_create_thread_refuses_bad_arguments(self, store: PersistenceAdapter) -> None:
        """Rule 9.1 with section 3: a ``room_id`` that is not a non-empty ``str``, and an
        external thread id that is empty, ``None``, a ``bool`` or another type, raise
        InvalidArgument before anything is read or written.

        Troubleshooting: the core checks these; an adapter that re-checks must agree.
        """
        for room_id, external in (
            ("", "X1"),
            (None, "X1"),
            (5, "X1"),
            ("room:1", ""),
            ("room:1", None),
            ("room:1", True),
            ("room:1", 1.5),
            ("room:1", "a\x00b"),
        ):
            with pytest.raises(InvalidArgument):
                store.get_or_create_thread_by_external_id(room_id, external)  # type: ignore[arg-type]
        assert store.list_threads("room:1") == []

    def test_ingest_group_answers_as_its_flag_says(self, store: PersistenceAdapter) -> None:
        """Rule 9 (groups): with ``capabilities.ingest`` false both callbacks raise
        NotSupported; with it true neither does.

        Troubleshooting: the flag is derived from the methods the class implements;
        implement both hooks or neither.  Usual mistake: one of the two left to the
        base class's NotSupported default.
        """
        event = _event("m:1")
        if store.capabilities.ingest:
            assert store.ingest_message(event).created is True
            assert store.get_or_create_thread_by_external_id("room:1", "X1").room_id == "room:1"
            return
        with pytest.raises(NotSupported):
            store.ingest_message(event)
        with pytest.raises(NotSupported):
            store.get_or_create_thread_by_external_id("room:1", "X1")
