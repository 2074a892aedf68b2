"""``AdapterConformance``: the kit as a test class to subclass.

An adapter author writes::

    class TestMyAdapterConformance(AdapterConformance):
        @pytest.fixture
        def store_factory(self, tmp_path) -> StoreFactory:
            return UrlStoreFactory("tinydb:////{tmp}/store.json", tmp_path)

and pytest runs every test of the kit on that adapter: the class inherits one mixin
per area of the contract (``jido_persistence_conformance.suite``).  The
``--persistence-url`` path runs the very same class, with ``store_factory``
parametrised by URL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar

import pytest

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.memory import MemoryAdapter
from jido_persistence_conformance._items import area_of
from jido_persistence_conformance._support import (
    CAPABILITY_MARK,
    INGRESS_MARK,
    INGRESS_SKIP_REASON,
)
from jido_persistence_conformance.factories import StoreFactory
from jido_persistence_conformance.suite.async_facade import AsyncFacadeTests
from jido_persistence_conformance.suite.bridge_configs import BridgeConfigsTests
from jido_persistence_conformance.suite.bulk_messages import BulkMessagesTests
from jido_persistence_conformance.suite.capabilities import CapabilitiesTests
from jido_persistence_conformance.suite.cascades import CascadesTests
from jido_persistence_conformance.suite.concurrency import ConcurrencyTests
from jido_persistence_conformance.suite.directory import DirectoryTests
from jido_persistence_conformance.suite.durability import DurabilityTests
from jido_persistence_conformance.suite.enumeration import EnumerationTests
from jido_persistence_conformance.suite.errors_and_bad_input import ErrorsAndBadInputTests
from jido_persistence_conformance.suite.external_ids import ExternalIdsTests
from jido_persistence_conformance.suite.ingestion import IngestionTests
from jido_persistence_conformance.suite.ingestion_concurrency import IngestionConcurrencyTests
from jido_persistence_conformance.suite.ingress_subscriptions import IngressSubscriptionsTests
from jido_persistence_conformance.suite.isolation import IsolationTests
from jido_persistence_conformance.suite.messages_and_cursors import MessagesAndCursorsTests
from jido_persistence_conformance.suite.onboarding import OnboardingTests
from jido_persistence_conformance.suite.participants import ParticipantsTests
from jido_persistence_conformance.suite.retention import RetentionTests
from jido_persistence_conformance.suite.room_bindings import RoomBindingsTests
from jido_persistence_conformance.suite.rooms import RoomsTests
from jido_persistence_conformance.suite.round_trip import RoundTripTests
from jido_persistence_conformance.suite.routing_policies import RoutingPoliciesTests
from jido_persistence_conformance.suite.stateful_comparison import StatefulComparisonTests
from jido_persistence_conformance.suite.threads import ThreadsTests
from jido_persistence_conformance.suite.transactions import TransactionsTests

__all__ = ["NOT_APPLICABLE_PREFIX", "AdapterConformance"]

NOT_APPLICABLE_PREFIX = "not applicable: "
"""Skip reasons starting with this mark a test of a capability the adapter lacks."""


class AdapterConformance(
    RoomsTests,
    ParticipantsTests,
    MessagesAndCursorsTests,
    ThreadsTests,
    ExternalIdsTests,
    IngestionTests,
    RoomBindingsTests,
    DirectoryTests,
    OnboardingTests,
    BridgeConfigsTests,
    RoutingPoliciesTests,
    IngressSubscriptionsTests,
    BulkMessagesTests,
    EnumerationTests,
    RoundTripTests,
    RetentionTests,
    IsolationTests,
    CascadesTests,
    ErrorsAndBadInputTests,
    CapabilitiesTests,
    DurabilityTests,
    ConcurrencyTests,
    IngestionConcurrencyTests,
    TransactionsTests,
    AsyncFacadeTests,
    StatefulComparisonTests,
):
    """Every test of the conformance kit; subclass it and define ``store_factory``.

    Fixtures provided: ``factory`` (your ``store_factory``, cleaned up after the test),
    ``store`` (a fresh store, closed afterwards), ``reference`` (a
    :class:`~jido_persistence.memory.MemoryAdapter`, the oracle).

    Known failures: set ``conformance_xfail = {"test_name": "reason"}``; each listed
    test becomes a strict xfail (it must fail; when it starts passing the run fails,
    so the entry is removed).  A name that is not a kit test is a usage error.
    """

    __jido_conformance__: ClassVar[bool] = True
    conformance_xfail: ClassVar[Mapping[str, str]] = {}
    """Known failures: test name -> reason (strict xfails)."""

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        """Override in your subclass: return the StoreFactory of the adapter under test."""
        raise pytest.UsageError(
            f"{type(self).__qualname__} must define a `store_factory` fixture returning a "
            "StoreFactory (for example UrlStoreFactory('tinydb:////{tmp}/store.json', tmp_path))"
        )

    @pytest.fixture
    def factory(self, store_factory: StoreFactory) -> Iterator[StoreFactory]:
        """The store factory; every store it created is removed after the test."""
        try:
            yield store_factory
        finally:
            store_factory.cleanup()

    @pytest.fixture
    def store(
        self, factory: StoreFactory, request: pytest.FixtureRequest
    ) -> Iterator[PersistenceAdapter]:
        """A fresh, empty store of the adapter under test; closed after the test."""
        store = factory.create()
        adapter = type(store)
        request.node.user_properties.append(
            ("persistence_adapter", f"{adapter.__module__}:{adapter.__qualname__}")
        )
        request.node.user_properties.append(
            ("persistence_capabilities", store.capabilities.model_dump())
        )
        try:
            yield store
        finally:
            store.close()

    @pytest.fixture
    def reference(self) -> Iterator[MemoryAdapter]:
        """The in-memory reference adapter (the oracle), closed after the test."""
        with MemoryAdapter() as reference:
            yield reference

    @pytest.fixture(autouse=True)
    def _persistence_kit_test(self, request: pytest.FixtureRequest) -> None:
        """Report tests of a capability the adapter does not declare as not applicable, and
        skip the ingress tests (with the contract's reason) on adapters without the trio."""
        node = request.node
        callspec = getattr(node, "callspec", None)
        url = callspec.params.get("persistence_url") if callspec is not None else None
        # Read by the plugin's recorder where it did not collect the test (xdist workers).
        node.user_properties.append(
            (
                "persistence_kit_test",
                {
                    "name": getattr(node, "originalname", node.name),
                    "area": area_of(node),
                    "run": url or node.nodeid.split("::")[0] + "::" + type(self).__qualname__,
                    "kind": "url" if url else "class",
                },
            )
        )
        marks = list(request.node.iter_markers(CAPABILITY_MARK))
        needs_ingress = request.node.get_closest_marker(INGRESS_MARK) is not None
        if not marks and not needs_ingress:
            return
        store: PersistenceAdapter = request.getfixturevalue("store")
        if needs_ingress and not store.capabilities.ingress_subscriptions:
            pytest.skip(INGRESS_SKIP_REASON)
        declared = store.capabilities.model_dump()
        for mark in marks:
            name, wanted = mark.args[0], mark.args[1] if len(mark.args) > 1 else True
            if declared.get(name) != wanted:
                pytest.skip(
                    f"{NOT_APPLICABLE_PREFIX}{type(store).__name__} declares {name}="
                    f"{declared.get(name)}"
                )
