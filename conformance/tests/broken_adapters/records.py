"""Seeded bugs in onboarding flows (copies, type-exact JSON)."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from jido_persistence.errors import NotFound
from jido_persistence.memory import MemoryAdapter


class OnboardingByReference(MemoryAdapter):
    """``get_onboarding`` hands out the stored dict itself: callers' edits leak in."""

    seeded_bug = "onboarding stored by reference"
    expected_area: ClassVar[str] = "onboarding"
    keeps_python_objects = False  # it does not ask the guard for copies either

    def _get_onboarding(self, onboarding_id: str) -> dict[str, Any]:
        with self._lock:
            try:
                return self._state.onboarding[onboarding_id]
            except KeyError:
                raise NotFound("onboarding", onboarding_id) from None


def _lossy(value: Any) -> Any:
    """What a number-typed JSON column does: integral floats come back as ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_lossy(item) for item in value]
    if isinstance(value, dict):
        return {key: _lossy(item) for key, item in value.items()}
    return value


class LossyJsonNumbers(MemoryAdapter):
    """Flows go through a lossy number conversion: ``1e16`` and ``-0.0`` become ints."""

    seeded_bug = "JSON floats not type-exact (1e16, -0.0 become ints)"
    expected_area: ClassVar[str] = "onboarding"

    def _save_onboarding(self, flow: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._state.onboarding[flow["onboarding_id"]] = _lossy(copy.deepcopy(dict(flow)))
            return dict(flow)
