"""``PersistenceAdapter``: the guard (checks, StoreClosed, backend errors), the hook
shape, optional groups, derived capabilities, options and ``check_adapter_class``."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from jido_persistence.adapter import (
    PersistenceAdapter,
)
from jido_persistence.callbacks import CALLBACKS
from jido_persistence.errors import (
    InvalidArgument,
    NotFound,
    StorageError,
    StoreClosed,
)
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import (
    DirectoryTarget,
    IngressStatus,
    IngressSubscription,
    Room,
    RoomType,
)
from jido_persistence.validation import DirectoryQuery


class Recording(MemoryAdapter):
    """A memory store that records the arguments its hooks receive."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def _get_room(self, room_id: str) -> Room:
        self.calls.append(("get_room", (room_id,), {}))
        return super()._get_room(room_id)

    def _get_or_create_room_by_external_binding(
        self, channel: str, bridge_id: str, external_id: str, attrs: dict[str, Any]
    ) -> Room:
        self.calls.append(("goc", (channel, bridge_id, external_id, attrs), {}))
        return super()._get_or_create_room_by_external_binding(
            channel, bridge_id, external_id, attrs
        )

    def _directory_search(
        self, target: DirectoryTarget, query: DirectoryQuery, *, limit: int | None
    ) -> Any:
        self.calls.append(("directory_search", (target, query), {"limit": limit}))
        return super()._directory_search(target, query, limit=limit)

    def _list_ingress_subscriptions(
        self, bridge_id: str, *, status: IngressStatus | None
    ) -> list[IngressSubscription]:
        self.calls.append(("list_ingress_subscriptions", (bridge_id,), {"status": status}))
        return super()._list_ingress_subscriptions(bridge_id, status=status)

    def _delete_ingress_subscription(self, bridge_id: str, subscription_id: str) -> None:
        self.calls.append(("delete_ingress_subscription", (bridge_id, subscription_id), {}))
        super()._delete_ingress_subscription(bridge_id, subscription_id)

    def _save_onboarding(self, flow: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(("save_onboarding", (flow,), {}))
        return super()._save_onboarding(flow)

    def _get_messages(self, room_id: str, **kwargs: Any) -> Any:
        self.calls.append(("get_messages", (room_id,), kwargs))
        return super()._get_messages(room_id, **kwargs)


# --- hooks receive normalised arguments -------------------------------------------------


def test_hooks_receive_normalised_arguments() -> None:
    store = Recording()
    room = store.get_or_create_room_by_external_binding("slack", 12, 34, {"type": "group"})
    assert store.calls[-1] == ("goc", ("slack", "12", "34", {"type": "group"}), {})
    assert room.external_bindings == {"slack": {"12": "34"}}
    store.get_or_create_room_by_external_binding("slack", "12", "34", None)
    assert store.calls[-1] == ("goc", ("slack", "12", "34", {}), {})

    store.directory_search("room", {"name": "x", "bridge_id": 7})
    _, args, kwargs = store.calls[-1]
    assert args[0] is DirectoryTarget.ROOM
    assert args[1] == DirectoryQuery(name="x", bridge_id="7")
    assert kwargs == {"limit": None}

    store.list_ingress_subscriptions(5, status="pending")
    assert store.calls[-1] == (
        "list_ingress_subscriptions",
        ("5",),
        {"status": IngressStatus.PENDING},
    )
    assert type(store.calls[-1][2]["status"]) is IngressStatus

    store.get_messages("r")
    assert store.calls[-1] == (
        "get_messages",
        ("r",),
        {"limit": 50, "before": None, "after": None, "thread_id": None},
    )


def test_attrs_are_copied_before_the_hook_sees_them() -> None:
    store = Recording()
    attrs = {"type": "group"}
    store.get_or_create_room_by_external_binding("c", "b", "e", attrs)
    received = store.calls[-1][1][3]
    assert received == attrs
    assert received is not attrs


def test_onboarding_flows_are_deep_copied_before_the_hook_sees_them() -> None:
    store = Recording()
    flow = {"onboarding_id": "o", "steps": [{"done": False}]}
    store.save_onboarding(flow)
    received = store.calls[-1][1][0]
    assert received == flow
    assert received is not flow
    assert received["steps"] is not flow["steps"]


def test_keyword_and_positional_forms_are_both_checked() -> None:
    store = Recording()
    with pytest.raises(InvalidArgument):
        store.get_room(room_id="")
    with pytest.raises(NotFound):
        store.get_room(room_id="r")
    assert store.calls[-1] == ("get_room", ("r",), {})
    with pytest.raises(TypeError):
        store.get_room("a", "b")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        store.get_messages("r", 10)  # type: ignore[misc]
    with pytest.raises(TypeError):
        store.list_rooms(bogus=1)  # type: ignore[call-arg]


def test_invalid_arguments_never_reach_the_hook() -> None:
    store = Recording()
    for call in (
        lambda: store.get_room(""),
        lambda: store.get_or_create_room_by_external_binding("c", True, "e"),
        lambda: store.directory_search("rooms", {}),
        lambda: store.list_ingress_subscriptions("b", status="nope"),
        lambda: store.save_onboarding({"onboarding_id": ""}),
        lambda: store.get_messages("r", before="a", after="b"),
    ):
        with pytest.raises(InvalidArgument):
            call()
    assert store.calls == []


def test_not_found_keys_are_restated_as_given() -> None:
    store = Recording()
    with pytest.raises(NotFound) as caught:
        store.delete_ingress_subscription(7, "a")
    assert caught.value.key == (7, "a")
    assert store.calls[-1] == ("delete_ingress_subscription", ("7", "a"), {})
    query = {"name": "nobody"}
    with pytest.raises(NotFound) as missing:
        store.directory_lookup("room", query)
    assert missing.value.key is query


def test_public_callbacks_keep_their_names_and_docs() -> None:
    for name in CALLBACKS:
        method = getattr(PersistenceAdapter, name)
        assert method.__name__ == name
        assert method.__doc__, f"{name} has no docstring"
        assert getattr(PersistenceAdapter, "_" + name).__doc__, f"_{name} has no docstring"
    assert "NotFound" in (PersistenceAdapter.directory_lookup.__doc__ or "")


def test_a_subclass_calling_super_hooks_is_checked_once() -> None:
    store = Recording()
    store.save_room(Room(id="r", type="group"))
    assert store.get_room("r").id == "r"
    assert store.calls == [("get_room", ("r",), {})]


# --- the hook shape is enforced ----------------------------------------------------------


@pytest.mark.parametrize("name", ["get_room", "list_ingress_subscriptions", "health_check"])
def test_overriding_a_public_callback_is_a_type_error(name: str) -> None:
    with pytest.raises(TypeError) as caught:
        type("Overrides", (MemoryAdapter,), {name: lambda self, *a, **k: None})
    assert name in str(caught.value)
    assert f"_{name}" in str(caught.value)


class _RoomLookupMixin:
    """A plain mixin (not a PersistenceAdapter) providing one hook."""

    def _get_room(self, room_id: str) -> Room:
        return Room(id=room_id, type=RoomType.GROUP)


def test_hooks_inherited_from_a_plain_mixin_are_guarded() -> None:
    class MixedAdapter(_RoomLookupMixin, MemoryAdapter):
        pass

    store = MixedAdapter()
    with pytest.raises(InvalidArgument):
        store.get_room("")
    assert store.get_room("r").id == "r"
    store.close()
    with pytest.raises(StoreClosed):
        store.get_room("r")


def test_a_public_callback_from_a_plain_mixin_is_a_type_error() -> None:
    class PublicMixin:
        def get_room(self, room_id: str) -> Room:
            return Room(id=room_id, type=RoomType.GROUP)

    with pytest.raises(TypeError, match="_get_room"):
        type("Mixed", (PublicMixin, MemoryAdapter), {})


# --- StoreClosed -----------------------------------------------------------------------


def test_closed_store_raises_before_the_hook_runs() -> None:
    store = Recording()
    store.close()
    assert store.closed
    with pytest.raises(StoreClosed):
        store.get_room("r")
    with pytest.raises(StoreClosed):
        store.get_room("")  # closure is checked before the arguments
    assert store.calls == []


def test_capabilities_and_close_work_after_close() -> None:
    store = MemoryAdapter()
    store.close()
    store.close()
    assert store.capabilities == MemoryAdapter.capabilities_of()
    assert MemoryAdapter.Options.parse({}) == MemoryAdapter.Options()


def test_context_manager_closes_even_on_error() -> None:
    store = MemoryAdapter()

    def fail_inside() -> None:
        with store:
            assert not store.closed
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_inside()
    assert store.closed
    with pytest.raises(StoreClosed):
        store.list_rooms()


# --- backend errors --------------------------------------------------------------------


class BackendFailure(Exception):
    """An exception of an imaginary backend library."""


class Flaky(MemoryAdapter):
    """A store whose get_room hook fails with whatever ``self.failure`` holds."""

    backend_errors: ClassVar[tuple[type[BaseException], ...]] = (BackendFailure, LookupError)

    def __init__(self, failure: BaseException) -> None:
        super().__init__()
        self.failure = failure

    def _get_room(self, room_id: str) -> Room:
        raise self.failure


def test_backend_errors_become_storage_errors_with_the_cause_chained() -> None:
    failure = BackendFailure("connect to postgresql://bob:hunter2@db/x failed")
    with pytest.raises(StorageError) as caught:
        Flaky(failure).get_room("r")
    assert caught.value.__cause__ is failure
    assert "get_room" in str(caught.value)
    assert "hunter2" not in str(caught.value)
    with pytest.raises(StorageError):
        Flaky(KeyError("k")).get_room("r")


def test_persistence_errors_pass_through_even_when_they_match_backend_errors() -> None:
    missing = NotFound("room", "r")
    assert isinstance(missing, LookupError)
    with pytest.raises(NotFound) as caught:
        Flaky(missing).get_room("r")
    assert caught.value is missing


def test_other_exceptions_are_not_wrapped() -> None:
    with pytest.raises(RuntimeError):
        Flaky(RuntimeError("bug")).get_room("r")

    class Plain(MemoryAdapter):
        def _get_room(self, room_id: str) -> Room:
            raise BackendFailure("not listed")

    with pytest.raises(BackendFailure):
        Plain().get_room("r")


# --- health_check (the base implementation) ---------------------------------------------


def test_health_check_answers_ok_with_a_latency() -> None:
    health = MemoryAdapter().health_check()
    assert health.ok is True
    assert health.latency_s >= 0
    assert health.detail == "ok"


@pytest.mark.parametrize(
    "failure", [BackendFailure("down"), KeyError("k"), RuntimeError("bug"), StorageError("x")]
)
def test_health_check_reports_failures_without_raising(failure: BaseException) -> None:
    health = Flaky(failure).health_check()
    assert health.ok is False
    assert type(failure).__name__ in health.detail


def test_health_check_redacts_url_passwords() -> None:
    failure = BackendFailure("connect to postgresql://bob:hunter2@db/x failed")
    health = Flaky(failure).health_check()
    assert health.ok is False
    assert "hunter2" not in health.detail
    assert "bob" in health.detail


def test_health_check_raises_store_closed_after_close() -> None:
    store = Flaky(BackendFailure("down"))
    store.close()
    with pytest.raises(StoreClosed):
        store.health_check()


# --- contract 9.0: no pydantic or codec error escapes a callback (issue 13) --------


def _pydantic_error() -> ValidationError:
    try:
        Room.model_validate({"id": "r", "type": "bogus"})
    except ValidationError as error:
        return error
    raise AssertionError("unreachable")


def _serialization_error() -> PydanticSerializationError:
    try:
        Room.model_construct(
            id="r", type=RoomType.GROUP, metadata={"x": object()}
        ).model_dump_json()
    except PydanticSerializationError as error:
        return error
    raise AssertionError("unreachable")


class Decoding(MemoryAdapter):
    """A store whose list_rooms hook fails as a codec would (no backend_errors)."""

    def __init__(self, failure: BaseException) -> None:
        super().__init__()
        self.failure = failure

    def _list_rooms(self, *, limit: int, after: str | None) -> list[Room]:
        raise self.failure


@pytest.mark.parametrize(
    "failure",
    [
        _pydantic_error(),
        _serialization_error(),
        json.JSONDecodeError("Expecting value", "{", 1),
        UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"),
        ValueError("invalid isoformat string: 'x'"),
        TypeError("Object of type set is not JSON serializable"),
        OverflowError("date value out of range"),
        KeyError("type"),
    ],
    ids=lambda failure: type(failure).__name__,
)
def test_pydantic_and_codec_errors_become_storage_errors(failure: BaseException) -> None:
    with pytest.raises(StorageError, match=r"list_rooms\(\) failed") as caught:
        Decoding(failure).list_rooms()
    assert caught.value.__cause__ is failure


def test_not_found_is_still_not_found_though_it_is_a_lookup_error() -> None:
    with pytest.raises(NotFound):
        MemoryAdapter().get_room("nowhere")
