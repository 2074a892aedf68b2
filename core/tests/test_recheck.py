"""Contract 9.0: ``save_*`` arguments are re-checked as their model would check them.

Issue 13, finding 1: instances from ``model_construct()``/``model_copy(update=...)``
were stored as given (a naive datetime that later broke TinyDB's open, NaN, a raw
``ValueError`` from a codec).  Now each raises ``InvalidArgument`` and stores nothing,
nested models included, and what is stored equals the argument.
"""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jido_persistence._recheck import is_unchecked
from jido_persistence.errors import InvalidArgument
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import (
    BridgeConfig,
    DeliveryPolicy,
    Message,
    MessageRole,
    Room,
    RoomType,
    TextPart,
)
from jido_persistence.validation import require_instance

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _message(**fields: object) -> Message:
    return Message.model_validate(
        {"id": "m:1", "room_id": "r", "sender_id": "s", "role": "user", "inserted_at": T0} | fields
    )


class _NoCopies(MemoryAdapter):
    """Memory without the guard's copies, so that what the hook gets is observable."""

    keeps_python_objects = False


def test_validated_instances_are_returned_as_they_are() -> None:
    """The re-check neither replaces nor marks a valid instance (no copy on the hot path)."""
    room = Room(id="r", type=RoomType.GROUP)
    with _NoCopies() as store:
        assert store.save_room(room) is room
    assert not is_unchecked(room)


@settings(max_examples=60)
@given(
    naive=st.datetimes(),
    text=st.text(min_size=1).map(lambda text: text + "\x00"),
    number=st.sampled_from([float("nan"), float("inf"), -float("inf")]),
)
def test_invalid_copies_raise_invalid_argument_and_store_nothing(
    naive: datetime, text: str, number: float
) -> None:
    with MemoryAdapter() as store:
        room = store.save_room(Room(id="r", type=RoomType.GROUP, name="kept", inserted_at=T0))
        for bad in (
            room.model_copy(update={"inserted_at": naive}),
            room.model_copy(update={"name": text}),
            room.model_copy(update={"metadata": {"x": number}}),
            Room.model_construct(id="r", type=RoomType.GROUP, name=text),
        ):
            with pytest.raises(InvalidArgument, match="room is not a valid Room"):
                store.save_room(bad)
        assert store.get_room("r") == room


def test_nested_models_are_rechecked(store: MemoryAdapter) -> None:
    bad_part = TextPart.model_construct(text="\ud800")
    built = Message(id="m:1", room_id="r", sender_id="s", role=MessageRole.USER, content=[bad_part])
    with pytest.raises(InvalidArgument, match=r"content\.0"):
        store.save_message(built)
    config = BridgeConfig(adapter_module="m")
    policy = DeliveryPolicy.model_construct(max_attempts="3")
    with pytest.raises(InvalidArgument, match="delivery_policy"):
        store.save_bridge_config(config.model_copy(update={"delivery_policy": policy}))
    assert store.list_bridge_configs() == []
    assert store.get_messages("r") == []


def test_valid_copies_are_stored_equal_to_the_argument(store: MemoryAdapter) -> None:
    message = _message(content=[{"type": "text", "text": "hi"}])
    east = timezone(timedelta(hours=3))
    moved = message.model_copy(update={"room_id": "r2", "updated_at": T0.astimezone(east)})
    saved = store.save_message(moved)
    assert saved == moved
    assert saved.updated_at is not None
    assert saved.updated_at.tzinfo is UTC
    assert store.get_message("m:1") == moved


def test_a_value_the_model_would_change_is_refused(store: MemoryAdapter) -> None:
    message = _message()
    with pytest.raises(InvalidArgument, match="external_id differently"):
        store.save_message(message.model_copy(update={"external_id": 7}))
    with pytest.raises(InvalidArgument, match="content differently"):
        store.save_message(message.model_copy(update={"content": [{"type": "text", "text": "x"}]}))


def test_copies_and_pickles_of_unchecked_instances_stay_unchecked() -> None:
    unchecked = Room.model_construct(id="r", type="bogus")
    for derived in (copy.copy(unchecked), copy.deepcopy(unchecked), unchecked.model_copy()):
        assert is_unchecked(derived)
        with pytest.raises(InvalidArgument):
            require_instance("room", derived, Room)
    unpickled = pickle.loads(pickle.dumps(Room(id="r", type=RoomType.GROUP)))
    assert is_unchecked(unpickled)
    assert require_instance("room", unpickled, Room) == unpickled


def test_subclass_instances_are_checked_by_the_model() -> None:
    class Loose(Room):
        name: object = None  # type: ignore[assignment]

    with pytest.raises(InvalidArgument, match="name"):
        require_instance("room", Loose(id="r", type=RoomType.GROUP, name=3), Room)
    kept = require_instance("room", Loose(id="r", type=RoomType.GROUP, name="n"), Room)
    assert type(kept) is Room
    assert kept.name == "n"


def test_credentials_never_appear_in_the_error(store: MemoryAdapter) -> None:
    config = BridgeConfig(adapter_module="m", credentials={"token": "s3cret-token"})
    with pytest.raises(InvalidArgument) as caught:
        store.save_bridge_config(config.model_copy(update={"credentials": {"token": "s3cret\x00"}}))
    chain = [caught.value, caught.value.__cause__, caught.value.__context__]
    assert not any("s3cret" in repr(error) for error in chain if error is not None)


_NOT_STORABLE = st.one_of(
    st.sampled_from([float("nan"), float("inf"), 2**64, -(2**63) - 1, object(), b"bytes"]),
    st.text().map(lambda text: text + "\x00"),
    st.just("\ud800"),
)


@settings(max_examples=60)
@given(
    key=st.text(min_size=1).filter(lambda key: "\x00" not in key and key.isprintable()),
    bad=_NOT_STORABLE,
)
def test_a_container_changed_in_place_after_validation_is_refused(key: str, bad: object) -> None:
    # Frozen models cannot re-bind a field, but the dict a validated message holds can
    # still be changed in place; the save must see that and store nothing.
    with MemoryAdapter() as store:
        message = _message(metadata={"kept": 1}, content=[TextPart(text="x")])
        message.metadata[key] = bad
        with pytest.raises(InvalidArgument, match="metadata"):
            store.save_message(message)
        stored = _message(id="m:2", content=[TextPart(text="x")])
        stored.content.append(bad)  # type: ignore[arg-type]  # the point: not a part
        with pytest.raises(InvalidArgument, match="content"):
            store.save_message(stored)
        assert store.get_messages("r") == []


@settings(max_examples=40)
@given(
    value=st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**63), 2**63 - 1)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(
            alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
        ),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.text(max_size=5).filter(lambda key: "\x00" not in key), inner, max_size=3
            )
        ),
        max_leaves=8,
    )
)
def test_a_container_changed_in_place_to_valid_data_is_stored_as_changed(value: object) -> None:
    with MemoryAdapter() as store:
        message = _message()
        message.metadata["added"] = value
        assert store.save_message(message) == message
        assert store.get_message("m:1").metadata == {"added": value}
