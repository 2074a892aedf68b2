"""``PersistenceAdapter``: the automatic checks, StoreClosed, backend errors, the ingress
trio, capabilities, options and ``check_adapter_class``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import ValidationError

from jido_persistence._checks import CALLBACK_CHECKS
from jido_persistence.adapter import (
    OPTIONAL_CALLBACKS,
    REQUIRED_CALLBACKS,
    AdapterOptions,
    PersistenceAdapter,
    SupportsRawIndex,
    check_adapter_class,
)
from jido_persistence.errors import (
    ConfigurationError,
    InvalidArgument,
    NotFound,
    NotSupported,
    StorageError,
    StoreClosed,
)
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import (
    Capabilities,
    DirectoryTarget,
    IngressStatus,
    IngressSubscription,
    Room,
    RoomType,
)
from jido_persistence.urls import StoreUrl


class Recording(MemoryAdapter):
    """A memory store that records the arguments its implementation receives."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def get_room(self, room_id: str) -> Room:
        self.calls.append(("get_room", (room_id,), {}))
        return super().get_room(room_id)

    def get_or_create_room_by_external_binding(
        self,
        channel: str,
        bridge_id: str | int,
        external_id: str | int,
        attrs: Mapping[str, Any] | None = None,
    ) -> Room:
        self.calls.append(("goc", (channel, bridge_id, external_id, attrs), {}))
        return super().get_or_create_room_by_external_binding(
            channel, bridge_id, external_id, attrs
        )

    def directory_search(
        self, target: DirectoryTarget | str, query: Mapping[str, Any], *, limit: int | None = None
    ) -> Any:
        self.calls.append(("directory_search", (target, query), {"limit": limit}))
        return super().directory_search(target, query, limit=limit)

    def list_ingress_subscriptions(
        self, bridge_id: str | int, *, status: IngressStatus | str | None = None
    ) -> list[IngressSubscription]:
        self.calls.append(("list_ingress_subscriptions", (bridge_id,), {"status": status}))
        return super().list_ingress_subscriptions(bridge_id, status=status)

    def save_ingress_subscription(self, subscription: IngressSubscription) -> IngressSubscription:
        return super().save_ingress_subscription(subscription)

    def delete_ingress_subscription(self, bridge_id: str | int, subscription_id: str) -> None:
        self.calls.append(("delete_ingress_subscription", (bridge_id, subscription_id), {}))
        super().delete_ingress_subscription(bridge_id, subscription_id)

    def save_onboarding(self, flow: Mapping[str, Any]) -> dict[str, Any]:
        self.calls.append(("save_onboarding", (flow,), {}))
        return super().save_onboarding(flow)

    def get_messages(self, room_id: str, **kwargs: Any) -> Any:
        self.calls.append(("get_messages", (room_id,), kwargs))
        return super().get_messages(room_id, **kwargs)


# --- the wrapper normalises arguments --------------------------------------------------


def test_implementations_receive_normalised_arguments() -> None:
    store = Recording()
    room = store.get_or_create_room_by_external_binding("slack", 12, 34, {"type": "group"})
    assert store.calls[-1] == ("goc", ("slack", "12", "34", {"type": "group"}), {})
    assert room.external_bindings == {"slack": {"12": "34"}}
    store.get_or_create_room_by_external_binding("slack", "12", "34", None)
    assert store.calls[-1] == ("goc", ("slack", "12", "34", {}), {})

    store.directory_search("room", {"name": "x"})
    _, args, kwargs = store.calls[-1]
    assert args[0] is DirectoryTarget.ROOM
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


def test_attrs_are_copied_before_the_implementation_sees_them() -> None:
    store = Recording()
    attrs = {"type": "group"}
    store.get_or_create_room_by_external_binding("c", "b", "e", attrs)
    received = store.calls[-1][1][3]
    assert received == attrs
    assert received is not attrs


def test_onboarding_flows_are_deep_copied_before_the_implementation_sees_them() -> None:
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


def test_invalid_arguments_never_reach_the_implementation() -> None:
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


def test_wrapped_callbacks_keep_their_names_and_docs() -> None:
    assert MemoryAdapter.get_room.__name__ == "get_room"
    assert PersistenceAdapter.directory_lookup.__doc__
    assert "NotFound" in (PersistenceAdapter.directory_lookup.__doc__ or "")


def test_a_subclass_calling_super_is_checked_once_per_level() -> None:
    store = Recording()
    store.save_room(Room(id="r", type="group"))
    assert store.get_room("r").id == "r"
    assert store.calls == [("get_room", ("r",), {})]


# --- StoreClosed -----------------------------------------------------------------------


def test_closed_store_raises_before_the_implementation_runs() -> None:
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
    """A store whose get_room fails with whatever ``self.failure`` holds."""

    backend_errors: ClassVar[tuple[type[BaseException], ...]] = (BackendFailure, LookupError)

    def __init__(self, failure: BaseException) -> None:
        super().__init__()
        self.failure = failure

    def get_room(self, room_id: str) -> Room:
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
        def get_room(self, room_id: str) -> Room:
            raise BackendFailure("not listed")

    with pytest.raises(BackendFailure):
        Plain().get_room("r")


# --- the optional ingress trio -----------------------------------------------------------


def test_implementing_part_of_the_ingress_trio_is_a_type_error() -> None:
    with pytest.raises(TypeError) as one:

        class OnlySave(PersistenceAdapter):
            def save_ingress_subscription(self, subscription: Any) -> Any:
                return subscription

    assert "list_ingress_subscriptions" in str(one.value)
    assert "delete_ingress_subscription" in str(one.value)

    with pytest.raises(TypeError) as two:

        class TwoOfThree(PersistenceAdapter):
            def save_ingress_subscription(self, subscription: Any) -> Any:
                return subscription

            def list_ingress_subscriptions(self, bridge_id: Any, *, status: Any = None) -> Any:
                return []

    assert "delete_ingress_subscription" in str(two.value)
    assert "save_ingress_subscription" not in str(two.value).split("missing:")[1]


def test_memory_adapter_implements_the_whole_trio() -> None:
    assert MemoryAdapter.capabilities_of().ingress_subscriptions is True
    assert MemoryAdapter().capabilities.ingress_subscriptions is True


class NoIngress(MemoryAdapter):
    """The memory store with the base's NotSupported ingress defaults put back.

    Re-exporting the base's defaults is not implementing them: no ingress capability.
    """

    save_ingress_subscription = PersistenceAdapter.save_ingress_subscription  # type: ignore[assignment]
    list_ingress_subscriptions = PersistenceAdapter.list_ingress_subscriptions  # type: ignore[assignment]
    delete_ingress_subscription = PersistenceAdapter.delete_ingress_subscription  # type: ignore[assignment]


def test_without_the_trio_the_base_raises_not_supported() -> None:
    store = NoIngress()
    subscription = IngressSubscription(bridge_id="b", subscription_id="s", adapter_name="a")
    for name, call in (
        ("save_ingress_subscription", lambda: store.save_ingress_subscription(subscription)),
        ("list_ingress_subscriptions", lambda: store.list_ingress_subscriptions("b")),
        ("delete_ingress_subscription", lambda: store.delete_ingress_subscription("b", "s")),
    ):
        with pytest.raises(NotSupported) as caught:
            call()
        assert caught.value.callback == name
        assert "NoIngress" in str(caught.value)
    with pytest.raises(InvalidArgument):
        store.list_ingress_subscriptions("b", status="bogus")
    store.close()
    with pytest.raises(StoreClosed):
        store.list_ingress_subscriptions("b")


def test_capabilities_are_derived_from_the_class() -> None:
    class Durable(NoIngress):
        durable = True
        multi_process = True
        native_async = True

    assert Durable.capabilities_of() == Capabilities(
        ingress_subscriptions=False, durable=True, multi_process=True, native_async=True
    )
    assert NoIngress.capabilities_of().ingress_subscriptions is False
    assert MemoryAdapter.capabilities_of() == Capabilities(ingress_subscriptions=True)
    with pytest.raises(ValidationError):
        MemoryAdapter().capabilities.durable = True  # type: ignore[misc]


def test_a_class_that_inherits_the_base_trio_has_no_ingress_capability() -> None:
    minimal = _complete_adapter_without_ingress()
    assert minimal.capabilities_of().ingress_subscriptions is False
    check_adapter_class(minimal)
    store = minimal()
    with pytest.raises(NotSupported):
        store.list_ingress_subscriptions("b")


def _complete_adapter_without_ingress() -> type[PersistenceAdapter]:
    """A PersistenceAdapter subclass defining every required callback and no ingress one."""

    def make(name: str) -> Any:
        def callback(self: Any, *args: Any, **kwargs: Any) -> Any:
            return (name, args, kwargs)

        callback.__name__ = name
        return callback

    namespace = {name: make(name) for name in REQUIRED_CALLBACKS if name != "directory_lookup"}
    return type("Minimal", (PersistenceAdapter,), namespace)


def test_every_defined_callback_is_guarded() -> None:
    minimal = _complete_adapter_without_ingress()
    store = minimal()
    assert store.get_room("r") == ("get_room", ("r",), {})
    assert store.get_message_by_external_id("c", 1, 2) == (
        "get_message_by_external_id",
        ("c", "1", "2"),
        {},
    )
    assert store.list_rooms() == ("list_rooms", (), {"limit": 100})
    with pytest.raises(InvalidArgument):
        store.get_room(5)
    store.close()
    with pytest.raises(StoreClosed):
        store.get_room("r")


# --- check_adapter_class ------------------------------------------------------------------


def test_check_adapter_class_accepts_complete_classes() -> None:
    check_adapter_class(MemoryAdapter)
    check_adapter_class(NoIngress)


@pytest.mark.parametrize("not_a_class", [MemoryAdapter(), "jido:Adapter", 5, Room, object])
def test_check_adapter_class_rejects_non_adapters(not_a_class: Any) -> None:
    with pytest.raises(ConfigurationError):
        check_adapter_class(not_a_class)


def test_check_adapter_class_names_missing_callbacks() -> None:
    class Incomplete(PersistenceAdapter):
        def get_room(self, room_id: str) -> Room:
            raise NotFound("room", room_id)

    with pytest.raises(ConfigurationError) as caught:
        check_adapter_class(Incomplete)
    assert "save_room" in str(caught.value)
    assert "list_room_bindings" in str(caught.value)
    assert "get_room," not in str(caught.value)
    with pytest.raises(TypeError):
        Incomplete()  # type: ignore[abstract]


def test_check_adapter_class_rejects_a_partial_trio_patched_in_after_definition() -> None:
    patched = _complete_adapter_without_ingress()

    def save_ingress_subscription(self: Any, subscription: Any) -> Any:
        return subscription

    patched.save_ingress_subscription = save_ingress_subscription  # type: ignore[method-assign]
    with pytest.raises(ConfigurationError) as caught:
        check_adapter_class(patched)
    assert "ingress" in str(caught.value)


def test_callback_tables() -> None:
    assert len(CALLBACK_CHECKS) == 38
    assert set(OPTIONAL_CALLBACKS) | set(REQUIRED_CALLBACKS) == set(CALLBACK_CHECKS)
    assert not set(OPTIONAL_CALLBACKS) & set(REQUIRED_CALLBACKS)
    abstract = PersistenceAdapter.__abstractmethods__
    assert abstract == set(REQUIRED_CALLBACKS) - {"directory_lookup"}
    assert len(abstract) == 34


# --- options and hooks ---------------------------------------------------------------------


class Sized(AdapterOptions):
    """Options with a typed field."""

    path: str = "x"
    size: int = 1


def test_options_parse() -> None:
    assert Sized.parse({"size": "3"}).size == 3
    with pytest.raises(ConfigurationError) as unknown:
        Sized.parse({"sise": 3})
    assert "sise" in str(unknown.value)
    assert "path, size" in str(unknown.value)
    with pytest.raises(ConfigurationError) as invalid:
        Sized.parse({"size": "many"})
    assert "size" in str(invalid.value)
    assert isinstance(invalid.value.__cause__, ValidationError)


def test_memory_adapter_takes_no_options() -> None:
    with pytest.raises(ConfigurationError) as caught:
        MemoryAdapter(path="x")
    assert "valid options: none" in str(caught.value)


def test_test_hooks() -> None:
    assert PersistenceAdapter.fresh_store_url(Path("/tmp"), "u") is None
    assert MemoryAdapter.fresh_store_url(Path("/tmp"), "u") == "memory://"
    assert PersistenceAdapter.destroy_store("memory://") is None
    assert isinstance(MemoryAdapter(), SupportsRawIndex)
    assert not isinstance(_complete_adapter_without_ingress()(), SupportsRawIndex)
    url = StoreUrl.parse("tinydb:///chat.json?x=1")
    options = PersistenceAdapter.url_options(url)
    assert options["x"] == "1"
    assert "path" in options
    assert MemoryAdapter.url_options(StoreUrl.parse("memory://")) == {}


class _RoomLookupMixin:
    """A plain mixin (not a PersistenceAdapter) providing one callback."""

    def get_room(self, room_id: str) -> Room:
        return Room(id=room_id, type=RoomType.GROUP)


def test_callbacks_inherited_from_a_plain_mixin_are_guarded() -> None:
    """A callback that comes from a non-adapter mixin gets the checks and StoreClosed too."""

    class MixedAdapter(_RoomLookupMixin, MemoryAdapter):
        pass

    store = MixedAdapter()
    with pytest.raises(InvalidArgument):
        store.get_room("")
    assert store.get_room("r").id == "r"
    store.close()
    with pytest.raises(StoreClosed):
        store.get_room("r")
