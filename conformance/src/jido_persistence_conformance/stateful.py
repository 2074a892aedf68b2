"""A hypothesis state machine comparing an adapter with the in-memory reference.

:class:`PersistenceComparison` drives the adapter under test and a fresh
:class:`~jido_persistence.memory.MemoryAdapter` with the same random sequence of every
callback (saves that move messages between rooms and threads and re-key them, deletes
and cascades, cursor paging both ways, get-or-create with live, stale and new keys,
bindings, directory search and lookup, bridge configs, routing policies, onboarding,
ingress subscriptions, bad arguments, close + reopen for durable adapters, and the
contract-1.3 groups: ``ingest_message``, thread get-or-create, keyset enumeration,
export and import (the run goes on in a fresh store imported from the export),
retention and erasure where the adapter declares them), and
asserts identical results (type-exact canonical JSON) and identical errors (same class;
same ``entity``/``key`` for NotFound; same matches for AmbiguousLookup).

After every step that wrote, an invariant reads both stores in full: every list and
page (rooms, each room's messages, threads and bindings, configs, policies) and every
key the run has used (message, thread and binding keys, including keys that should
have stopped resolving); and, when the adapter offers the raw index reader
(:class:`~jido_persistence.adapter.SupportsRawIndex`), its keys and row counts (every
writing step for in-memory adapters, every 5th for durable ones, and at the end of
each run), so stale index entries that no read path returns are caught too.  "Probe"
rules run short sequences that set up the states bugs hide in (a key shared by two
messages then re-keyed, a key moved between rooms, stale keys, trap names, a room with
one of everything deleted), so each of the kit's seeded bugs is found within a few
examples.

Records are created with explicit ids and timestamps drawn from small pools, so both
stores hold identical records and collisions (ties, shared keys, re-saves) are
frequent.  Binding records that ``get_or_create_room_by_external_binding`` creates get
ids and timestamps of their own in each store; they are compared by natural key.

Use it from a test::

    from jido_persistence_conformance import ClassStoreFactory
    from jido_persistence_conformance.stateful import make_state_machine, run_state_machine

    def test_my_adapter_matches_the_reference():
        run_state_machine(ClassStoreFactory(MyAdapter))

    TestMyAdapterMachine = make_state_machine(ClassStoreFactory(MyAdapter)).TestCase

The defaults (25 examples of up to 30 steps) keep a run to seconds; raise them with
``run_state_machine(factory, settings=hypothesis.settings(max_examples=500,
stateful_step_count=100, deadline=None))`` or, for ``TestCase``, by assigning
``TestMyAdapterMachine.settings``.

The machine lives in private modules, one job each: the pools of ids, keys and
timestamps (``_stateful_pools``), canonical outcomes (``_stateful_outcomes``), the two
stores, compare step and invariants (``_stateful_base``), the everyday rules
(``_stateful_rules``), the probes and edge rules (``_stateful_probes``) and the
contract-1.3 rules (``_stateful_ingest``, ``_stateful_retention``,
``_stateful_interchange``).  Import
from here: this module is the public path.
"""

# ``X as X``: the pools (ROOM_IDS, ROOM_KEYS, ...) were public before the split though
# never in ``__all__``; they stay explicit re-exports for type checkers.
# ruff: noqa: PLC0414

from __future__ import annotations

from typing import Final

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from jido_persistence_conformance._stateful_ingest import _IngestRules
from jido_persistence_conformance._stateful_interchange import _InterchangeRules
from jido_persistence_conformance._stateful_pools import ALL as ALL
from jido_persistence_conformance._stateful_pools import BINDING_IDS as BINDING_IDS
from jido_persistence_conformance._stateful_pools import CONFIG_IDS as CONFIG_IDS
from jido_persistence_conformance._stateful_pools import EXTERNAL_IDS as EXTERNAL_IDS
from jido_persistence_conformance._stateful_pools import EXTERNAL_THREAD_IDS as EXTERNAL_THREAD_IDS
from jido_persistence_conformance._stateful_pools import GHOST_ROOM as GHOST_ROOM
from jido_persistence_conformance._stateful_pools import LIMITS as LIMITS
from jido_persistence_conformance._stateful_pools import MESSAGE_IDS as MESSAGE_IDS
from jido_persistence_conformance._stateful_pools import NAME_QUERIES as NAME_QUERIES
from jido_persistence_conformance._stateful_pools import NAMES as NAMES
from jido_persistence_conformance._stateful_pools import ONBOARDING_IDS as ONBOARDING_IDS
from jido_persistence_conformance._stateful_pools import PARTICIPANT_IDS as PARTICIPANT_IDS
from jido_persistence_conformance._stateful_pools import ROOM_IDS as ROOM_IDS
from jido_persistence_conformance._stateful_pools import ROOM_KEYS as ROOM_KEYS
from jido_persistence_conformance._stateful_pools import THREAD_IDS as THREAD_IDS
from jido_persistence_conformance._stateful_pools import TIMESTAMPS as TIMESTAMPS
from jido_persistence_conformance._stateful_pools import TRAP_NAMES as TRAP_NAMES
from jido_persistence_conformance._stateful_probes import _ProbeRules
from jido_persistence_conformance._stateful_retention import _RetentionRules
from jido_persistence_conformance._stateful_rules import _RecordRules
from jido_persistence_conformance.factories import StoreFactory

__all__ = [
    "DEFAULT_SETTINGS",
    "PersistenceComparison",
    "make_state_machine",
    "run_state_machine",
]

DEFAULT_SETTINGS: Final = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
"""25 examples of up to 30 steps: seconds for an in-process adapter."""


class PersistenceComparison(
    _RecordRules, _ProbeRules, _IngestRules, _RetentionRules, _InterchangeRules
):
    """Drives ``factory``'s store and a MemoryAdapter alike; every step must agree.

    Subclass with ``factory`` set (or use :func:`make_state_machine`); set
    ``raw_index_every`` to compare raw indexes after every n-th writing step (``None``,
    the default: every step for non-durable adapters, every 5th for durable ones).  A
    mismatch fails with the callback, its arguments and both outcomes.
    """


def make_state_machine(factory: StoreFactory) -> type[PersistenceComparison]:
    """A :class:`PersistenceComparison` subclass bound to ``factory``.

    ``make_state_machine(factory).TestCase`` is a unittest/pytest test case running it
    with :data:`DEFAULT_SETTINGS`.
    """
    machine = type(
        "PersistenceComparisonOf" + type(factory).__name__,
        (PersistenceComparison,),
        {"factory": factory, "__doc__": PersistenceComparison.__doc__},
    )
    machine.TestCase.settings = DEFAULT_SETTINGS  # type: ignore[attr-defined]
    return machine


def run_state_machine(factory: StoreFactory, *, settings: settings | None = None) -> None:
    """Run the comparison machine on ``factory``'s stores; raise on the first mismatch.

    ``settings`` defaults to :data:`DEFAULT_SETTINGS` (25 examples of up to 30 steps).
    Raises AssertionError (shrunk to a minimal failing sequence of calls) when the
    adapter and the reference disagree.
    """
    run_state_machine_as_test(
        make_state_machine(factory), settings=settings if settings is not None else DEFAULT_SETTINGS
    )
