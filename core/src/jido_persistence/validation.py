"""Argument validation and normalisation shared by every adapter (contract section 3).

:class:`~jido_persistence.adapter.PersistenceAdapter` runs these checks before any
callback reaches an adapter, so every backend answers bad input alike and before the
backend is called.  Adapters may call the helpers again (they are idempotent) to get
typed, normalised values.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, TypeGuard, TypeVar

from pydantic import BaseModel, ValidationError

from jido_persistence._recheck import recheck
from jido_persistence._text import (
    INT64_MAX,
    MAX_KEY_LENGTH,
    json_problem,
    name_fold,
    text_problem,
)
from jido_persistence.errors import (
    InvalidArgument,
    InvalidCursor,
    InvalidDirectoryTarget,
    InvalidLimit,
    InvalidOnboardingId,
)
from jido_persistence.models import DirectoryTarget, IngressStatus, Message, RoomBinding, Thread

__all__ = [
    "DirectoryQuery",
    "MessageKey",
    "build_record",
    "check_text_argument",
    "checked_message_key",
    "message_external_key",
    "normalize_external_id",
    "require_after_cursor",
    "require_attrs",
    "require_aware_datetime",
    "require_binding_attrs",
    "require_channel",
    "require_cursors",
    "require_directory_target",
    "require_enabled_filter",
    "require_id",
    "require_ingress_status",
    "require_instance",
    "require_limit",
    "require_onboarding_flow",
    "require_optional_limit",
    "require_thread_attrs",
    "room_binding_record",
]

ModelT = TypeVar("ModelT", bound=BaseModel)

MessageKey = tuple[str, str, str]
"""The external-id key of a message: ``(channel, bridge_id, external_id)``, normalised."""

BINDING_ATTR_KEYS: Final = frozenset({"id", "direction", "enabled", "inserted_at"})
THREAD_ATTR_KEYS: Final = frozenset(Thread.model_fields) - {"room_id", "external_thread_id"}
DIRECTORY_QUERY_KEYS: Final = ("id", "name", "channel", "bridge_id", "external_id")


def _describe(value: object) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def check_text_argument(name: str, value: str) -> str:
    """Raise :class:`InvalidArgument` when ``value`` holds U+0000 or a lone surrogate."""
    problem = text_problem(value)
    if problem:
        raise InvalidArgument(f"{name} {problem}")
    return value


def require_id(name: str, value: object) -> str:
    """Return ``value`` when it is a usable id: a non-empty ``str`` of <= 512 code points.

    Raises :class:`InvalidArgument` naming ``name`` otherwise.
    """
    if type(value) is not str:
        if not isinstance(value, str):
            raise InvalidArgument(f"{name} must be a non-empty string, got {_describe(value)}")
        value = str(value)
    if not value:
        raise InvalidArgument(f"{name} must be a non-empty string, got ''")
    if len(value) > MAX_KEY_LENGTH:
        raise InvalidArgument(f"{name} is longer than {MAX_KEY_LENGTH} code points")
    return check_text_argument(name, value)


def require_channel(value: object, name: str = "channel") -> str:
    """Return ``value`` when it is a valid channel (a non-empty ``str``), else raise."""
    return require_id(name, value)


def normalize_external_id(value: object, name: str = "external_id") -> str:
    """Return the normalised form of a bridge id or external id.

    ``int`` values (not ``bool``) become their decimal string, so ``123`` and ``"123"``
    are the same key; non-empty ``str`` values are returned as they are.  Anything else,
    an empty string, a string over 512 code points or one holding U+0000 or a lone
    surrogate raises :class:`InvalidArgument` naming ``name``.
    """
    if type(value) is str:  # the common case first: two isinstance tests cost ~0.15 us
        return require_id(name, value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidArgument(f"{name} must be a str or an int, got {_describe(value)}")
    if isinstance(value, int):
        # Bound-check before str(): the decimal form must fit the key length, and
        # str() of an int over 4300 digits raises ValueError rather than InvalidArgument.
        if not -(10 ** (MAX_KEY_LENGTH - 1)) < value < 10**MAX_KEY_LENGTH:
            raise InvalidArgument(f"{name} is longer than {MAX_KEY_LENGTH} code points")
        return str(int(value))
    return require_id(name, value)


def require_limit(value: object, name: str = "limit") -> int:
    """Return ``value`` when it is an ``int`` (not ``bool``) in ``0..2**63-1``.

    Raises :class:`InvalidLimit` otherwise.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidLimit(f"{name} must be an int, got {_describe(value)}")
    if not 0 <= value <= INT64_MAX:
        raise InvalidLimit(f"{name} must be between 0 and 2**63 - 1, got {value}")
    return int(value)


def require_optional_limit(value: object, name: str = "limit") -> int | None:
    """Like :func:`require_limit`, but ``None`` (no limit) is accepted."""
    return None if value is None else require_limit(value, name)


def require_cursors(before: object, after: object) -> tuple[str | None, str | None]:
    """Check the shape of ``get_messages`` cursors: at most one, each a non-empty ``str``.

    Raises :class:`InvalidCursor`; whether the cursor exists is the adapter's check.
    """
    if before is not None and after is not None:
        raise InvalidCursor("give at most one of before= and after=, not both")
    for name, cursor in (("before", before), ("after", after)):
        if cursor is None:
            continue
        if not isinstance(cursor, str) or not cursor:
            raise InvalidCursor(f"{name} must be a non-empty message id, got {_describe(cursor)}")
        problem = text_problem(cursor)
        if problem or len(cursor) > MAX_KEY_LENGTH:
            raise InvalidCursor(f"{name} {problem or 'is longer than 512 code points'}")
    return (
        str(before) if before is not None else None,
        str(after) if after is not None else None,
    )


def require_after_cursor(value: object, name: str = "after") -> str | None:
    """Check an enumeration cursor: ``None``, or a non-empty ``str`` id of <= 512 code points.

    Raises :class:`InvalidCursor`; whether the record exists is the adapter's check.
    """
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidCursor(f"{name} must be a non-empty id, got {_describe(value)}")
    problem = text_problem(value)
    if problem or len(value) > MAX_KEY_LENGTH:
        raise InvalidCursor(f"{name} {problem or 'is longer than 512 code points'}")
    return str(value)


def require_aware_datetime(name: str, value: object) -> datetime:
    """Return ``value`` in UTC when it is a timezone-aware ``datetime``.

    Raises :class:`InvalidArgument` for a naive datetime or any other type.
    """
    if not isinstance(value, datetime):
        raise InvalidArgument(f"{name} must be a datetime, got {_describe(value)}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidArgument(f"{name} must be timezone-aware, got the naive {value.isoformat()}")
    return value.astimezone(UTC)


def require_instance(name: str, value: object, model: type[ModelT]) -> ModelT:
    """Return ``value`` when it is an instance of ``model`` that ``model`` would accept.

    Raises :class:`InvalidArgument` for anything else: another type, or an instance
    from ``model_construct()``/``model_copy(update=...)`` (nested models included) that
    the model would reject or store differently (contract 9.0); the message names the
    fields at fault, never their values.  A validated instance costs one dictionary
    lookup per model instance (the record and each nested part); see
    :func:`jido_persistence._recheck.recheck`.
    """
    if not isinstance(value, model):
        raise InvalidArgument(
            f"{name} must be a {model.__name__} instance, got {type(value).__name__}"
        )
    try:
        return recheck(value, model, name)
    except ValueError as error:
        raise InvalidArgument(str(error)) from None


def require_directory_target(value: object) -> DirectoryTarget:
    """Return ``value`` as a :class:`DirectoryTarget`, else raise InvalidDirectoryTarget."""
    if isinstance(value, str):
        try:
            return DirectoryTarget(value)
        except ValueError:
            pass
    raise InvalidDirectoryTarget(
        f"directory target must be 'participant' or 'room', got {_describe(value)}"
    )


def require_enabled_filter(value: object) -> bool | None:
    """Return ``value`` when it is ``True``, ``False`` or ``None``, else raise."""
    if value is None or isinstance(value, bool):
        return value
    raise InvalidArgument(f"enabled must be a bool or None, got {_describe(value)}")


def require_ingress_status(value: object) -> IngressStatus | None:
    """Return ``value`` as an :class:`IngressStatus` (or ``None``), else raise."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return IngressStatus(value)
        except ValueError:
            pass
    valid = ", ".join(status.value for status in IngressStatus)
    raise InvalidArgument(f"status must be one of {valid} or None, got {_describe(value)}")


def require_attrs(value: object, name: str = "attrs") -> dict[str, Any]:
    """Return a copy of ``value`` as a dict (``None`` gives ``{}``); non-mappings raise."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidArgument(f"{name} must be a mapping or None, got {_describe(value)}")
    for key in value:
        if not isinstance(key, str):
            raise InvalidArgument(f"{name} keys must be strings, got {_describe(key)}")
    return dict(value)


def _require_attr_keys(value: object, allowed: frozenset[str], what: str) -> dict[str, Any]:
    attrs = require_attrs(value)
    unknown = sorted(set(attrs) - allowed)
    if unknown:
        raise InvalidArgument(f"unknown {what} attrs {unknown}; valid keys: {sorted(allowed)}")
    return attrs


def require_binding_attrs(value: object) -> dict[str, Any]:
    """Return ``create_room_binding`` attrs, whose keys must be RoomBinding field names."""
    return _require_attr_keys(value, BINDING_ATTR_KEYS, "room binding")


def require_thread_attrs(value: object) -> dict[str, Any]:
    """Return get-or-create thread attrs: ``Thread`` field names other than the key's.

    ``room_id`` and ``external_thread_id`` come from the arguments, so giving them (or
    a key that is no Thread field) raises :class:`InvalidArgument`.
    """
    return _require_attr_keys(value, THREAD_ATTR_KEYS, "thread")


def build_record(model: type[ModelT], attrs: Mapping[str, Any], **overrides: Any) -> ModelT:
    """Build ``model`` from ``attrs`` with ``overrides`` replacing the same fields.

    A pydantic ``ValidationError`` becomes :class:`InvalidArgument`, chained as cause.
    """
    try:
        return model.model_validate({**attrs, **overrides})
    except ValidationError as error:
        raise InvalidArgument(f"invalid attrs for {model.__name__}: {error}") from error


def room_binding_record(
    room_id: str,
    key: tuple[str, str, str],
    attrs: Mapping[str, Any],
    existing: RoomBinding | None,
    id_taken: Callable[[str], bool],
) -> RoomBinding:
    """The record ``create_room_binding`` stores for ``(room_id, key)``; writes nothing.

    Every attr is validated (InvalidArgument, pydantic error as cause).  ``existing`` is
    the record already held for ``(room_id, key)``: it keeps its id and inserted_at and
    takes only the ``direction`` and ``enabled`` present in ``attrs``.  An ``attrs`` id
    for which ``id_taken`` is true and that is not ``existing``'s raises InvalidArgument
    (it names a record of another room or key).  Every adapter calls this, so the upsert
    rule is written once.
    """
    candidate = build_record(
        RoomBinding,
        attrs,
        room_id=room_id,
        channel=key[0],
        bridge_id=key[1],
        external_room_id=key[2],
    )
    if (
        "id" in attrs
        and (existing is None or candidate.id != existing.id)
        and id_taken(candidate.id)
    ):
        raise InvalidArgument(f"binding id {candidate.id!r} belongs to another room or key")
    if existing is None:
        return candidate
    changes: dict[str, Any] = {
        name: getattr(candidate, name) for name in ("direction", "enabled") if name in attrs
    }
    return existing.model_copy(update=changes)


def require_onboarding_flow(flow: object) -> dict[str, Any]:
    """Validate an onboarding flow and return the store's own deep copy of it.

    Checked in order: a mapping (else InvalidArgument); ``flow["onboarding_id"]`` a
    non-empty string (else InvalidOnboardingId); JSON values only, no U+0000 or lone
    surrogate anywhere (else InvalidArgument).
    """
    if not isinstance(flow, Mapping):
        raise InvalidArgument(f"an onboarding flow must be a mapping, got {_describe(flow)}")
    onboarding_id = flow.get("onboarding_id")
    if not isinstance(onboarding_id, str) or not onboarding_id:
        raise InvalidOnboardingId(
            f"flow['onboarding_id'] must be a non-empty string, got {_describe(onboarding_id)}"
        )
    as_dict = dict(flow)
    problem = json_problem(as_dict, "flow")
    if problem:
        raise InvalidArgument(f"an onboarding flow must hold JSON values only: {problem}")
    if len(onboarding_id) > MAX_KEY_LENGTH:
        raise InvalidOnboardingId("flow['onboarding_id'] is longer than 512 code points")
    return copy.deepcopy(as_dict)


def message_external_key(message: Message) -> MessageKey | None:
    """Return the external-id key of ``message``, or ``None`` when it has none.

    The key is ``(metadata["channel"], metadata["bridge_id"], external_id)``, complete
    when all three are present and not ``None``.  When ``external_id`` is set, a channel
    that is not a non-empty ``str`` or a bridge id that is not ``str``/``int`` raises
    :class:`InvalidArgument`.
    """
    external_id = message.external_id
    if external_id is None:
        return None
    channel = message.metadata.get("channel")
    bridge_id = message.metadata.get("bridge_id")
    if _plain_key_part(channel) and _plain_key_part(bridge_id):
        # The common key of two ASCII strings: what the checks below accept as it is.
        return (channel, bridge_id, external_id)
    if channel is not None:
        channel = require_channel(channel, 'metadata["channel"]')
    if bridge_id is not None:
        bridge_id = normalize_external_id(bridge_id, 'metadata["bridge_id"]')
    if channel is None or bridge_id is None:
        return None
    return (channel, bridge_id, external_id)


def _plain_key_part(value: object) -> TypeGuard[str]:
    """Whether ``value`` is an ASCII ``str`` that :func:`require_id` returns as it is:
    not empty, at most :data:`MAX_KEY_LENGTH` code points, no NUL."""
    return (
        type(value) is str
        and 0 < len(value) <= MAX_KEY_LENGTH
        and value.isascii()
        and "\x00" not in value
    )


def checked_message_key(message: Message) -> MessageKey:
    """The complete external key of a message that :func:`message_external_key` already
    accepted (the ``ingest_message`` guard checks it): read, not re-validated.  O(1).

    Equal to ``message_external_key(message)`` for every such message; raises KeyError
    or TypeError on a message whose key is incomplete.
    """
    metadata = message.metadata
    channel, external_id = metadata["channel"], message.external_id
    if not isinstance(channel, str) or external_id is None:
        raise TypeError("the message has no complete external key")
    return (channel, str(metadata["bridge_id"]), external_id)


@dataclass(frozen=True, slots=True)
class DirectoryQuery:
    """A validated directory query; absent and ``None`` filters are ``None``.

    ``name_fold`` is the name filter's :func:`~jido_persistence.directory.name_fold`; a
    record's name matches when it is a ``str`` whose fold contains ``name_fold`` as a
    literal substring.  :func:`~jido_persistence.directory.directory_key` gives the
    external key the query filters on.
    """

    id: str | None = None
    name: str | None = None
    channel: str | None = None
    bridge_id: str | None = None
    external_id: str | None = None

    @property
    def name_fold(self) -> str | None:
        """The folded name filter (:func:`~jido_persistence.directory.name_fold`), or ``None``."""
        return name_fold(self.name)

    @classmethod
    def parse(cls, query: object) -> DirectoryQuery:
        """Validate a directory query mapping; unknown keys are ignored.

        Raises :class:`InvalidArgument` for a non-mapping or a value of the wrong type.
        """
        if isinstance(query, DirectoryQuery):
            return query
        if not isinstance(query, Mapping):
            raise InvalidArgument(f"a directory query must be a mapping, got {_describe(query)}")
        values: dict[str, str | None] = {}
        for key in DIRECTORY_QUERY_KEYS:
            value = query.get(key)
            if value is None:
                values[key] = None
            elif key == "name":
                if not isinstance(value, str):
                    raise InvalidArgument(f"query['name'] must be a str, got {_describe(value)}")
                values[key] = check_text_argument("query['name']", value)
            elif key == "channel":
                values[key] = require_channel(value, "query['channel']")
            else:
                values[key] = normalize_external_id(value, f"query[{key!r}]")
        return cls(**values)

    def as_dict(self) -> dict[str, str]:
        """The filters that are set, as a plain dict."""
        return {
            key: value for key in DIRECTORY_QUERY_KEYS if (value := getattr(self, key)) is not None
        }

    def __str__(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True)
