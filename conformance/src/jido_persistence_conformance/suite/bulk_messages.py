"""Bulk message saving, checked when the adapter offers it (``SupportsBulkSaveMessages``).

Not a contract callback: an adapter without ``bulk_save_messages`` gets these tests
reported as not applicable.  An adapter with it must leave the store exactly as
``save_message`` on each message in order would; the in-memory reference adapter,
fed the same messages one by one, is the oracle.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.bulk import SupportsBulkSaveMessages
from jido_persistence.errors import InvalidArgument, NotFound, StoreClosed
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message
from jido_persistence_conformance import strategies
from jido_persistence_conformance._support import HUGE, canonical_all, kit_settings, message
from jido_persistence_conformance.factories import StoreFactory

__all__ = ["BulkMessagesTests"]

NOT_OFFERED = "not applicable: the adapter does not offer bulk_save_messages"
ROOMS = ("room:a", "room:b")
KEYS = tuple(("slack", bridge, external) for bridge in ("b1", "7") for external in ("E1", "E2"))
T0 = datetime(2024, 1, 1, tzinfo=UTC)

batches = st.lists(
    strategies.messages(
        room_ids=ROOMS,
        message_ids=("m1", "m2", "m3", "m4", "m5"),
        thread_ids=("t1",),
        channels=("slack",),
        bridge_ids=("b1", 7),
        external_ids=("E1", "E2"),
        timestamps=(None, T0, T0 + timedelta(seconds=1)),
    ),
    max_size=10,
)
"""Batches where ids, keys, rooms and timestamps collide often."""


def _bulk(store: PersistenceAdapter) -> SupportsBulkSaveMessages:
    if not isinstance(store, SupportsBulkSaveMessages):
        pytest.skip(NOT_OFFERED)
    return store


def _key_holder(store: PersistenceAdapter, key: tuple[str, str, str]) -> str | None:
    try:
        return store.get_message_by_external_id(*key).id
    except NotFound:
        return None


def _answers(store: PersistenceAdapter) -> dict[str, Any]:
    """Every page and key answer, then the same after deleting each key's holder in turn."""
    answers: dict[str, Any] = {
        "pages": {room: canonical_all(store.get_messages(room, limit=HUGE)) for room in ROOMS},
        "threads": canonical_all(store.get_messages(ROOMS[0], limit=HUGE, thread_id="t1")),
        "keys": {str(key): _key_holder(store, key) for key in KEYS},
    }
    fallbacks: dict[str, list[str]] = {}
    for key in KEYS:
        chain = fallbacks.setdefault(str(key), [])
        while (holder := _key_holder(store, key)) is not None:
            chain.append(holder)
            store.delete_message(holder)
    answers["fallbacks"] = fallbacks
    return answers


class BulkMessagesTests:
    """``bulk_save_messages``, when offered: the same store as saving each in order."""

    def test_bulk_save_of_repeated_ids_and_shared_keys(self, factory: StoreFactory) -> None:
        """One batch re-saving an id and sharing a key ends as single saves in order end.

        Troubleshooting: the last copy of a repeated id wins, and the key resolves to
        the message saved last, then falls back in save order.  Usual mistakes:
        writing the batch in another order, or keeping the first copy of an id.
        """
        slack = {"channel": "slack", "bridge_id": "b1"}
        batch = [
            message("m1", "room:a", T0, external_id="E1", metadata=slack),
            message("m2", "room:a", T0 + timedelta(seconds=1), external_id="E1", metadata=slack),
            message("m1", "room:a", T0, external_id="E1", metadata={**slack, "v": 2}),
            message("m3", "room:b", None, external_id="E1", metadata=slack),
            message(
                "m4", "room:a", T0, external_id="E2", metadata={"channel": "slack", "bridge_id": 7}
            ),
        ]
        store = factory.create()
        try:
            bulk = _bulk(store)
            assert bulk.bulk_save_messages(batch) == len(batch)
            with MemoryAdapter() as oracle:
                for each in batch:
                    oracle.save_message(each)
                assert _answers(store) == _answers(oracle)
        finally:
            store.close()

    @kit_settings(max_examples=10)
    @given(before=batches, batch=batches)
    def test_bulk_save_leaves_the_store_as_saving_each_in_order_would(
        self, factory: StoreFactory, before: list[Message], batch: list[Message]
    ) -> None:
        """A bulk save stores what ``save_message`` on each message, in order, stores.

        Troubleshooting: a later message with an earlier one's id replaces it; a key
        shared by several messages resolves to the one saved last and falls back
        through its former holders in save order.  Usual mistakes: inserting the
        batch without the per-message save sequence (keys resolve to the wrong
        holder), or de-duplicating ids by keeping the first copy.
        """
        store = factory.create()
        try:
            bulk = _bulk(store)
            with MemoryAdapter() as oracle:
                for earlier in before:
                    store.save_message(earlier)
                    oracle.save_message(earlier)
                assert bulk.bulk_save_messages(iter(batch)) == len(batch)
                for each in batch:
                    oracle.save_message(each)
                assert _answers(store) == _answers(oracle)
        finally:
            store.close()

    def test_bad_input_writes_nothing(self, store: PersistenceAdapter) -> None:
        """A batch holding a non-message or a bad external-id key raises InvalidArgument
        before anything is written.

        Troubleshooting: validate the whole batch first, or roll back.  Usual mistake:
        the messages before the bad one are stored.
        """
        bulk = _bulk(store)
        store.save_message(message("m0", inserted_at=T0))
        good = message("m1", inserted_at=T0)
        bad_key = message("m2", inserted_at=T0, external_id="E", metadata={"channel": ""})
        for bad in ("not a message", bad_key):
            with pytest.raises(InvalidArgument):
                bulk.bulk_save_messages([good, bad])  # type: ignore[list-item]
        assert [m.id for m in store.get_messages("room:1", limit=HUGE)] == ["m0"]

    def test_closed_store_raises_store_closed(self, factory: StoreFactory) -> None:
        """After ``close()``, a bulk save raises StoreClosed.

        Troubleshooting: check the store is open before writing, as callbacks do.
        Usual mistake: a driver error about a closed connection instead.
        """
        store = factory.create()
        bulk = _bulk(store)
        store.close()
        with pytest.raises(StoreClosed):
            bulk.bulk_save_messages([message("m1", inserted_at=T0)])
