"""Onboarding flows: verbatim storage, copy semantics, check order (contract 4)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import InvalidArgument, InvalidOnboardingId, NotFound
from jido_persistence.models import new_onboarding_id
from jido_persistence_conformance import strategies
from jido_persistence_conformance._support import canonical, kit_settings, snapshot

__all__ = ["OnboardingTests"]


class OnboardingTests:
    """Onboarding flows are JSON dicts stored and returned verbatim."""

    @kit_settings()
    @given(flow=strategies.onboarding_flows())
    def test_flow_round_trips_exactly(
        self, store: PersistenceAdapter, flow: dict[str, Any]
    ) -> None:
        """``save_onboarding`` returns an equal dict; ``get_onboarding`` gives it back exactly.

        Troubleshooting: the flow is arbitrary JSON with type-exact numbers.  Usual
        mistakes: a ``jsonb`` column, or returning the stored object itself.
        """
        assert store.save_onboarding(flow) == flow
        assert canonical(store.get_onboarding(flow["onboarding_id"])) == canonical(flow)

    def test_store_keeps_its_own_copy(self, store: PersistenceAdapter) -> None:
        """Changing the caller's dict, or a returned dict, never changes the stored flow.

        Troubleshooting: copy on save and on read.  Usual mistake (in-memory
        adapters): keeping a reference to the caller's dict.
        """
        flow: dict[str, Any] = {"onboarding_id": new_onboarding_id(), "steps": [1, {"a": 1}]}
        expected = canonical(flow)
        store.save_onboarding(flow)
        flow["steps"][1]["a"] = 2
        flow["extra"] = True
        got = store.get_onboarding(flow["onboarding_id"])
        assert canonical(got) == expected
        got["steps"].append(3)
        assert canonical(store.get_onboarding(flow["onboarding_id"])) == expected

    def test_save_replaces_and_unknown_is_not_found(self, store: PersistenceAdapter) -> None:
        """A second save replaces the flow; an unknown id raises NotFound("onboarding", id).

        Troubleshooting: flows are upserts by ``onboarding_id``.  Usual mistake:
        merging the old and new flows.
        """
        store.save_onboarding({"onboarding_id": "o:1", "step": 1, "old": True})
        store.save_onboarding({"onboarding_id": "o:1", "step": 2})
        assert store.get_onboarding("o:1") == {"onboarding_id": "o:1", "step": 2}
        with pytest.raises(NotFound) as caught:
            store.get_onboarding("o:missing")
        assert (caught.value.entity, caught.value.key) == ("onboarding", "o:missing")

    def test_checks_run_in_order(self, store: PersistenceAdapter) -> None:
        """Not a mapping: InvalidArgument; bad id: InvalidOnboardingId; bad JSON: InvalidArgument.

        Troubleshooting: the id check comes before the JSON check, so a flow with both
        problems raises InvalidOnboardingId; nothing is stored.  Usual mistakes:
        ``json.dumps`` accepting NaN, tuples or non-str keys, or PostgreSQL refusing a
        NUL after the row was half written.
        """
        before = snapshot(store, onboarding_ids=["o:1"])
        cases: list[tuple[Any, type[Exception]]] = [
            ([("onboarding_id", "o:1")], InvalidArgument),
            ("o:1", InvalidArgument),
            (None, InvalidArgument),
            ({}, InvalidOnboardingId),
            ({"onboarding_id": ""}, InvalidOnboardingId),
            ({"onboarding_id": 1}, InvalidOnboardingId),
            ({"onboarding_id": None, "x": float("nan")}, InvalidOnboardingId),
            ({"onboarding_id": "o:1", "x": float("nan")}, InvalidArgument),
            ({"onboarding_id": "o:1", "x": float("inf")}, InvalidArgument),
            ({"onboarding_id": "o:1", "x": 2**63}, InvalidArgument),
            ({"onboarding_id": "o:1", "x": (1, 2)}, InvalidArgument),
            ({"onboarding_id": "o:1", "x": {1: "a"}}, InvalidArgument),
            ({"onboarding_id": "o:1", "x": "a\x00b"}, InvalidArgument),
            ({"onboarding_id": "o:1", "x\ud800": 1}, InvalidArgument),
            ({"onboarding_id": "o:1", "x": object()}, InvalidArgument),
        ]
        for flow, error in cases:
            with pytest.raises(error) as caught:
                store.save_onboarding(flow)
            if error is InvalidArgument:
                assert not isinstance(caught.value, InvalidOnboardingId), flow
        assert snapshot(store, onboarding_ids=["o:1"]) == before
