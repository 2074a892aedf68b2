"""Round trip: export, import into a fresh store, and every read answers alike (contract 9.2).

Hypothesis builds a history on a store of the adapter under test: re-saves, keys held by
several messages and threads, stale binding and participant keys (a binding to a room
that does not exist, a participant deleted behind its key), moved and re-keyed messages,
onboarding flows, ingress subscriptions, bridge configs and routing policies.  The
store's ``export_records()`` is imported into a second, fresh store of the same adapter;
then every read callback must answer on the copy exactly as on the original (all the
listings, every id and key the history used, the raw index when offered), and the
copy's export must equal the original's, line for line.  Finally the resolving holder
of every message and thread key is deleted on both and the answers compared again, so
the fall-back order ("the next most recently saved holder") is checked too.  The tests
run on stores declaring ``capabilities.enumeration``.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from functools import partial
from typing import Any, Final

from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import InvalidArgument, NotFound
from jido_persistence.interchange import encode_record
from jido_persistence.models import (
    BridgeConfig,
    IngressSubscription,
    Message,
    MessageRole,
    Participant,
    ParticipantType,
    Room,
    RoomType,
)
from jido_persistence_conformance._model_strategies import (
    bridge_configs,
    messages,
    onboarding_flows,
    participants,
    rooms,
    routing_policies,
    threads,
)
from jido_persistence_conformance._support import (
    canonical,
    canonical_all,
    capability,
    has_ingress,
    kit_settings,
    snapshot,
)
from jido_persistence_conformance.factories import StoreFactory

__all__ = ["RoundTripTests", "apply_step", "histories", "read_answers"]

ROOMS: Final = ("r:1", "r:2", "gone")
MESSAGES: Final = ("m:1", "m:2", "m:3", "m:4")
THREADS: Final = ("t:1", "t:2", "t:3")
EXTERNAL: Final = ("E1", "E2")
BRIDGES: Final = ("b1", "b2")
PARTICIPANTS: Final = ("p:1", "p:2")
ONBOARDING: Final = ("o:1", "o:2")
CONFIGS: Final = ("bc:1",)
SUBSCRIPTIONS: Final = ("s1", "s2")
T_EARLY: Final = datetime(2024, 1, 1, tzinfo=UTC)
T_LATE: Final = datetime(2024, 6, 1, tzinfo=UTC)

Step = tuple[str, Any]

_steps: st.SearchStrategy[Step] = st.one_of(
    st.tuples(st.just("save_room"), rooms(room_ids=ROOMS[:2])),
    st.tuples(
        st.just("save_message"),
        messages(
            room_ids=ROOMS,
            message_ids=MESSAGES,
            thread_ids=THREADS[:2],
            channels=("slack",),
            bridge_ids=BRIDGES,
            external_ids=EXTERNAL,
        ),
    ),
    st.tuples(st.just("delete_message"), st.sampled_from(MESSAGES)),
    st.tuples(
        st.just("update_message_external_id"),
        st.tuples(st.sampled_from(MESSAGES), st.sampled_from(EXTERNAL)),
    ),
    st.tuples(
        st.just("save_thread"),
        threads(
            room_ids=ROOMS[:2],
            thread_ids=THREADS,
            external_thread_ids=("X", "Y"),
            root_message_ids=MESSAGES[:2],
        ),
    ),
    st.tuples(
        st.just("create_room_binding"),
        st.tuples(st.sampled_from(ROOMS), st.sampled_from(BRIDGES), st.sampled_from(EXTERNAL)),
    ),
    st.tuples(st.just("delete_room"), st.sampled_from(ROOMS)),
    st.tuples(st.just("participant_key"), st.tuples(st.sampled_from(PARTICIPANTS), st.booleans())),
    st.tuples(st.just("save_participant"), participants(participant_ids=PARTICIPANTS)),
    st.tuples(st.just("save_onboarding"), onboarding_flows(onboarding_ids=ONBOARDING)),
    st.tuples(st.just("save_bridge_config"), bridge_configs(config_ids=CONFIGS)),
    st.tuples(st.just("save_routing_policy"), routing_policies(room_ids=ROOMS)),
    st.tuples(
        st.just("save_ingress_subscription"),
        st.tuples(st.sampled_from(BRIDGES), st.sampled_from(SUBSCRIPTIONS)),
    ),
)

histories: st.SearchStrategy[list[Step]] = st.lists(_steps, min_size=1, max_size=25)
"""Histories of writes (``(callback, argument)`` steps) for :func:`apply_step`."""


def apply_step(store: PersistenceAdapter, step: Step) -> None:
    """Run one step of a history on ``store``."""
    name, value = step
    if name == "update_message_external_id":
        with contextlib.suppress(NotFound):  # the message may have been deleted
            store.update_message_external_id(*value)
    elif name == "create_room_binding":
        room_id, bridge_id, external_id = value
        store.create_room_binding(room_id, "slack", bridge_id, external_id)
    elif name == "participant_key":
        participant_id, delete = value
        attrs = {"id": participant_id, "type": ParticipantType.HUMAN}
        store.get_or_create_participant_by_external_id("slack", "U:" + participant_id, attrs)
        if delete:  # the key is left behind: a stale participant key
            store.delete_participant(participant_id)
    elif name == "save_ingress_subscription":
        if has_ingress(store):
            bridge_id, subscription_id = value
            store.save_ingress_subscription(
                IngressSubscription(
                    bridge_id=bridge_id, subscription_id=subscription_id, adapter_name="a"
                )
            )
    else:
        getattr(store, name)(value)


def read_answers(store: PersistenceAdapter) -> dict[str, Any]:
    """Everything the read callbacks answer about the ids and keys histories use."""
    result = snapshot(
        store,
        room_ids=ROOMS,
        participant_ids=PARTICIPANTS,
        message_ids=MESSAGES,
        thread_ids=THREADS,
        onboarding_ids=ONBOARDING,
        bridge_ids=BRIDGES,
        binding_keys=[("slack", bridge, external) for bridge in BRIDGES for external in EXTERNAL],
        message_keys=[("slack", bridge, external) for bridge in BRIDGES for external in EXTERNAL],
    )
    for room_id in ROOMS:
        for value in ("X", "Y"):
            result[f"thread_key:{room_id}:{value}"] = _maybe(
                partial(store.get_thread_by_external_id, room_id, value)
            )
        for message_id in MESSAGES[:2]:
            result[f"thread_root:{room_id}:{message_id}"] = _maybe(
                partial(store.get_thread_by_root_message, room_id, message_id)
            )
        for limit in (1, 2):
            result[f"page:{room_id}:{limit}"] = canonical_all(
                store.get_messages(room_id, limit=limit)
            )
    for participant_id in PARTICIPANTS:
        result[f"participant_key:{participant_id}"] = _maybe(
            partial(
                store.get_or_create_participant_by_external_id,
                "slack",
                "U:" + participant_id,
                {},  # no type: returns a live holder, or raises having created nothing
            )
        )
    result["list_participants"] = canonical_all(store.list_participants(limit=100))
    result["list_onboardings"] = canonical_all(store.list_onboardings(limit=100))
    result["bridge_config"] = [_maybe(partial(store.get_bridge_config, key)) for key in CONFIGS]
    return result


def _maybe(read: Any) -> str | None:
    try:
        return canonical(read())
    except (NotFound, InvalidArgument):
        return None


def _lines(store: PersistenceAdapter) -> list[bytes]:
    return [encode_record(record) for record in store.export_records()]


def _drop_key_holders(store: PersistenceAdapter) -> None:
    """Delete the message each message key resolves to, so the keys fall back (threads
    have no delete callback; their keys fall back when a room is deleted, which histories
    do)."""
    for bridge in BRIDGES:
        for external in EXTERNAL:
            with contextlib.suppress(NotFound):
                store.delete_message(store.get_message_by_external_id("slack", bridge, external).id)


class RoundTripTests:
    """Export, import into a fresh store of the adapter, compare every read."""

    @capability("enumeration")
    # Not shrunk: every example opens two fresh stores (schemas, files), so shrinking a
    # failure on a server adapter would take minutes; the failing history is printed.
    @settings(
        kit_settings(max_examples=8),  # type: ignore[arg-type]
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
    )
    @given(history=histories)
    def test_an_imported_store_answers_every_read_as_the_original(
        self, factory: StoreFactory, history: list[Step]
    ) -> None:
        """Contract 9.2: every read callback answers on the import as on the original,
        key resolution, fall-back order and stale keys included; and its export is the
        same, line for line."""
        with factory.create() as original, factory.create() as copy:
            for step in history:
                apply_step(original, step)
            report = copy.import_records(original.export_records())
            exported = _lines(original)
            assert report.records == len(exported)
            assert _lines(copy) == exported
            assert read_answers(copy) == read_answers(original)
            _drop_key_holders(original)
            _drop_key_holders(copy)
            assert read_answers(copy) == read_answers(original), "keys fall back differently"

    @capability("enumeration")
    def test_a_key_held_by_several_messages_resolves_and_falls_back_as_before(
        self, factory: StoreFactory
    ) -> None:
        """Contract 9.2: the most recently saved holder stays the holder after an import,
        whatever the messages' timestamps, and the key falls back in the same order (an
        export lists messages in save order, not by time)."""
        keyed = {"channel": "slack", "bridge_id": "b1"}
        with factory.create() as original, factory.create() as copy:
            for message_id, stamp in (("m:1", T_LATE), ("m:2", T_EARLY), ("m:3", T_LATE)):
                original.save_message(
                    Message(
                        id=message_id,
                        room_id="r:1",
                        sender_id="p",
                        role=MessageRole.USER,
                        external_id="E1",
                        metadata=keyed,
                        inserted_at=stamp,
                        updated_at=stamp,
                    )
                )
            original.save_message(original.get_message("m:1"))  # m:1 is now the newest
            copy.import_records(original.export_records())
            for expected in ("m:1", "m:3", "m:2"):
                for store in (original, copy):
                    assert store.get_message_by_external_id("slack", "b1", "E1").id == expected
                    store.delete_message(expected)

    @capability("enumeration")
    def test_import_refuses_a_store_that_holds_anything(self, factory: StoreFactory) -> None:
        """Contract 9.6: ``import_records`` into a store holding any record raises
        InvalidArgument and writes nothing (a lone stale participant key counts)."""
        with factory.create() as source, factory.create() as target:
            source.save_room(Room(id="r:1", type=RoomType.GROUP))
            target.get_or_create_participant_by_external_id(
                "slack", "U1", {"id": "p:1", "type": ParticipantType.HUMAN}
            )
            target.delete_participant("p:1")
            before = _lines(target)
            try:
                target.import_records(source.export_records())
            except InvalidArgument:
                pass
            else:
                raise AssertionError("import_records into a non-empty store did not raise")
            assert _lines(target) == before

    @capability("enumeration")
    def test_a_failing_import_leaves_the_store_empty(self, factory: StoreFactory) -> None:
        """Contract 9.2: nothing is half-imported; a bad record after good ones leaves
        the target empty."""
        with factory.create() as source, factory.create() as target:
            source.save_room(Room(id="r:1", type=RoomType.GROUP))
            source.save_participant(Participant(id="p:1", type=ParticipantType.HUMAN))
            source.save_bridge_config(BridgeConfig(id="bc:1", adapter_module="m"))
            good = list(source.export_records())
            try:
                target.import_records([*good, "not a record"])  # type: ignore[list-item]
            except InvalidArgument:
                pass
            else:
                raise AssertionError("a bad record did not raise InvalidArgument")
            assert _lines(target) == []
            target.import_records(good)
            assert _lines(target) == _lines(source)
