"""Ingestion races: threads and processes ingesting one event at once (contract 9.1).

"Race-free exactly as get-or-create is": concurrent ``ingest_message`` calls on one
key store one message and all return it; concurrent thread get-or-create calls on one
key store one thread.  Threads race on every adapter declaring ``ingest``; processes
race where the adapter is ``multi_process`` and the store factory gives a URL.
"""

from __future__ import annotations

import pytest

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import NotFound
from jido_persistence.models import Ingested, Message, MessageRole, Thread
from jido_persistence_conformance._support import HUGE, capability, ids, raw_index_or_none
from jido_persistence_conformance.factories import StoreFactory
from jido_persistence_conformance.suite.concurrency import (
    NO_URL,
    PROCESSES,
    RACE_ROUNDS,
    THREADS,
    race,
    race_processes,
)

__all__ = ["IngestionConcurrencyTests"]


def _delivery(key: str, index: int) -> Message:
    return Message(
        id=f"m:{key}:t{index}",
        room_id="room:race",
        sender_id="p",
        role=MessageRole.USER,
        external_id=key,
        metadata={"channel": "race", "bridge_id": "b"},
    )


class IngestionConcurrencyTests:
    """Threads and processes delivering one event, or opening one thread, at once."""

    @capability("ingest")
    def test_threads_racing_ingest_store_one_message(self, store: PersistenceAdapter) -> None:
        """Rule 9.1 (race-free): 16 threads ingesting one key, each with a message id of
        its own, store one message; exactly one call answers ``created=True`` and every
        call returns that message.

        Run on several keys in turn, so a check-then-insert window is hit even on a
        loaded machine.

        Troubleshooting: the look-up and the insert must be one atomic step (the
        store's lock, a transaction holding a lock on the key, or a unique key with
        ``INSERT ... ON CONFLICT DO NOTHING`` and a re-read).  Usual mistakes: a
        look-up outside the transaction, so two callers both insert; or two winners
        both answering ``created=True``.
        """
        winners: list[str] = []
        for round_ in range(RACE_ROUNDS):
            key = f"ev{round_}"

            def deliver(index: int, key: str = key) -> Ingested:
                return store.ingest_message(_delivery(key, index))

            results = race(THREADS, deliver)
            returned = {result.message.id for result in results}
            assert len(returned) == 1, f"key {key!r}: {len(returned)} different messages"
            created = [result for result in results if result.created]
            assert len(created) == 1, f"key {key!r}: created=True {len(created)} times"
            winner = returned.pop()
            assert created[0].message.id == winner
            winners.append(winner)
            assert store.get_message_by_external_id("race", "b", key).id == winner
            for index in range(THREADS):
                if f"m:{key}:t{index}" != winner:
                    with pytest.raises(NotFound):
                        store.get_message(f"m:{key}:t{index}")
        assert sorted(ids(store.get_messages("room:race", limit=HUGE))) == sorted(winners)
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["row_counts"]["messages"] == RACE_ROUNDS

    @capability("ingest")
    def test_threads_racing_thread_get_or_create_store_one_thread(
        self, store: PersistenceAdapter
    ) -> None:
        """Rule 9.1 (thread get-or-create, race-free): 16 threads on one thread key, each
        with a thread id of its own, get one thread; losers write nothing.

        Troubleshooting: as for ``ingest_message``; a losing call must not save its
        own thread (not even for a moment).  Usual mistake: saving first and looking
        for duplicates afterwards.
        """
        winners: list[str] = []
        for round_ in range(RACE_ROUNDS):
            key = f"xt{round_}"

            def claim(index: int, key: str = key) -> Thread:
                attrs = {"id": f"t:{key}:t{index}"}
                return store.get_or_create_thread_by_external_id("room:race", key, attrs)

            threads = race(THREADS, claim)
            returned = {thread.id for thread in threads}
            assert len(returned) == 1, f"key {key!r}: {len(returned)} different threads"
            winner = returned.pop()
            winners.append(winner)
            assert store.get_thread_by_external_id("room:race", key).id == winner
        assert ids(store.list_threads("room:race", limit=HUGE)) == sorted(
            winners, key=lambda thread_id: (store.get_thread(thread_id).inserted_at, thread_id)
        )
        raw = raw_index_or_none(store)
        if raw is not None:
            assert raw["row_counts"]["threads"] == RACE_ROUNDS

    @capability("ingest")
    @capability("multi_process")
    def test_processes_racing_ingest_store_one_message(
        self, store: PersistenceAdapter, factory: StoreFactory
    ) -> None:
        """Rule 9.1 (race-free across processes): 8 processes ingesting one event store
        one message; exactly one answers ``created=True`` and all return it.

        Troubleshooting: across processes only the backend can arbitrate (a lock the
        backend holds on the key until commit, such as a transaction-level advisory
        lock, or a unique key).  Usual mistake: a ``threading.Lock``.
        """
        url = factory.url_for(store)
        if url is None:
            pytest.skip(NO_URL)
        outputs = [line.split() for line in race_processes("ingest", url, PROCESSES)]
        returned = {message_id for message_id, _ in outputs}
        assert len(returned) == 1, f"processes got different messages: {sorted(returned)}"
        assert [created for _, created in outputs].count("True") == 1, outputs
        winner = returned.pop()
        assert ids(store.get_messages("room:race", limit=HUGE)) == [winner]
        assert store.get_message_by_external_id("race", "b", "event").id == winner

    @capability("ingest")
    @capability("multi_process")
    def test_processes_racing_thread_get_or_create_store_one_thread(
        self, store: PersistenceAdapter, factory: StoreFactory
    ) -> None:
        """Rule 9.1 (thread get-or-create across processes): 8 processes on one thread
        key get one thread.

        Troubleshooting: as for ``ingest_message`` across processes.
        """
        url = factory.url_for(store)
        if url is None:
            pytest.skip(NO_URL)
        outputs = race_processes("thread", url, PROCESSES)
        assert len(set(outputs)) == 1, f"processes got different threads: {sorted(set(outputs))}"
        assert ids(store.list_threads("room:race", limit=HUGE)) == [outputs[0]]
