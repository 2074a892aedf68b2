"""Model instances that pydantic never checked, one set per ``save_*`` callback (9.0).

``model_construct()`` and ``model_copy(update=...)`` skip validation, so they can build
a record its model would reject: a naive datetime, NaN, a wrong type, a NUL or lone
surrogate, a missing field, a nested model that is invalid, or an int where the model
would store a string.  Every ``save_*`` must refuse each of them with
``InvalidArgument`` and store nothing.  The ids are those the bad-input area's store
already holds, so a write that slipped through changes its snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import BaseModel

from jido_persistence.models import (
    BridgeConfig,
    DeliveryPolicy,
    IngressSubscription,
    Message,
    MessageRole,
    Participant,
    ParticipantType,
    Room,
    RoomType,
    RoutingPolicy,
    TextPart,
    Thread,
)

__all__ = ["INVALID_INSTANCES"]

T0: Final = datetime(2024, 1, 1, tzinfo=UTC)
NAIVE: Final = datetime(2024, 1, 1)  # the point: a naive datetime
NAN: Final = float("nan")


def _construct(model: type[BaseModel], **values: Any) -> BaseModel:
    """``model.model_construct(**values)``, for values of the wrong type on purpose."""
    return model.model_construct(**values)


def _bad_updates(
    valid: BaseModel, text_field: str, time_field: str
) -> Iterator[tuple[str, BaseModel]]:
    """The updates every model must refuse, applied to ``valid`` by ``model_copy``."""
    yield "naive datetime", valid.model_copy(update={time_field: NAIVE})
    yield "NaN in metadata", valid.model_copy(update={"metadata": {"x": NAN}})
    yield "NUL in text", valid.model_copy(update={text_field: "a\x00b"})
    yield "lone surrogate", valid.model_copy(update={text_field: "\ud800"})
    yield "wrong type", valid.model_copy(update={text_field: 17.5})
    yield "int beyond 64 bits in metadata", valid.model_copy(update={"metadata": {"n": 2**64}})


def _changed_in_place(valid: BaseModel, field: str, change: Callable[[Any], None]) -> BaseModel:
    """``valid`` (a validated instance) after ``change`` mutated the container ``field``.

    A frozen model's fields cannot be re-bound, but the dicts and lists they hold can
    be changed in place after validation; the save must still refuse the result.
    """
    change(getattr(valid, field))
    return valid


def _rooms() -> Iterator[tuple[str, BaseModel]]:
    room = Room(id="room:1", type=RoomType.GROUP, name="general", inserted_at=T0)
    yield from _bad_updates(room, "name", "inserted_at")
    yield "model_construct without type", _construct(Room, id="room:1", name="x")
    yield "unknown enum value", room.model_copy(update={"type": "bogus"})
    yield (
        "NaN put into a validated room's metadata",
        _changed_in_place(
            Room(id="room:1", type=RoomType.GROUP, inserted_at=T0),
            "metadata",
            lambda metadata: metadata.update(x=NAN),
        ),
    )
    yield (
        "int put into a validated room's external bindings",
        _changed_in_place(
            Room(id="room:1", type=RoomType.GROUP, inserted_at=T0),
            "external_bindings",
            lambda bindings: bindings.update(slack={"bridge": 5}),
        ),
    )


def _participants() -> Iterator[tuple[str, BaseModel]]:
    person = Participant(id="p:1", type=ParticipantType.HUMAN)
    yield "NaN in identity", person.model_copy(update={"identity": {"name": NAN}})
    yield "NUL in capabilities", person.model_copy(update={"capabilities": ["te\x00xt"]})
    yield "int external id kept as int", person.model_copy(update={"external_ids": {"slack": 7}})
    yield (
        "int appended to a validated participant's capabilities",
        _changed_in_place(
            Participant(id="p:1", type=ParticipantType.HUMAN),
            "capabilities",
            lambda capabilities: capabilities.append(3),
        ),
    )
    yield (
        "model_construct with a bad presence",
        _construct(Participant, id="p:1", type=ParticipantType.HUMAN, presence="asleep"),
    )


def _messages() -> Iterator[tuple[str, BaseModel]]:
    valid = Message(
        id="m:1", room_id="room:1", sender_id="p:1", role=MessageRole.USER, inserted_at=T0
    )
    yield from _bad_updates(valid, "sender_id", "inserted_at")
    yield (
        "nested part with NUL",
        valid.model_copy(update={"content": [_construct(TextPart, text="\x00")]}),
    )
    yield (
        "nested part with NaN",
        Message(
            id="m:1",
            room_id="room:1",
            sender_id="p:1",
            role=MessageRole.USER,
            content=[TextPart(text="ok"), _construct(TextPart, text=NAN)],
        ),
    )
    yield "int external id kept as int", valid.model_copy(update={"external_id": 99})
    yield "empty id", valid.model_copy(update={"id": ""})
    yield (
        "a non-part appended to a validated message's content",
        _changed_in_place(
            Message(id="m:1", room_id="room:1", sender_id="p:1", role=MessageRole.USER),
            "content",
            lambda content: content.append("not a part"),
        ),
    )
    yield (
        "NUL put into a validated message's reactions",
        _changed_in_place(
            Message(id="m:1", room_id="room:1", sender_id="p:1", role=MessageRole.USER),
            "reactions",
            lambda reactions: reactions.update(x="a\x00b"),
        ),
    )


def _threads() -> Iterator[tuple[str, BaseModel]]:
    thread = Thread(id="t:1", room_id="room:1", external_thread_id="e", inserted_at=T0)
    yield from _bad_updates(thread, "external_thread_id", "updated_at")


def _bridge_configs() -> Iterator[tuple[str, BaseModel]]:
    config = BridgeConfig(id="bc", adapter_module="m", inserted_at=T0)
    yield "NaN in credentials", config.model_copy(update={"credentials": {"token": NAN}})
    yield "naive datetime", config.model_copy(update={"updated_at": NAIVE})
    yield (
        "nested delivery policy",
        config.model_copy(update={"delivery_policy": _construct(DeliveryPolicy, max_attempts="3")}),
    )
    yield "revision as str", config.model_copy(update={"revision": "1"})


def _routing_policies() -> Iterator[tuple[str, BaseModel]]:
    policy = RoutingPolicy(room_id="room:1", inserted_at=T0)
    yield "id differs from room_id", policy.model_copy(update={"id": "room:2"})
    yield "NaN in metadata", policy.model_copy(update={"metadata": {"x": NAN}})
    yield "NUL in fallback order", policy.model_copy(update={"fallback_order": ["a\x00"]})


def _ingress_subscriptions() -> Iterator[tuple[str, BaseModel]]:
    subscription = IngressSubscription(bridge_id="b", subscription_id="s", adapter_name="slack")
    yield "naive expiry", subscription.model_copy(update={"expires_at": NAIVE})
    yield "NaN in raw", subscription.model_copy(update={"raw": [NAN]})
    yield "empty adapter name", subscription.model_copy(update={"adapter_name": ""})


INVALID_INSTANCES: Final[dict[str, Callable[[], Iterator[tuple[str, Any]]]]] = {
    "save_room": _rooms,
    "save_participant": _participants,
    "save_message": _messages,
    "save_thread": _threads,
    "save_bridge_config": _bridge_configs,
    "save_routing_policy": _routing_policies,
    "save_ingress_subscription": _ingress_subscriptions,
}
"""For each ``save_*`` callback, a function giving ``(label, invalid instance)`` pairs."""
