"""Canonical outcomes: how the comparison machine turns a call into comparable text.

A callback's result, or its error, becomes type-exact canonical JSON: same class for
errors, same ``entity``/``key`` for NotFound, same matches for AmbiguousLookup.
Binding records that ``get_or_create_room_by_external_binding`` creates get ids and
timestamps of their own in each store, so they are masked and ordered by natural key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from pydantic import BaseModel

from jido_persistence.errors import AmbiguousLookup, NotFound
from jido_persistence.models import RoomBinding
from jido_persistence_conformance._stateful_pools import BINDING_IDS

_GENERATED: Final = "<generated>"


def _canonical(value: Any) -> Any:
    """A JSON-ready form of a callback result; generated binding ids are masked."""
    if isinstance(value, RoomBinding) and value.id not in BINDING_IDS:
        data = value.model_dump(mode="json")
        data["id"] = data["inserted_at"] = _GENERATED
        return data
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    return value


def _sort_generated_runs(value: Any) -> Any:
    """Order runs of generated bindings by natural key (their ids are random ties)."""
    if not isinstance(value, list):
        return value
    out: list[Any] = []
    run: list[Any] = []
    for item in [*value, None]:
        if isinstance(item, dict) and item.get("id") == _GENERATED:
            run.append(item)
            continue
        out.extend(sorted(run, key=lambda b: json.dumps(b, sort_keys=True)))
        run = []
        if item is not None:
            out.append(item)
    return out


def _outcome(call: Callable[[], Any]) -> str:
    """Run ``call``; return the canonical JSON of its result or of its error."""
    try:
        result = call()
    except Exception as error:  # every error is compared, unexpected ones included
        described: dict[str, Any] = {"error": f"{type(error).__module__}.{type(error).__name__}"}
        if isinstance(error, NotFound):
            described.update(entity=error.entity, key=_canonical(error.key))
        if isinstance(error, AmbiguousLookup):
            described.update(matches=_canonical(error.matches), truncated=error.truncated)
        return json.dumps(described, sort_keys=True)
    return json.dumps({"result": _sort_generated_runs(_canonical(result))}, sort_keys=True)


def _clip(text: str, size: int = 2000) -> str:
    return text if len(text) <= size else text[:size] + f"... ({len(text)} chars)"


def _mutate(flow: Any) -> None:
    """Change an onboarding flow in place, at the top level and one level down."""
    if isinstance(flow, dict):
        for value in flow.values():
            if isinstance(value, dict):
                value["__mutated__"] = True
            elif isinstance(value, list):
                value.append("__mutated__")
        flow["__mutated__"] = True
