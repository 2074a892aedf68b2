"""``examples/bridge.py`` is idempotent: a second run of the same events leaves the store
exactly as the first left it.

The store is compared through a dump of every read callback (every room, message,
thread, binding, participant, onboarding flow, config and policy, each key and what it
resolves to) and, where the adapter offers it, the raw index read from the backend.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from jido_persistence import NotFound, PersistenceAdapter, open_store
from jido_persistence.adapter import SupportsRawIndex
from jido_persistence.validation import message_external_key
from jido_persistence_conformance.factories import UrlStoreFactory

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ALL = 2**63 - 1


def _json(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_json(item) for item in value]
    return value


def _or_missing(read: Callable[[], Any]) -> Any:
    try:
        return _json(read())
    except NotFound as error:
        return {"not_found": error.entity}


def _walk(lister: Callable[..., list[Any]]) -> list[Any]:
    """Every record of an enumeration, paged by two with ``after=``."""
    seen: list[Any] = []
    after = None
    while page := lister(limit=2, after=after):
        seen.extend(page)
        last = page[-1]
        after = last["onboarding_id"] if isinstance(last, dict) else last.id
    return seen


def dump(store: PersistenceAdapter) -> str:
    """Everything every read callback says about the store, as canonical JSON."""
    out: dict[str, Any] = {}
    rooms = _walk(store.list_rooms)
    out["list_rooms"] = _json(rooms)
    out["list_participants"] = _json(_walk(store.list_participants))
    out["list_onboardings"] = _walk(store.list_onboardings)
    out["directory"] = [_json(store.directory_search(t, {})) for t in ("participant", "room")]
    out["list_bridge_configs"] = _json(store.list_bridge_configs())
    out["bridge_configs"] = [
        _or_missing(lambda c=config: store.get_bridge_config(c.id))
        for config in store.list_bridge_configs()
    ]
    for participant in store.list_participants(limit=ALL):
        out[f"participant:{participant.id}"] = _json(store.get_participant(participant.id))
    for room in rooms:
        rid = room.id
        out[f"room:{rid}"] = _json(store.get_room(rid))
        out[f"policy:{rid}"] = _or_missing(lambda r=rid: store.get_routing_policy(r))
        messages = store.get_messages(rid, limit=ALL)
        out[f"messages:{rid}"] = _json(messages)
        for message in messages:
            out[f"message:{message.id}"] = _json(store.get_message(message.id))
            key = message_external_key(message)
            if key is not None:
                out[f"message_key:{key}"] = _or_missing(
                    lambda k=key: store.get_message_by_external_id(*k)
                )
        threads = _walk(lambda r=rid, **kw: store.list_threads(r, **kw))
        out[f"threads:{rid}"] = _json(threads)
        for thread in threads:
            out[f"thread:{thread.id}"] = _json(store.get_thread(thread.id))
            out[f"thread_messages:{thread.id}"] = _json(
                store.get_messages(rid, limit=ALL, thread_id=thread.id)
            )
            if thread.external_thread_id is not None:
                out[f"thread_key:{thread.id}"] = _or_missing(
                    lambda r=rid, t=thread: store.get_thread_by_external_id(r, t.external_thread_id)
                )
        bindings = store.list_room_bindings(rid)
        out[f"bindings:{rid}"] = _json(bindings)
        for binding in bindings:
            key = (binding.channel, binding.bridge_id, binding.external_room_id)
            out[f"binding_key:{key}"] = _or_missing(
                lambda k=key: store.get_room_by_external_binding(*k)
            )
    if isinstance(store, SupportsRawIndex):
        out["raw_index"] = {
            name: sorted(map(repr, value.items())) for name, value in store.raw_index().items()
        }
    return json.dumps(out, sort_keys=True, ensure_ascii=False)


def _run_bridge(url: str) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "bridge.py"), url],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(params=["tinydb", "duckdb", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh store URL of each durable bundled adapter (PostgreSQL when configured)."""
    factory = UrlStoreFactory(request.param, tmp_path)
    if request.param == "postgres" and not os.environ.get("JIDO_PERSISTENCE_TEST_POSTGRES_URL"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true needs JIDO_PERSISTENCE_TEST_POSTGRES_URL for the examples")
        pytest.skip("set JIDO_PERSISTENCE_TEST_POSTGRES_URL to run the bridge on PostgreSQL")
    try:
        store = factory.create()
        url = factory.url_for(store)
        store.close()
        assert url is not None
        yield url
    finally:
        factory.cleanup()


def test_the_bridge_run_twice_leaves_the_store_unchanged(store_url: str) -> None:
    first = _run_bridge(store_url)
    assert "7 events: 5 new, 2 re-delivered, 5 echoes ignored" in first
    with open_store(store_url) as store:
        after_first = dump(store)
        rooms = store.list_rooms(limit=ALL)
        assert len(rooms) == 1
        messages = store.get_messages(rooms[0].id, limit=ALL)
        assert len(messages) == 10
        assert len({message_external_key(message) for message in messages}) == 10
        assert [thread.external_thread_id for thread in store.list_threads(rooms[0].id)] == [
            "1700.0001"
        ]
    second = _run_bridge(store_url)
    assert "7 events: 0 new, 7 re-delivered, 0 echoes ignored" in second
    with open_store(store_url) as store:
        assert dump(store) == after_first


def test_the_bridge_in_process_on_the_memory_adapter() -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import bridge  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(EXAMPLES))
    with open_store("memory://") as store:
        assert bridge.run_bridge(store) == {"events": 7, "new": 5, "repeats": 2, "echoes": 5}
        before = dump(store)
        assert bridge.run_bridge(store) == {"events": 7, "new": 0, "repeats": 7, "echoes": 0}
        assert dump(store) == before
