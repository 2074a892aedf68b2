"""Bad input: every callback refuses bad arguments with the exact typed error, writing nothing.

Each test stores a little of everything, snapshots the store through the callbacks and
through ``raw_index()`` when offered, makes every bad call, and compares the snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from jido_persistence.adapter import PersistenceAdapter
from jido_persistence.errors import (
    InvalidArgument,
    InvalidCursor,
    InvalidDirectoryTarget,
    InvalidLimit,
    InvalidOnboardingId,
)
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
from jido_persistence_conformance import _calls
from jido_persistence_conformance._invalid_instances import INVALID_INSTANCES
from jido_persistence_conformance._support import has_ingress, message, snapshot
from jido_persistence_conformance.factories import StoreFactory

__all__ = ["ErrorsAndBadInputTests"]

T0 = datetime(2024, 1, 1, tzinfo=UTC)
SLACK = {"channel": "slack", "bridge_id": "b"}
EXTRA: dict[str, Any] = {
    "room_ids": ["room:1", "room:ghost"],
    "participant_ids": ["p:1"],
    "message_ids": ["m:1", "m:2"],
    "thread_ids": ["t:1"],
    "onboarding_ids": ["o:1"],
    "bridge_ids": ["b"],
    "binding_keys": [("slack", "b", "C"), ("slack", "b", "C9"), ("slack", "b", "C-new")],
    "message_keys": [("slack", "b", "E"), ("slack", "b", "E2")],
}


def _populate(store: PersistenceAdapter) -> None:
    store.save_room(Room(id="room:1", type=RoomType.GROUP, name="general", inserted_at=T0))
    store.save_participant(Participant(id="p:1", type=ParticipantType.HUMAN))
    store.save_message(message("m:1", inserted_at=T0, external_id="E", metadata=SLACK))
    store.save_message(message("m:2", room_id="room:ghost", thread_id="t:1"))
    store.save_thread(Thread(id="t:1", room_id="room:1", external_thread_id="e", inserted_at=T0))
    store.create_room_binding("room:1", "slack", "b", "C", {"inserted_at": T0})
    store.get_or_create_participant_by_external_id("slack", "U", {"type": "human", "id": "p:2"})
    store.save_onboarding({"onboarding_id": "o:1", "step": 1})
    store.save_bridge_config(BridgeConfig(id="bc", adapter_module="m", inserted_at=T0))
    store.save_routing_policy(RoutingPolicy(room_id="room:1", inserted_at=T0))
    if has_ingress(store):
        store.save_ingress_subscription(
            IngressSubscription(bridge_id="b", subscription_id="s", adapter_name="slack")
        )


def _applicable(store: PersistenceAdapter, calls: Mapping[str, Any]) -> dict[str, Any]:
    """Drop ingress positions when the adapter lacks the optional trio."""
    if has_ingress(store):
        return dict(calls)
    return {name: call for name, call in calls.items() if "ingress" not in name}


def _check_all(
    store: PersistenceAdapter,
    calls: Mapping[str, Callable[[PersistenceAdapter, Any], Any]],
    values: Iterable[Any],
    expected: type[Exception],
) -> None:
    """Call every position with every value; collect every wrong outcome, then fail once."""
    problems: list[str] = []
    for name, call in _applicable(store, calls).items():
        for value in values:
            label = f"{name} with {value!r:.40}"
            try:
                call(store, value)
            except Exception as error:  # the kit reports whatever an adapter raised
                if type(error) is not expected:
                    problems.append(
                        f"{label}: raised {type(error).__name__}({error}), "
                        f"expected {expected.__name__}"
                    )
            else:
                problems.append(f"{label}: returned, expected {expected.__name__}")
    assert not problems, "\n".join(problems[:40])


class ErrorsAndBadInputTests:
    """Every callback, every bad argument: the exact error and an unchanged store."""

    def _refuse_everywhere(
        self,
        store: PersistenceAdapter,
        calls: Mapping[str, Callable[[PersistenceAdapter, Any], Any]],
        values: Iterable[Any],
        expected: type[Exception],
    ) -> None:
        _populate(store)
        before = snapshot(store, **EXTRA)
        _check_all(store, calls, values, expected)
        assert snapshot(store, **EXTRA) == before

    def test_bad_ids_raise_invalid_argument(self, store: PersistenceAdapter) -> None:
        """Id arguments that are not non-empty ``str`` (or hold NUL, a lone surrogate, or
        more than 512 code points) raise ``InvalidArgument`` in every callback.

        Troubleshooting: the base class checks ids before your code runs; this fails
        when a callback is not wrapped (defined through ``__getattr__`` or assigned
        after class creation) or when the adapter raises its own error first.  Usual
        mistake: accepting ``int`` ids by calling ``str()`` on them.
        """
        _populate(store)
        before = snapshot(store, **EXTRA)
        _check_all(store, _calls.ID_POSITIONS, _calls.BAD_IDS, InvalidArgument)
        values = [value for value in _calls.BAD_IDS if value is not None]
        _check_all(store, _calls.OPTIONAL_ID_POSITIONS, values, InvalidArgument)
        assert snapshot(store, **EXTRA) == before

    def test_bad_channels_raise_invalid_argument(self, store: PersistenceAdapter) -> None:
        """A ``channel`` that is not a non-empty ``str`` raises ``InvalidArgument``.

        Troubleshooting: channels are compared exactly and are never ints.  Usual
        mistake: normalising channels like external ids.
        """
        self._refuse_everywhere(
            store, _calls.CHANNEL_POSITIONS, _calls.BAD_CHANNELS, InvalidArgument
        )

    def test_bad_external_ids_raise_invalid_argument(self, store: PersistenceAdapter) -> None:
        """Bridge and external ids must be ``str`` or ``int`` (not ``bool``), non-empty.

        Troubleshooting: ``True`` is not ``1`` here, floats are refused, and an int
        whose decimal form exceeds 512 digits is refused.  Usual mistake:
        ``str(value)`` on anything, turning ``True`` into ``"True"``.
        """
        self._refuse_everywhere(
            store, _calls.EXTERNAL_ID_POSITIONS, _calls.BAD_EXTERNAL_IDS, InvalidArgument
        )

    def test_bad_limits_raise_invalid_limit(self, store: PersistenceAdapter) -> None:
        """Limits must be ``int`` in ``0..2**63-1``; bools, negatives, ``2**63`` raise InvalidLimit.

        Troubleshooting: ``True`` is an ``int`` in Python but not a limit here.  Usual
        mistake: passing the limit to SQL unchecked (overflow error, or a negative
        ``LIMIT`` meaning "all").
        """
        self._refuse_everywhere(store, _calls.LIMIT_POSITIONS, _calls.BAD_LIMITS, InvalidLimit)

    def test_bad_cursors_raise_invalid_cursor(self, store: PersistenceAdapter) -> None:
        """Cursors that are not non-empty strings raise ``InvalidCursor`` (not CursorNotFound).

        Troubleshooting: the shape check comes before the existence check.  Usual
        mistake: looking up ``""`` and answering CursorNotFound.
        """
        self._refuse_everywhere(store, _calls.CURSOR_POSITIONS, _calls.BAD_CURSORS, InvalidCursor)

    def test_non_model_save_arguments_raise_invalid_argument(
        self, store: PersistenceAdapter
    ) -> None:
        """``save_*`` of something that is not an instance of its model raises InvalidArgument.

        Troubleshooting: dicts are not accepted, nor a model of another type.  Usual
        mistake: ``Model.model_validate(arg)`` accepting a dict.
        """
        wrong_model = Room(id="room:x", type=RoomType.GROUP)
        _populate(store)
        before = snapshot(store, **EXTRA)
        _check_all(store, _calls.MODEL_POSITIONS, _calls.BAD_MODELS, InvalidArgument)
        others = {
            name: call for name, call in _calls.MODEL_POSITIONS.items() if name != "save_room"
        }
        _check_all(store, others, [wrong_model], InvalidArgument)
        assert snapshot(store, **EXTRA) == before

    def test_unvalidated_model_instances_raise_invalid_argument(
        self, store: PersistenceAdapter, factory: StoreFactory
    ) -> None:
        """An instance from ``model_construct()``/``model_copy(update=...)`` that its model
        would reject (naive datetime, NaN, wrong type, NUL, invalid nested model, an int
        the model would turn into a string) raises ``InvalidArgument`` from every
        ``save_*`` and stores nothing; the store stays readable, after a reopen too.

        Troubleshooting: the base class re-checks ``save_*`` arguments before your code
        runs (contract 9.0); this fails when a save bypasses it, or when the adapter
        raises its own error (a codec's ``ValueError``) first.
        """
        _populate(store)
        before = snapshot(store, **EXTRA)
        problems: list[str] = []
        for name, instances in INVALID_INSTANCES.items():
            if name not in _applicable(store, {name: None}):
                continue
            for label, instance in instances():
                try:
                    getattr(store, name)(instance)
                except Exception as error:  # the kit reports whatever an adapter raised
                    if type(error) is not InvalidArgument:
                        problems.append(f"{name} ({label}): raised {type(error).__name__}")
                else:
                    problems.append(f"{name} ({label}): stored it, expected InvalidArgument")
        assert not problems, "\n".join(problems)
        assert snapshot(store, **EXTRA) == before
        if store.capabilities.durable:
            store.close()
            again = factory.reopen(store)
            try:
                assert snapshot(again, **EXTRA) == before
            finally:
                again.close()

    def test_bad_directory_targets_and_queries(self, store: PersistenceAdapter) -> None:
        """Unknown targets raise InvalidDirectoryTarget; malformed queries InvalidArgument.

        Troubleshooting: targets are ``"participant"`` or ``"room"`` exactly (a
        ``DirectoryTarget``); query values of the wrong type are errors, not
        non-matches.  Usual mistake: an unknown target searching rooms.
        """
        _populate(store)
        before = snapshot(store, **EXTRA)
        _check_all(store, _calls.TARGET_POSITIONS, _calls.BAD_TARGETS, InvalidDirectoryTarget)
        _check_all(store, _calls.QUERY_POSITIONS, _calls.BAD_QUERIES, InvalidArgument)
        assert snapshot(store, **EXTRA) == before

    def test_bad_attrs_raise_invalid_argument(self, store: PersistenceAdapter) -> None:
        """Get-or-create and binding attrs that do not build a valid record raise InvalidArgument.

        Troubleshooting: validate before writing; binding attrs take only ``id``,
        ``direction``, ``enabled``, ``inserted_at``.  Usual mistakes: a pydantic
        ValidationError escaping, or a binding key written before validation failed.
        """
        _populate(store)
        before = snapshot(store, **EXTRA)
        _check_all(store, _calls.ATTRS_POSITIONS, _calls.BAD_ATTRS, InvalidArgument)
        participant = {
            "get_or_create_participant_by_external_id(attrs)": (
                lambda s, v: s.get_or_create_participant_by_external_id("slack", "U-new", v)
            )
        }
        people = [value for value in _calls.BAD_ATTRS if value != {"type": "group", "bogus": 1}]
        _check_all(store, participant, [*people, {"type": "human", "bogus": 1}], InvalidArgument)
        binding = {
            "create_room_binding(attrs)": (
                lambda s, v: s.create_room_binding("room:1", "slack", "b", "C9", v)
            ),
        }
        _check_all(store, binding, _calls.BAD_BINDING_ATTRS, InvalidArgument)
        # An existing record takes only direction/enabled from attrs (id and
        # inserted_at are kept), so only those and the key check apply to it.
        existing = {
            "create_room_binding(attrs) on an existing record": (
                lambda s, v: s.create_room_binding("room:1", "slack", "b", "C", v)
            ),
        }
        refused = [
            v
            for v in _calls.BAD_BINDING_ATTRS
            if not (isinstance(v, dict) and ("id" in v or "inserted_at" in v))
        ]
        _check_all(store, existing, refused, InvalidArgument)
        assert snapshot(store, **EXTRA) == before

    def test_bad_filters_raise_invalid_argument(self, store: PersistenceAdapter) -> None:
        """``enabled=`` must be a bool or None; ``status=`` an IngressStatus or its value.

        Troubleshooting: ``enabled=1`` is not ``True`` here.  Usual mistake: a truthy
        test on the filter.
        """
        enabled = {"list_bridge_configs(enabled=)": lambda s, v: s.list_bridge_configs(enabled=v)}
        _populate(store)
        before = snapshot(store, **EXTRA)
        _check_all(store, enabled, _calls.BAD_ENABLED, InvalidArgument)
        status = {
            "list_ingress_subscriptions(status=)": (
                lambda s, v: s.list_ingress_subscriptions("b", status=v)
            )
        }
        _check_all(store, status, _calls.BAD_STATUSES, InvalidArgument)
        assert snapshot(store, **EXTRA) == before

    def test_malformed_message_key_stores_nothing(self, store: PersistenceAdapter) -> None:
        """A message with an external id and malformed channel/bridge metadata is refused.

        Troubleshooting: with ``external_id`` set, ``metadata["channel"]`` must be a
        non-empty str and ``metadata["bridge_id"]`` a str or int (not bool) when
        present; the whole save is refused.  Usual mistake: storing the message and
        skipping only its key.
        """
        bad_metadata = [
            {"channel": 5, "bridge_id": "b"},
            {"channel": "", "bridge_id": "b"},
            {"channel": "slack", "bridge_id": True},
            {"channel": "slack", "bridge_id": 1.5},
            {"channel": "slack", "bridge_id": ""},
            {"channel": ["slack"], "bridge_id": "b"},
        ]
        saves = {
            "save_message(metadata)": lambda s, v: s.save_message(
                message("m:bad", inserted_at=T0, external_id="E9", metadata=v)
            ),
            "save_message(metadata) replacing a stored message": lambda s, v: s.save_message(
                message("m:1", inserted_at=T0, external_id="E9", metadata=v)
            ),
        }
        _populate(store)
        extra = {**EXTRA, "message_ids": ["m:1", "m:bad"]}
        before = snapshot(store, **extra)
        _check_all(store, saves, bad_metadata, InvalidArgument)
        _check_all(
            store,
            {
                "update_message_external_id(None)": lambda s, v: s.update_message_external_id(
                    "m:1", v
                )
            },
            [None],
            InvalidArgument,
        )
        assert snapshot(store, **extra) == before

    def test_malformed_onboarding_flows(self, store: PersistenceAdapter) -> None:
        """Malformed flows raise InvalidArgument or InvalidOnboardingId, in contract order.

        Troubleshooting: see the onboarding area; here every case must also leave
        the store untouched.  Usual mistake: replacing the stored flow before the
        JSON check fails.
        """
        save = {"save_onboarding": lambda s, v: s.save_onboarding(v)}
        _populate(store)
        before = snapshot(store, **EXTRA)
        _check_all(store, save, [None, "o:1", [("onboarding_id", "o:1")], 1], InvalidArgument)
        ids = [{"step": 2}, {"onboarding_id": ""}, {"onboarding_id": 1}, {"onboarding_id": None}]
        _check_all(store, save, ids, InvalidOnboardingId)
        json_bad = [
            {"onboarding_id": "o:1", "x": float("nan")},
            {"onboarding_id": "o:1", "x": 2**63},
            {"onboarding_id": "o:1", "x": {1, 2}},
            {"onboarding_id": "o:1", "x": {2: 1}},
            {"onboarding_id": "o:1", "x": "\x00"},
            {"onboarding_id": "o:1", "\ud800": 1},
        ]
        _check_all(store, save, json_bad, InvalidArgument)
        assert snapshot(store, **EXTRA) == before
