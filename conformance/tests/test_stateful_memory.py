"""The comparison state machine passes when the adapter under test is the reference.

Runs the machine the three ways an adapter author would: ``run_state_machine`` on a
fresh-instance factory, ``make_state_machine(...).TestCase`` collected by pytest, and
against a factory whose ``reopen`` gives a new (empty, non-durable) instance, for
which the machine must never reopen.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, settings

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.memory import MemoryAdapter
from jido_persistence_conformance import ClassStoreFactory
from jido_persistence_conformance.stateful import (
    DEFAULT_SETTINGS,
    PersistenceComparison,
    make_state_machine,
    run_state_machine,
)

QUICK = settings(
    DEFAULT_SETTINGS,
    max_examples=15,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


class CountingFactory(ClassStoreFactory):
    """A ClassStoreFactory that records how often the machine creates and reopens."""

    def __init__(self) -> None:
        super().__init__(MemoryAdapter)
        self.created = 0
        self.reopened = 0

    def create(self) -> PersistenceAdapter:
        """A new MemoryAdapter, counted."""
        self.created += 1
        return super().create()

    def reopen(self, store: PersistenceAdapter) -> PersistenceAdapter:
        """A new instance (the data is gone: memory is not durable), counted."""
        self.reopened += 1
        return super().reopen(store)


def test_reference_against_reference_passes() -> None:
    """MemoryAdapter vs MemoryAdapter agrees on every step."""
    run_state_machine(ClassStoreFactory(MemoryAdapter), settings=QUICK)


def test_non_durable_factory_is_never_reopened() -> None:
    """A non-durable adapter keeps its data only while open: the reopen rule stays off."""
    factory = CountingFactory()
    run_state_machine(factory, settings=QUICK)
    assert factory.created >= 1
    assert factory.reopened == 0


def test_machine_closes_its_stores() -> None:
    """Teardown closes the adapter under test (no store is left open)."""
    stores: list[PersistenceAdapter] = []

    class Recording(ClassStoreFactory):
        def create(self) -> PersistenceAdapter:
            store = super().create()
            stores.append(store)
            return store

    run_state_machine(Recording(MemoryAdapter), settings=settings(QUICK, max_examples=3))
    assert stores
    assert all(store.closed for store in stores)


def test_machine_without_a_factory_refuses_to_start() -> None:
    """The unbound base class says how to bind it."""
    with pytest.raises(TypeError, match="make_state_machine"):
        PersistenceComparison()


TestMemoryMachine = make_state_machine(ClassStoreFactory(MemoryAdapter)).TestCase
TestMemoryMachine.settings = QUICK


class _ImportDropsAStaleKey(MemoryAdapter):
    """Seeded bug: an import that leaves out participant keys whose participant is gone
    (an exporter or importer "cleaning up" stale keys loses data)."""

    def _import_records(self, records):  # type: ignore[no-untyped-def]
        live = [record for record in records if record.kind != "participant_key"]
        return super()._import_records(live)


def test_the_machine_moves_into_imported_copies_and_catches_a_lossy_import() -> None:
    """The export/import rule runs (stores are created beyond the first) and a copy that
    lost records fails the run on the next comparison."""
    factory = CountingFactory()
    run_state_machine(factory, settings=QUICK)
    assert factory.created > QUICK.max_examples  # imported copies were made
    with pytest.raises(AssertionError):
        run_state_machine(
            ClassStoreFactory(_ImportDropsAStaleKey),
            settings=settings(QUICK, max_examples=200, phases=[Phase.generate]),
        )
