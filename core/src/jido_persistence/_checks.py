"""Per-callback argument checks, run by ``PersistenceAdapter``'s guard before every hook.

Each check has the callback's own signature (without ``self``), validates its
arguments in the order the contract gives and returns them normalised as
``(args, kwargs)``: ints in external-id positions become strings, ``attrs=None``
becomes ``{}``, targets and statuses become enums, directory queries become
:class:`~jido_persistence.validation.DirectoryQuery`.  Existence checks (a cursor that
names a record, a record to update) are the adapter's, since only it knows the data.
The table :data:`jido_persistence.callbacks.CALLBACKS` names the check of each callback.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final

from jido_persistence.errors import InvalidArgument
from jido_persistence.models import (
    BridgeConfig,
    IngressSubscription,
    Message,
    Participant,
    Room,
    RoutingPolicy,
    Thread,
)
from jido_persistence.records import RECORD_CLASSES, MessageRecord, Record
from jido_persistence.validation import (
    DirectoryQuery,
    message_external_key,
    normalize_external_id,
    require_after_cursor,
    require_attrs,
    require_aware_datetime,
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
    require_thread_attrs,
)

Normalised = tuple[tuple[Any, ...], dict[str, Any]]

ERASE_MODES: Final = ("delete", "redact")
"""The values of ``erase_participant(messages=...)``."""


def _single(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> object:
    """Return the one argument of a one-argument callback, given by position or name."""
    if len(args) + len(kwargs) == 1 and (args or name in kwargs):
        return args[0] if args else kwargs[name]
    raise TypeError(f"expected exactly one argument, {name}")


def _save(name: str, model: type[Any]) -> Callable[..., Normalised]:
    def check(*args: Any, **kwargs: Any) -> Normalised:
        return (require_instance(name, _single(name, args, kwargs), model),), {}

    return check


def by_id(name: str) -> Callable[..., Normalised]:
    """The check of a callback whose one argument is an id called ``name``."""

    def check(*args: Any, **kwargs: Any) -> Normalised:
        return (require_id(name, _single(name, args, kwargs)),), {}

    return check


def no_arguments() -> Normalised:
    """The check of a callback without arguments (``health_check``)."""
    return (), {}


save_room = _save("room", Room)
save_participant = _save("participant", Participant)
save_thread = _save("thread", Thread)
save_bridge_config = _save("config", BridgeConfig)
save_routing_policy = _save("policy", RoutingPolicy)
save_ingress_subscription = _save("subscription", IngressSubscription)


def list_rooms(*, limit: object = 100, after: object = None) -> Normalised:
    """``list_rooms(*, limit, after)``: a limit and an optional room id cursor."""
    return (), {"limit": require_limit(limit), "after": require_after_cursor(after)}


def list_participants(*, limit: object = 100, after: object = None) -> Normalised:
    """``list_participants(*, limit, after)``."""
    return (), {"limit": require_limit(limit), "after": require_after_cursor(after)}


def list_onboardings(*, limit: object = 100, after: object = None) -> Normalised:
    """``list_onboardings(*, limit, after)``."""
    return (), {"limit": require_limit(limit), "after": require_after_cursor(after)}


def save_message(message: object) -> Normalised:
    """``save_message(message)``: a Message whose external key, when set, is well formed."""
    checked = require_instance("message", message, Message)
    message_external_key(checked)
    return (checked,), {}


def import_records(records: object) -> Normalised:
    """``import_records(records)``: an iterable of records, each checked as it is read.

    The records are not read here (an import streams): the hook gets an iterator that
    raises InvalidArgument, naming the record's position, for a value that is not a
    record of :data:`~jido_persistence.records.Record`, an instance from
    ``model_construct()`` that its model would reject, or a message whose external key
    ``save_message`` would refuse.  The hook must then write nothing.
    """
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        raise InvalidArgument(
            f"records must be an iterable of export records, got {type(records).__name__}"
        )
    return (_checked_records(records),), {}


_RECORD_CLASS_OF: Final[dict[type, type]] = {cls: cls for cls in RECORD_CLASSES}
"""Each record class by itself: a record of the class itself is found in one look-up."""


def _checked_records(records: Iterable[object]) -> Iterator[Record]:
    for number, record in enumerate(records, 1):
        model = _RECORD_CLASS_OF.get(type(record)) or next(
            (cls for cls in RECORD_CLASSES if isinstance(record, cls)), None
        )
        if model is None:
            raise InvalidArgument(
                f"record {number} must be an export record (jido_persistence.records), "
                f"got {type(record).__name__}"
            )
        checked: Record = require_instance(f"record {number}", record, model)
        if isinstance(checked, MessageRecord):
            message_external_key(checked.record)
        yield checked


def bulk_messages(messages: object) -> Normalised:
    """``bulk_save_messages(messages)``: every message checked as ``save_message`` checks it.

    The iterable is read once, into a list, before anything is written.
    """
    if not isinstance(messages, Iterable):
        raise InvalidArgument(f"messages must be an iterable of Message, got {messages!r:.60}")
    return ([save_message(message)[0][0] for message in messages],), {}


def ingest_message(message: object) -> Normalised:
    """``ingest_message(message)``: a Message with a complete external key."""
    checked = require_instance("message", message, Message)
    if message_external_key(checked) is None:
        raise InvalidArgument(
            "ingest_message needs a complete external key: external_id, "
            'metadata["channel"] and metadata["bridge_id"]'
        )
    return (checked,), {}


def get_messages(
    room_id: object,
    *,
    limit: object = 50,
    before: object = None,
    after: object = None,
    thread_id: object = None,
) -> Normalised:
    """``get_messages``: room, limit, cursor shape, thread, in the contract's order."""
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


def delete_messages(room_id: object, *, before: object, thread_id: object = None) -> Normalised:
    """``delete_messages(room_id, *, before, thread_id=None)``: ``before`` must be aware."""
    room = require_id("room_id", room_id)
    checked_before = require_aware_datetime("before", before)
    thread = None if thread_id is None else require_id("thread_id", thread_id)
    return (room,), {"before": checked_before, "thread_id": thread}


def erase_participant(participant_id: object, *, messages: object = "delete") -> Normalised:
    """``erase_participant(participant_id, *, messages="delete" | "redact")``."""
    participant = require_id("participant_id", participant_id)
    if not isinstance(messages, str) or messages not in ERASE_MODES:
        raise InvalidArgument(f"messages must be 'delete' or 'redact', got {messages!r:.60}")
    return (participant,), {"messages": str(messages)}


def thread_external_key(room_id: object, external_thread_id: object) -> Normalised:
    """``(room_id, external_thread_id)``, the external id normalised."""
    return (
        require_id("room_id", room_id),
        normalize_external_id(external_thread_id, "external_thread_id"),
    ), {}


def thread_root_key(room_id: object, root_message_id: object) -> Normalised:
    """``(room_id, root_message_id)``."""
    return (require_id("room_id", room_id), require_id("root_message_id", root_message_id)), {}


def list_threads(room_id: object, *, limit: object = 100, after: object = None) -> Normalised:
    """``list_threads(room_id, *, limit, after)``."""
    return (require_id("room_id", room_id),), {
        "limit": require_limit(limit),
        "after": require_after_cursor(after),
    }


def get_or_create_thread(
    room_id: object, external_thread_id: object, attrs: object = None
) -> Normalised:
    """``get_or_create_thread_by_external_id``: the thread key and Thread-field attrs."""
    return (
        require_id("room_id", room_id),
        normalize_external_id(external_thread_id, "external_thread_id"),
        require_thread_attrs(attrs),
    ), {}


def _room_key(channel: object, bridge_id: object, external_id: object) -> tuple[str, str, str]:
    return (
        require_channel(channel),
        normalize_external_id(bridge_id, "bridge_id"),
        normalize_external_id(external_id, "external_id"),
    )


def get_or_create_room(
    channel: object, bridge_id: object, external_id: object, attrs: object = None
) -> Normalised:
    """``get_or_create_room_by_external_binding``: the binding key and attrs."""
    return (*_room_key(channel, bridge_id, external_id), require_attrs(attrs)), {}


def get_or_create_participant(
    channel: object, external_id: object, attrs: object = None
) -> Normalised:
    """``get_or_create_participant_by_external_id``: the participant key and attrs."""
    return (
        require_channel(channel),
        normalize_external_id(external_id, "external_id"),
        require_attrs(attrs),
    ), {}


def room_key(channel: object, bridge_id: object, external_id: object) -> Normalised:
    """A ``(channel, bridge_id, external_id)`` lookup."""
    return _room_key(channel, bridge_id, external_id), {}


def update_message_external_id(message_id: object, external_id: object) -> Normalised:
    """``update_message_external_id(message_id, external_id)``."""
    return (require_id("message_id", message_id), normalize_external_id(external_id)), {}


def create_room_binding(
    room_id: object,
    channel: object,
    bridge_id: object,
    external_id: object,
    attrs: object = None,
) -> Normalised:
    """``create_room_binding``: room id, binding key and RoomBinding-field attrs."""
    return (
        require_id("room_id", room_id),
        *_room_key(channel, bridge_id, external_id),
        require_binding_attrs(attrs),
    ), {}


def directory_search(target: object, query: object, *, limit: object = None) -> Normalised:
    """``directory_search``: target enum, parsed query, optional limit."""
    checked_target = require_directory_target(target)
    parsed = DirectoryQuery.parse(query)
    return (checked_target, parsed), {"limit": require_optional_limit(limit)}


def directory_lookup(target: object, query: object) -> Normalised:
    """``directory_lookup``: target enum and parsed query."""
    checked_target = require_directory_target(target)
    return (checked_target, DirectoryQuery.parse(query)), {}


def save_onboarding(flow: object) -> Normalised:
    """``save_onboarding(flow)``: a mapping with an onboarding id and JSON values only."""
    return (require_onboarding_flow(flow),), {}


def list_bridge_configs(*, enabled: object = None) -> Normalised:
    """``list_bridge_configs(*, enabled=None)``."""
    return (), {"enabled": require_enabled_filter(enabled)}


def list_ingress_subscriptions(bridge_id: object, *, status: object = None) -> Normalised:
    """``list_ingress_subscriptions(bridge_id, *, status=None)``."""
    return (normalize_external_id(bridge_id, "bridge_id"),), {
        "status": require_ingress_status(status)
    }


def delete_ingress_subscription(bridge_id: object, subscription_id: object) -> Normalised:
    """``delete_ingress_subscription(bridge_id, subscription_id)``."""
    return (
        normalize_external_id(bridge_id, "bridge_id"),
        require_id("subscription_id", subscription_id),
    ), {}


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
    check: Callable[..., Normalised],
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
    A key that is one of the normalised arguments itself (the parsed query of
    ``directory_lookup``) is replaced by the caller's argument in that position.  Any
    other key is the adapter's own and is returned unchanged.
    """
    given = _in_order(check, args, kwargs)
    if isinstance(key, tuple) and 1 < len(key) <= len(checked_args):
        if key == checked_args[: len(key)]:
            return tuple(given[: len(key)])
        return key
    if checked_args and given and key == checked_args[0]:
        return given[0]
    for position, checked in enumerate(checked_args[: len(given)]):
        if key is checked:
            return given[position]
    return key
