"""Every ordered pair of bundled adapters: export, import, export is byte-identical (apart
from the header's timestamp), and ``copy --verify`` passes (issue 15's acceptance).

The store is built through the callbacks with every kind of record and key: re-saved
messages, a key held by three messages, thread keys held by two threads, a stale binding
key (a binding of a room that has no record), a stale participant key (its participant
deleted), onboarding flows, an ingress subscription, a bridge config with credentials,
a routing policy, ``None`` and extreme timestamps and type-exact JSON.  PostgreSQL runs
when ``JIDO_PERSISTENCE_TEST_POSTGRES_URL`` names a server (a fresh schema per store).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from jido_persistence import PersistenceAdapter, open_store, registry
from jido_persistence.cli import main
from jido_persistence.copy import copy_store
from jido_persistence.interchange import read_export, write_export
from jido_persistence.models import (
    BridgeConfig,
    IngressSubscription,
    Message,
    ParticipantType,
    Room,
    RoomType,
    RoutingPolicy,
    Thread,
)

ADAPTERS = ("memory", "tinydb", "sqlite", "duckdb", "postgres")
PAIRS = list(itertools.product(ADAPTERS, repeat=2))
T0 = datetime(2024, 1, 1, tzinfo=UTC)
MIN = datetime.min.replace(tzinfo=UTC)
MAX = datetime.max.replace(tzinfo=UTC)

Opener = Callable[[str], tuple[str, PersistenceAdapter]]


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Opener]:
    """``fresh(adapter_name)``: a new empty store of that adapter and its URL."""
    opened: list[tuple[type[PersistenceAdapter], str, PersistenceAdapter]] = []

    def open_fresh(name: str) -> tuple[str, PersistenceAdapter]:
        adapter = registry.get_registry().select(name)[0].load()
        url = adapter.fresh_store_url(tmp_path, f"x{uuid.uuid4().hex[:12]}")
        if url is None:
            pytest.skip(f"{name}: no server configured (JIDO_PERSISTENCE_TEST_POSTGRES_URL)")
        store = open_store(url)
        opened.append((adapter, url, store))
        return url, store

    yield open_fresh
    for adapter, url, store in opened:
        store.close()
        adapter.destroy_store(url)


def _message(message_id: str, **fields: object) -> Message:
    values: dict[str, object] = {"inserted_at": T0, "updated_at": T0, **fields}
    return Message(
        id=message_id,
        room_id="r:1",
        sender_id="p:1",
        role="user",
        **values,  # type: ignore[arg-type]
    )


def populate(store: PersistenceAdapter) -> None:
    """Every kind of record and key, with fixed timestamps (see the module doc)."""
    slack = {"channel": "slack", "bridge_id": 42, "f": 1e16, "z": -0.0, "i": -(2**63)}
    store.save_room(Room(id="r:1", type=RoomType.GROUP, name="Straße", inserted_at=T0))
    store.save_room(Room(id="r:min", type=RoomType.DIRECT, inserted_at=MIN))
    for number in range(3):
        store.save_message(_message(f"m:{number}", external_id="E", metadata=slack))
    store.save_message(_message("m:0", external_id="E", metadata=slack))  # re-saved: newest
    store.save_message(_message("m:none", inserted_at=None, updated_at=None, thread_id="t:1"))
    store.save_message(_message("m:max", inserted_at=MAX, content=[{"type": "x", "v": [1]}]))
    for thread_id in ("t:1", "t:2"):
        store.save_thread(
            Thread(
                id=thread_id,
                room_id="r:1",
                external_thread_id="T",
                root_message_id="m:1",
                inserted_at=T0,
                updated_at=T0,
            )
        )
    store.create_room_binding(
        "r:1", "slack", "42", "C1", {"inserted_at": T0, "id": "bind_0000000000000001"}
    )
    store.create_room_binding(
        "gone", "slack", "42", "C2", {"inserted_at": T0, "id": "bind_0000000000000002"}
    )
    store.get_or_create_participant_by_external_id(
        "slack", "U1", {"type": ParticipantType.AGENT, "id": "p:1"}
    )
    store.get_or_create_participant_by_external_id(
        "slack", "U2", {"type": ParticipantType.HUMAN, "id": "p:2"}
    )
    store.delete_participant("p:2")
    store.save_onboarding({"onboarding_id": "o:1", "steps": [1, 2.5, True, None, "é"]})
    store.save_onboarding({"onboarding_id": "o:2"})
    store.save_bridge_config(
        BridgeConfig(
            id="bc:1", adapter_module="m", credentials={"t": "x"}, inserted_at=T0, updated_at=T0
        )
    )
    store.save_routing_policy(
        RoutingPolicy(room_id="r:1", fallback_order=["b", "a"], inserted_at=T0, updated_at=T0)
    )
    if store.capabilities.ingress_subscriptions:
        store.save_ingress_subscription(
            IngressSubscription(bridge_id="42", subscription_id="s1", adapter_name="slack")
        )


def _body(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")[1:]


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_export_import_export_is_byte_identical(
    source: str, target: str, fresh: Opener, tmp_path: Path
) -> None:
    _, original = fresh(source)
    populate(original)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    write_export(first, original.export_records(), source_adapter=source)
    _, copy = fresh(target)
    with read_export(first) as (_header, records):
        copy.import_records(records)
    write_export(second, copy.export_records(), source_adapter=target)
    assert _body(second) == _body(first)
    assert copy.get_message_by_external_id("slack", "42", "E").id == "m:0"
    copy.delete_message("m:0")
    assert copy.get_message_by_external_id("slack", "42", "E").id == "m:2"


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_copy_verify_passes(source: str, target: str, fresh: Opener) -> None:
    source_url, original = fresh(source)
    populate(original)
    target_url, copy = fresh(target)
    if "memory" in (source, target):  # a memory:// URL opens a new, empty store
        report = copy_store(original, copy, verify=True)
        assert report.verified is True, report.differences
        return
    original.close()
    copy.close()
    result = CliRunner().invoke(main, ["copy", source_url, target_url, "--verify"])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output
