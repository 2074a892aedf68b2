"""Helpers the suite modules share: canonical forms, snapshots, capability markers.

Not part of the public API; adapter authors use the fixtures of
:class:`~jido_persistence_conformance.AdapterConformance` instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, Final, TypeVar

import pytest
from pydantic import BaseModel

from jido_persistence.adapter import PersistenceAdapter, SupportsRawIndex
from jido_persistence.callbacks import CALLBACKS, Group
from jido_persistence.errors import NotFound

__all__ = [
    "HUGE",
    "INGRESS_SKIP_REASON",
    "assert_raw_index_matches",
    "burst_then_kill",
    "call_optional",
    "canonical",
    "canonical_all",
    "capability",
    "has_ingress",
    "ids",
    "kit_settings",
    "message",
    "populate_everything",
    "raw_index_or_none",
    "require_ingress",
    "requires_ingress",
    "run_child",
    "snapshot",
    "unique_id",
]

HUGE: Final = 2**63 - 1
"""The largest valid limit."""

INGRESS_SKIP_REASON: Final = (
    "adapter does not implement the optional ingress-subscription callbacks"
)
"""The exact skip reason of the ingress tests on adapters without the optional trio."""

CAPABILITY_MARK: Final = "persistence_capability"
"""Marker name: ``@capability("durable")`` runs a test only for adapters declaring it."""

ModelT = TypeVar("ModelT", bound=BaseModel)


def capability(name: str, value: bool = True) -> pytest.MarkDecorator:
    """Mark a test as applicable only when ``store.capabilities.<name> == value``.

    The ``--persistence-url`` path deselects inapplicable tests at collection (the JSON
    report lists them as ``not_applicable``); the subclassing path reports them as
    ``not applicable`` at run time.
    """
    mark: pytest.MarkDecorator = getattr(pytest.mark, CAPABILITY_MARK)(name, value)
    return mark


INGRESS_MARK: Final = "persistence_requires_ingress"
"""Marker name: the test needs the optional ingress trio (skipped, with the contract's
reason, on adapters without it)."""

requires_ingress: Final[pytest.MarkDecorator] = getattr(pytest.mark, INGRESS_MARK)
"""Decorator form of :data:`INGRESS_MARK`."""


def canonical(value: BaseModel | Any) -> str:
    """The type-exact canonical JSON of a model or JSON value (sorted keys).

    ``==`` on models says ``1 == 1.0 == True``; this does not.
    """
    data = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def canonical_all(values: Iterable[BaseModel | Any]) -> list[str]:
    """:func:`canonical` of each value, order kept."""
    return [canonical(value) for value in values]


def ids(records: Iterable[Any]) -> list[str]:
    """The ``id`` of each record, order kept."""
    return [record.id for record in records]


def has_ingress(store: PersistenceAdapter) -> bool:
    """Whether the store declares the optional ingress-subscription trio."""
    return store.capabilities.ingress_subscriptions


def require_ingress(store: PersistenceAdapter) -> None:
    """Skip the running test, with the contract's reason, when the trio is absent."""
    if not has_ingress(store):
        pytest.skip(INGRESS_SKIP_REASON)


def raw_index_or_none(store: PersistenceAdapter) -> dict[str, Any] | None:
    """The store's raw index (the back door) when it offers one, else None."""
    if isinstance(store, SupportsRawIndex):
        return dict(store.raw_index())
    return None


def _all_messages(store: PersistenceAdapter, room_id: str) -> list[str]:
    return canonical_all(store.get_messages(room_id, limit=HUGE))


def snapshot(
    store: PersistenceAdapter,
    *,
    room_ids: Sequence[str] = (),
    participant_ids: Sequence[str] = (),
    message_ids: Sequence[str] = (),
    thread_ids: Sequence[str] = (),
    onboarding_ids: Sequence[str] = (),
    bridge_ids: Sequence[str] = (),
    binding_keys: Sequence[tuple[str, str, str]] = (),
    message_keys: Sequence[tuple[str, str, str]] = (),
    raw: bool = True,
) -> dict[str, Any]:
    """Everything the callbacks show of the store, plus the raw index when offered.

    Enumerates rooms (``list_rooms``), every room's messages, threads, bindings and
    routing policy, participants (``directory_search``), bridge configs, and the
    given extra ids and keys (which no listing callback reaches: onboarding flows,
    ingress subscriptions of ``bridge_ids``, messages of rooms that do not exist).
    """
    result: dict[str, Any] = {}
    rooms = store.list_rooms(limit=HUGE)
    result["rooms"] = canonical_all(rooms)
    every_room = sorted({room.id for room in rooms} | set(room_ids))
    for room_id in every_room:
        result[f"messages:{room_id}"] = _all_messages(store, room_id)
        result[f"threads:{room_id}"] = canonical_all(store.list_threads(room_id, limit=HUGE))
        result[f"bindings:{room_id}"] = canonical_all(store.list_room_bindings(room_id))
        result[f"policy:{room_id}"] = _get_or_none(partial(store.get_routing_policy, room_id))
    result["participants"] = canonical_all(store.directory_search("participant", {}))
    result["room_directory"] = canonical_all(store.directory_search("room", {}))
    for participant_id in participant_ids:
        result[f"participant:{participant_id}"] = _get_or_none(
            partial(store.get_participant, participant_id)
        )
    for message_id in message_ids:
        result[f"message:{message_id}"] = _get_or_none(partial(store.get_message, message_id))
    for thread_id in thread_ids:
        result[f"thread:{thread_id}"] = _get_or_none(partial(store.get_thread, thread_id))
    for onboarding_id in onboarding_ids:
        result[f"onboarding:{onboarding_id}"] = _get_or_none(
            partial(store.get_onboarding, onboarding_id)
        )
    for key in binding_keys:
        result[f"binding_key:{key}"] = _get_or_none(
            partial(store.get_room_by_external_binding, *key)
        )
    for key in message_keys:
        result[f"message_key:{key}"] = _get_or_none(partial(store.get_message_by_external_id, *key))
    result["bridge_configs"] = canonical_all(store.list_bridge_configs())
    if has_ingress(store):
        for bridge_id in bridge_ids:
            result[f"ingress:{bridge_id}"] = canonical_all(
                store.list_ingress_subscriptions(bridge_id)
            )
    index = raw_index_or_none(store) if raw else None
    if index is not None:
        result["raw_index"] = {
            name: sorted(map(repr, value.items())) for name, value in index.items()
        }
    return result


def assert_raw_index_matches(store: PersistenceAdapter, reference: PersistenceAdapter) -> None:
    """When ``store`` offers ``raw_index()``, its keys equal the reference's.

    Row counts are compared for the tables both name (adapters may name theirs
    differently or count more tables).
    """
    mine = raw_index_or_none(store)
    theirs = raw_index_or_none(reference)
    if mine is None or theirs is None:
        return
    for name in (
        "room_binding_keys",
        "participant_keys",
        "message_keys",
        "thread_external_keys",
        "thread_root_keys",
    ):
        assert dict(mine[name]) == dict(theirs[name]), f"raw_index()[{name!r}] differs"
    counts, expected = mine["row_counts"], theirs["row_counts"]
    shared = sorted(set(counts) & set(expected))
    assert {n: counts[n] for n in shared} == {n: expected[n] for n in shared}


def _get_or_none(read: Callable[[], Any]) -> str | None:
    try:
        return canonical(read())
    except NotFound:
        return None


def call_optional(store: PersistenceAdapter, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call an optional callback by name (used by the NotSupported check)."""
    if name not in CALLBACKS or CALLBACKS[name].group is Group.REQUIRED:
        raise ValueError(f"{name} is not an optional callback")
    return getattr(store, name)(*args, **kwargs)


def kit_settings(max_examples: int = 25) -> Callable[[Any], Any]:
    """Hypothesis settings for kit properties: bounded, no deadline, shared store allowed.

    The kit's property tests reuse the function-scoped ``store`` across examples (a
    fresh file or schema per example would make file-backed runs take minutes); each
    property is written to hold whatever earlier examples stored.
    """
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.differing_executors,
        ],
    )


def message(
    message_id: str,
    room_id: str = "room:1",
    inserted_at: Any = None,
    **fields: Any,
) -> Any:
    """A ``Message`` with explicit id, room and ``inserted_at``/``updated_at``."""
    from jido_persistence.models import Message, MessageRole

    fields.setdefault("sender_id", "p:1")
    fields.setdefault("role", MessageRole.USER)
    fields.setdefault("updated_at", inserted_at)
    return Message(id=message_id, room_id=room_id, inserted_at=inserted_at, **fields)


def unique_id(prefix: str) -> str:
    """A fresh id, so property examples sharing one store do not collide."""
    import uuid

    return f"{prefix}:{uuid.uuid4().hex[:12]}"


def run_child(mode: str, url: str, *args: str, timeout: float = 120.0) -> list[str]:
    """Run ``_child`` in MODE on URL (with ARGS) to completion; return its stdout lines.

    Raises AssertionError (with the child's stderr) when it exits non-zero.
    """
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "jido_persistence_conformance._child", mode, url, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"child {mode} failed ({done.returncode}):\n{done.stderr[-3000:]}"
    return done.stdout.splitlines()


def burst_then_kill(url: str, acknowledged: int) -> tuple[list[str], str]:
    """Run ``_child burst`` on URL and SIGKILL it once it acknowledged ``acknowledged``
    writes; return the acknowledged message ids (possibly fewer, when the writer died
    early) and the writer's stderr."""
    import os
    import signal
    import subprocess
    import sys

    child = subprocess.Popen(
        [sys.executable, "-m", "jido_persistence_conformance._child", "burst", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ids: list[str] = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            ids.append(line.strip())
            if len(ids) >= acknowledged:
                break
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        _, errors = child.communicate(timeout=60)
    return ids, errors


def populate_everything(store: PersistenceAdapter) -> dict[str, Any]:
    """Store a little of every record type; return the ``snapshot`` keyword arguments."""
    from datetime import UTC, datetime

    from jido_persistence.models import (
        BridgeConfig,
        IngressSubscription,
        Participant,
        ParticipantType,
        Room,
        RoomType,
        RoutingPolicy,
        Thread,
    )

    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    slack = {"channel": "slack", "bridge_id": 42}
    store.save_room(
        Room(id="room:1", type=RoomType.GROUP, name="Straße", metadata={"f": 1e16, "z": -0.0})
    )
    store.save_room(
        Room(id="room:min", type=RoomType.DIRECT, inserted_at=datetime.min.replace(tzinfo=UTC))
    )
    store.save_participant(
        Participant(id="p:1", type=ParticipantType.HUMAN, identity={"name": "Ann"})
    )
    store.save_message(message("m:1", inserted_at=t0, external_id="E1", metadata=slack))
    store.save_message(message("m:2", inserted_at=None, thread_id="t:1"))
    store.save_thread(
        Thread(id="t:1", room_id="room:1", external_thread_id="T", root_message_id="m:1")
    )
    store.create_room_binding("room:1", "slack", "42", "C1")
    store.get_or_create_room_by_external_binding(
        "slack", "42", "C2", {"type": "channel", "id": "room:2"}
    )
    store.get_or_create_participant_by_external_id("slack", "U1", {"type": "agent", "id": "p:2"})
    store.save_onboarding({"onboarding_id": "o:1", "steps": [1, 2.5, True, None]})
    store.save_bridge_config(BridgeConfig(id="bc:1", adapter_module="m", credentials={"t": "x"}))
    store.save_routing_policy(RoutingPolicy(room_id="room:1", fallback_order=["b", "a"]))
    if has_ingress(store):
        store.save_ingress_subscription(
            IngressSubscription(bridge_id="42", subscription_id="s1", adapter_name="slack")
        )
    return {
        "room_ids": ["room:1", "room:2", "room:min"],
        "participant_ids": ["p:1", "p:2"],
        "message_ids": ["m:1", "m:2"],
        "thread_ids": ["t:1"],
        "onboarding_ids": ["o:1"],
        "bridge_ids": ["42"],
        "binding_keys": [("slack", "42", "C1"), ("slack", "42", "C2")],
        "message_keys": [("slack", "42", "E1")],
    }
