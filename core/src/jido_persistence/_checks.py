"""Per-callback argument checks, run by ``PersistenceAdapter`` before every callback.

Each check has the callback's own signature (without ``self``), validates its
arguments in the order the contract gives and returns them normalised as
``(args, kwargs)``: ints in external-id positions become strings, ``attrs=None``
becomes ``{}``, targets and statuses become enums.  Existence checks (a cursor that
names a message, a record to update) are the adapter's, since only it knows the data.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Final

from jido_persistence.models import (
    BridgeConfig,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoutingPolicy,
    Thread,
)
from jido_persistence.validation import (
    DirectoryQuery,
    message_external_key,
    normalize_external_id,
    require_attrs,
    require_binding_attrs,
    require_channel,
    require_cursors,
    require_directory_target,
    require_enabled_filter,
    require_id,
    require_ingress_status,
    require_instance,
    require_limit,
    require_onboarding_flow,
    require_optional_limit,
)

Normalised = tuple[tuple[Any, ...], dict[str, Any]]


def _single(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> object:
    """Return the one argument of a one-argument callback, given by position or name."""
    if len(args) + len(kwargs) == 1 and (args or name in kwargs):
        return args[0] if args else kwargs[name]
    raise TypeError(f"expected exactly one argument, {name}")


def _save(name: str, model: type[Any]) -> Callable[..., Normalised]:
    def check(*args: Any, **kwargs: Any) -> Normalised:
        return (require_instance(name, _single(name, args, kwargs), model),), {}

    return check


def _by_id(name: str) -> Callable[..., Normalised]:
    def check(*args: Any, **kwargs: Any) -> Normalised:
        return (require_id(name, _single(name, args, kwargs)),), {}

    return check


def _list_rooms(*, limit: object = 100) -> Normalised:
    return (), {"limit": require_limit(limit)}


def _save_message(message: object) -> Normalised:
    checked = require_instance("message", message, Message)
    message_external_key(checked)
    return (checked,), {}


def _get_messages(
    room_id: object,
    *,
    limit: object = 50,
    before: object = None,
    after: object = None,
    thread_id: object = None,
) -> Normalised:
    room = require_id("room_id", room_id)
    checked_limit = require_limit(limit)
    checked_before, checked_after = require_cursors(before, after)
    thread = None if thread_id is None else require_id("thread_id", thread_id)
    return (room,), {
        "limit": checked_limit,
        "before": checked_before,
        "after": checked_after,
        "thread_id": thread,
    }


def _get_thread_by_external_id(room_id: object, external_thread_id: object) -> Normalised:
    return (
        require_id("room_id", room_id),
        normalize_external_id(external_thread_id, "external_thread_id"),
    ), {}


def _get_thread_by_root_message(room_id: object, root_message_id: object) -> Normalised:
    return (require_id("room_id", room_id), require_id("root_message_id", root_message_id)), {}


def _list_threads(room_id: object, *, limit: object = 100) -> Normalised:
    return (require_id("room_id", room_id),), {"limit": require_limit(limit)}


def _room_key(channel: object, bridge_id: object, external_id: object) -> tuple[str, str, str]:
    return (
        require_channel(channel),
        normalize_external_id(bridge_id, "bridge_id"),
        normalize_external_id(external_id, "external_id"),
    )


def _get_or_create_room(
    channel: object, bridge_id: object, external_id: object, attrs: object = None
) -> Normalised:
    return (*_room_key(channel, bridge_id, external_id), require_attrs(attrs)), {}


def _get_or_create_participant(
    channel: object, external_id: object, attrs: object = None
) -> Normalised:
    return (
        require_channel(channel),
        normalize_external_id(external_id, "external_id"),
        require_attrs(attrs),
    ), {}


def _room_key_lookup(channel: object, bridge_id: object, external_id: object) -> Normalised:
    return _room_key(channel, bridge_id, external_id), {}


def _update_message_external_id(message_id: object, external_id: object) -> Normalised:
    return (require_id("message_id", message_id), normalize_external_id(external_id)), {}


def _create_room_binding(
    room_id: object,
    channel: object,
    bridge_id: object,
    external_id: object,
    attrs: object = None,
) -> Normalised:
    return (
        require_id("room_id", room_id),
        *_room_key(channel, bridge_id, external_id),
        require_binding_attrs(attrs),
    ), {}


def _directory_search(target: object, query: object, *, limit: object = None) -> Normalised:
    checked_target = require_directory_target(target)
    DirectoryQuery.parse(query)
    return (checked_target, query), {"limit": require_optional_limit(limit)}


def _directory_lookup(target: object, query: object) -> Normalised:
    checked_target = require_directory_target(target)
    DirectoryQuery.parse(query)
    return (checked_target, query), {}


def _save_onboarding(flow: object) -> Normalised:
    return (require_onboarding_flow(flow),), {}


def _list_bridge_configs(*, enabled: object = None) -> Normalised:
    return (), {"enabled": require_enabled_filter(enabled)}


def _list_ingress_subscriptions(bridge_id: object, *, status: object = None) -> Normalised:
    return (normalize_external_id(bridge_id, "bridge_id"),), {
        "status": require_ingress_status(status)
    }


def _delete_ingress_subscription(bridge_id: object, subscription_id: object) -> Normalised:
    return (
        normalize_external_id(bridge_id, "bridge_id"),
        require_id("subscription_id", subscription_id),
    ), {}


CALLBACK_CHECKS: Final[dict[str, Callable[..., Normalised]]] = {
    "save_room": _save("room", Room),
    "get_room": _by_id("room_id"),
    "delete_room": _by_id("room_id"),
    "list_rooms": _list_rooms,
    "save_participant": _save("participant", Participant),
    "get_participant": _by_id("participant_id"),
    "delete_participant": _by_id("participant_id"),
    "save_message": _save_message,
    "get_message": _by_id("message_id"),
    "get_messages": _get_messages,
    "delete_message": _by_id("message_id"),
    "save_thread": _save("thread", Thread),
    "get_thread": _by_id("thread_id"),
    "get_thread_by_external_id": _get_thread_by_external_id,
    "get_thread_by_root_message": _get_thread_by_root_message,
    "list_threads": _list_threads,
    "get_or_create_room_by_external_binding": _get_or_create_room,
    "get_or_create_participant_by_external_id": _get_or_create_participant,
    "get_message_by_external_id": _room_key_lookup,
    "update_message_external_id": _update_message_external_id,
    "get_room_by_external_binding": _room_key_lookup,
    "create_room_binding": _create_room_binding,
    "list_room_bindings": _by_id("room_id"),
    "delete_room_binding": _by_id("binding_id"),
    "directory_search": _directory_search,
    "directory_lookup": _directory_lookup,
    "save_onboarding": _save_onboarding,
    "get_onboarding": _by_id("onboarding_id"),
    "save_bridge_config": _save("config", BridgeConfig),
    "get_bridge_config": _by_id("bridge_config_id"),
    "list_bridge_configs": _list_bridge_configs,
    "delete_bridge_config": _by_id("bridge_config_id"),
    "save_routing_policy": _save("policy", RoutingPolicy),
    "get_routing_policy": _by_id("room_id"),
    "delete_routing_policy": _by_id("room_id"),
    "save_ingress_subscription": _save("subscription", IngressSubscription),
    "list_ingress_subscriptions": _list_ingress_subscriptions,
    "delete_ingress_subscription": _delete_ingress_subscription,
}
"""The argument check of every callback, by callback name."""


def _in_order(
    check: Callable[..., Normalised], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> list[Any]:
    """The caller's arguments in the callback's parameter order (``*args`` flattened)."""
    given: list[Any] = []
    bound = inspect.signature(check).bind(*args, **kwargs)
    for parameter in bound.signature.parameters.values():
        if parameter.name not in bound.arguments:
            continue
        value = bound.arguments[parameter.name]
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            given.extend(value)
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            given.extend(value.values())
        else:
            given.append(value)
    return given


def key_as_given(
    name: str,
    key: object,
    checked_args: tuple[Any, ...],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> object:
    """``NotFound.key`` restated with the caller's own arguments (contract section 5).

    An adapter raises NotFound with the normalised arguments it was handed (``"7"``
    for an external id given as ``7``); the contract wants the argument as given.
    When ``key`` is the normalised first argument, or the tuple of the leading
    normalised arguments, the same positions of the caller's arguments replace it.
    Any other key is the adapter's own and is returned unchanged.
    """
    given = _in_order(CALLBACK_CHECKS[name], args, kwargs)
    if isinstance(key, tuple) and 1 < len(key) <= len(checked_args):
        if key == checked_args[: len(key)]:
            return tuple(given[: len(key)])
        return key
    if checked_args and given and key == checked_args[0]:
        return given[0]
    return key
