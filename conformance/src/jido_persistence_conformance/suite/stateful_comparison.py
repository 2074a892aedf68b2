"""Stateful comparison: random call sequences agree with the reference adapter.

The hypothesis state machine of :mod:`jido_persistence_conformance.stateful` drives the
adapter under test and a fresh :class:`~jido_persistence.memory.MemoryAdapter` with the
same random sequence of every callback, and compares every result, every error and
(through ``raw_index()`` where offered) the stored keys after every step that wrote.
Where the adapter declares ``enumeration``, a sequence may export the store, import it
into a fresh one and go on there, so imported stores are compared step by step too.
"""

from __future__ import annotations

from typing import Final

from jido_persistence_conformance.factories import StoreFactory

__all__ = ["StatefulComparisonTests"]

KIT_EXAMPLES: Final = 10
"""Sequences per kit run; raise it with ``run_state_machine`` for a deeper search."""

KIT_STEPS: Final = 25
"""Calls per sequence in a kit run."""


class StatefulComparisonTests:
    """The adapter and the reference agree on random sequences of every callback."""

    def test_random_call_sequences_match_the_reference(self, factory: StoreFactory) -> None:
        """Random sequences of every callback give the reference adapter's results and errors.

        Troubleshooting: the failure shows the shortest sequence of calls on which the
        adapter and the in-memory reference disagree, and the first differing result.
        Usual mistakes are interactions that single-rule tests miss: a re-save that
        leaves the old room's or thread's index entry behind, a key that does not fall
        back to the next most recent holder after a delete, a cascade that forgets the
        keys of re-keyed messages, or reads that disagree after a close and reopen.
        When another kit test of the adapter failed first, the sequence is shown
        unshrunk: fix that test's rule first.  To search deeper, call
        ``run_state_machine(factory, settings=...)`` with more ``max_examples`` and
        ``stateful_step_count``.
        """
        from hypothesis import HealthCheck, Phase, settings

        from jido_persistence_conformance._run_control import shrinking
        from jido_persistence_conformance.stateful import run_state_machine

        # Not shrunk after another kit test of this adapter failed (that failure is the
        # readable one) or under --persistence-fast-fail: shrinking can take minutes.
        phases = list(Phase) if shrinking() else [p for p in Phase if p != Phase.shrink]

        run_state_machine(
            factory,
            settings=settings(
                max_examples=KIT_EXAMPLES,
                stateful_step_count=KIT_STEPS,
                deadline=None,
                phases=phases,
                suppress_health_check=[
                    HealthCheck.too_slow,
                    HealthCheck.filter_too_much,
                    HealthCheck.differing_executors,
                ],
            ),
        )
