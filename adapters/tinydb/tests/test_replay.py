"""Replay is exact: what is on disk (snapshot + journal) rebuilds the live state.

Random sequences of writes with tiny compaction thresholds (so snapshots and journal
tails mix) are checked against a reload from the files after every run, and the kit's
comparison machine runs against the reference adapter with reopens in between.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jido_persistence.memory import MemoryAdapter
from jido_persistence_conformance import UrlStoreFactory
from jido_persistence_conformance import strategies as kit
from jido_persistence_conformance.stateful import run_state_machine
from jido_persistence_tinydb import TinyDBAdapter
from jido_persistence_tinydb._files import load_store

ROOMS = ["r1", "r2"]
MESSAGES = ["m1", "m2", "m3", "m4"]
THREADS = ["t1", "t2"]
SMALL = {"compact_min_bytes": 1500, "compact_ratio": 0.2}

_operations = st.one_of(
    st.tuples(
        st.just("save_message"),
        kit.messages(
            room_ids=ROOMS,
            message_ids=MESSAGES,
            thread_ids=THREADS,
            channels=["slack"],
            bridge_ids=["b", 1],
            external_ids=["x", "y"],
        ),
    ),
    st.tuples(
        st.just("save_thread"),
        kit.threads(
            room_ids=ROOMS, thread_ids=THREADS, external_thread_ids=["e"], root_message_ids=MESSAGES
        ),
    ),
    st.tuples(st.just("save_room"), kit.rooms(room_ids=ROOMS)),
    st.tuples(st.just("delete_message"), st.sampled_from(MESSAGES)),
    st.tuples(st.just("delete_room"), st.sampled_from(ROOMS)),
    st.tuples(st.just("update_message_external_id"), st.sampled_from(MESSAGES)),
    st.tuples(st.just("create_room_binding"), st.sampled_from(ROOMS)),
    st.tuples(st.just("get_or_create_participant_by_external_id"), st.sampled_from(["u1", "u2"])),
    st.tuples(st.just("save_onboarding"), kit.json_objects()),
    st.tuples(
        st.just("save_message"),
        kit.messages(room_ids=ROOMS, message_ids=MESSAGES, thread_ids=THREADS).map(
            lambda message: message.model_copy(update={"sender_id": "p-u1"})
        ),
    ),
    st.tuples(
        st.just("delete_messages"),
        st.tuples(
            st.sampled_from(ROOMS), kit.edge_datetimes(), st.none() | st.sampled_from(THREADS)
        ),
    ),
    st.tuples(
        st.just("erase_participant"),
        st.tuples(st.sampled_from(["p-u1", "p-u2"]), st.sampled_from(["delete", "redact"])),
    ),
    st.tuples(st.just("delete_onboarding"), st.just("flow")),
)


def _apply(store: Any, operation: tuple[str, Any]) -> str:
    name, argument = operation
    try:
        if name == "update_message_external_id":
            result = store.update_message_external_id(argument, "z")
        elif name == "create_room_binding":
            result = store.create_room_binding(argument, "slack", "b", "C")
        elif name == "get_or_create_participant_by_external_id":
            result = store.get_or_create_participant_by_external_id(
                "slack", argument, {"type": "human", "id": f"p-{argument}"}
            )
            result = result.id
        elif name == "delete_messages":
            room_id, cut, thread_id = argument
            result = store.delete_messages(room_id, before=cut, thread_id=thread_id)
        elif name == "erase_participant":
            result = store.erase_participant(argument[0], messages=argument[1])
        elif name == "save_onboarding":
            result = store.save_onboarding({**argument, "onboarding_id": "flow"})
        else:
            result = getattr(store, name)(argument)
    except Exception as error:  # both stores must fail alike
        return type(error).__name__
    if hasattr(result, "model_dump"):
        result = result.model_dump(mode="json", exclude={"id", "inserted_at"})
    return json.dumps(result, sort_keys=True)


def _everything(store: Any) -> str:
    pages = {
        room: [m.model_dump(mode="json") for m in store.get_messages(room, limit=100)]
        for room in ROOMS
    }
    threads = {
        room: [t.model_dump(mode="json") for t in store.list_threads(room)] for room in ROOMS
    }
    keys = {}
    for key in (("slack", "b", "x"), ("slack", "1", "y"), ("slack", "b", "z")):
        try:
            keys[str(key)] = store.get_message_by_external_id(*key).id
        except LookupError:
            keys[str(key)] = None
    index = store.raw_index()
    return json.dumps(
        {
            "rooms": [r.model_dump(mode="json") for r in store.list_rooms()],
            "pages": pages,
            "threads": threads,
            "keys": keys,
            "raw": {name: sorted(map(str, value.items())) for name, value in index.items()},
        },
        sort_keys=True,
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=st.lists(_operations, max_size=25), reopen_at=st.integers(0, 25))
def test_the_files_rebuild_the_live_state_exactly(
    operations: list[tuple[str, Any]], reopen_at: int
) -> None:
    """After any run the state reloaded from disk equals the live one, as does MemoryAdapter."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "store.json"
        store = TinyDBAdapter(path=path, durability="flush", **SMALL)
        reference = MemoryAdapter()
        try:
            for step, operation in enumerate(operations):
                if step == reopen_at:
                    store.close()
                    store = TinyDBAdapter(path=path, durability="flush", **SMALL)
                assert _apply(store, operation) == _apply(reference, operation), operation
            store._files.wait()  # the files are read without the store's lock here
            loaded = load_store(path).state
            assert loaded.docs == store._state.docs
            assert loaded.sender_messages == store._state.sender_messages
            assert _everything(store) == _everything(reference)
            store.close()
            store = TinyDBAdapter(path=path, compact_on_close=False)
            assert _everything(store) == _everything(reference)
        finally:
            store.close()


def test_tinydb_matches_the_reference_machine(tmp_path: Path) -> None:
    """The kit's comparison machine, with compactions and reopens mixed in."""
    run_state_machine(
        UrlStoreFactory(
            "tinydb:////{tmp}/store.json?compact_min_bytes=2000&compact_ratio=0.3&durability=flush",
            tmp_path,
        )
    )
