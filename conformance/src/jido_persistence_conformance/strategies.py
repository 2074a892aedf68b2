"""Hypothesis strategies for every model and argument of the persistence contract.

Every model strategy generates records that validate and round-trip through
``model_dump(mode="json")`` / ``model_validate``; each docstring names the traps it
covers, so an adapter author knows what a failing example is probing.  The ``bad_*``
strategies generate arguments that every callback must refuse with the typed error
of contract section 5 (the argument checks run before an adapter is called).

Use them in your own property tests::

    from hypothesis import given
    from jido_persistence_conformance.strategies import rooms

    @given(rooms())
    def test_room_round_trips(store, room):
        store.save_room(room)
        assert store.get_room(room.id) == room
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final, ParamSpec, TypeVar

from hypothesis import strategies as st

from jido_persistence.models import (
    AudioPart,
    BindingDirection,
    BridgeConfig,
    CustomPart,
    DedupeScope,
    DeliveryMode,
    DeliveryPolicy,
    FailoverPolicy,
    FilePart,
    ImagePart,
    IngressStatus,
    IngressSubscription,
    Message,
    MessageRole,
    MessageStatus,
    Participant,
    ParticipantType,
    Presence,
    Room,
    RoomBinding,
    RoomType,
    RoutingPolicy,
    TextPart,
    Thread,
    ThreadStatus,
    ToolResultPart,
    ToolUsePart,
    VideoPart,
)

__all__ = [
    "CASEFOLD_TRAPS",
    "ID_ORDER_TRAPS",
    "TEXT_TRAPS",
    "audio_parts",
    "bad_attrs",
    "bad_binding_attrs",
    "bad_channels",
    "bad_cursors",
    "bad_directory_queries",
    "bad_directory_targets",
    "bad_enabled_filters",
    "bad_external_ids",
    "bad_ids",
    "bad_ingress_statuses",
    "bad_limits",
    "bad_models",
    "bad_onboarding_flows",
    "bridge_configs",
    "content_parts",
    "custom_parts",
    "difficult_text",
    "edge_datetimes",
    "external_ids",
    "file_parts",
    "image_parts",
    "ingress_subscriptions",
    "int64s",
    "json_objects",
    "json_values",
    "messages",
    "onboarding_flows",
    "participants",
    "room_bindings",
    "rooms",
    "routing_policies",
    "text_parts",
    "threads",
    "tool_result_parts",
    "tool_use_parts",
    "video_parts",
]

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
MAX_KEY_LENGTH: Final = 512

CASEFOLD_TRAPS: Final = (
    "straße",
    "STRASSE",
    "ẞ",
    "İstanbul",
    "i̇",
    "ﬁle",
    "FILE",
    "Σίσυφος",
    "ΣΊΣΥΦΟΣ",
    "ǅemal",
    "ΐ",
)
"""Strings whose ``casefold()`` differs from ``lower()``: "STRASSE" must match "straße"."""

ID_ORDER_TRAPS: Final = (
    "a",
    "B",
    "b",
    "A",
    "é",
    "e\u0301",
    "\U0001d538",
    "Z",
    "_",
    "%",
    "~",
    "10",
    "9",
)
"""Ids whose code-point order differs from locale or case-insensitive collation."""

TEXT_TRAPS: Final = (
    "",
    " ",
    "%",
    "_",
    "\\",
    "*",
    "'",
    '"',
    "''",
    "100%",
    "a_b",
    "a\\_b",
    "a%b",
    "[a-z]*",
    "?",
    "e\u0301",
    "é",
    "👩\u200d💻",
    "😀",
    "مرحبا",
    "שָׁלוֹם",
    "\u202eevil",
    "\t\n\r",
    "\x01",
    "\uffff",
    "\U0010ffff",
    "null",
    "NULL",
    "1e16",
    "-0.0",
    "--",
    "'; DROP TABLE rooms; --",
    "$1",
    "{}",
    "[]",
    *CASEFOLD_TRAPS,
)
"""Strings that break naive storage: SQL wildcards and quoting, combining marks,
emoji sequences, right-to-left and bidi-override text, control characters, the last
code points of the BMP and of Unicode, and casefold traps."""

P = ParamSpec("P")
T = TypeVar("T")


def _short_repr(
    build: Callable[P, st.SearchStrategy[T]],
) -> Callable[P, st.SearchStrategy[T]]:
    """Wrap a strategy in ``deferred`` so its repr stays short (nested reprs reach 50 kB)."""

    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> st.SearchStrategy[T]:
        strategy = build(*args, **kwargs)

        def definition() -> st.SearchStrategy[T]:
            return strategy

        # A named function, not a lambda: hypothesis describes lambdas by compiling
        # their source, which is slow when strategies are built inside a test.
        definition.__name__ = definition.__qualname__ = f"{build.__name__}(...)"
        return st.deferred(definition)

    return wrapper


_SAFE_CHARACTERS: Final = st.characters(codec="utf-8", exclude_characters="\x00")


@_short_repr
def difficult_text(
    *, min_size: int = 0, max_size: int = 40, long: bool = True
) -> st.SearchStrategy[str]:
    """Text every backend must store verbatim: never U+0000 or a lone surrogate.

    Traps: SQL ``LIKE`` wildcards (``%``, ``_``), escapes and quotes (``\\``, ``'``,
    ``"``), glob ``*``, combining marks (``e\\u0301`` vs ``é``), emoji ZWJ sequences,
    right-to-left and bidi-override text, control characters, U+FFFF and U+10FFFF,
    casefold traps ("ß"/"ẞ"/"İ") and, when ``long``, strings of up to 20 000 code points.
    """
    traps = st.sampled_from([t for t in TEXT_TRAPS if min_size <= len(t) <= max_size])
    random = st.text(_SAFE_CHARACTERS, min_size=min_size, max_size=max_size)
    joined = st.lists(st.sampled_from(TEXT_TRAPS), min_size=1, max_size=4).map(
        lambda parts: ("".join(parts) + "x" * min_size)[: max(max_size, min_size)]
    )
    choices: list[st.SearchStrategy[str]] = [traps, random, joined]
    if long:
        choices.append(
            st.builds(
                lambda head, count: (head or "x") * count,
                st.sampled_from(TEXT_TRAPS),
                st.integers(1000, 10_000),
            )
        )
    return st.one_of(*choices)


@_short_repr
def ids(*, max_size: int = MAX_KEY_LENGTH) -> st.SearchStrategy[str]:
    """Valid ids: non-empty storable strings of at most 512 code points.

    Traps: code-point order ("B" < "a" < "é" < U+1D538), digits that sort as text
    ("10" < "9"), wildcard characters, combining marks, and ids of exactly 512 code
    points (the longest every backend must index).
    """
    return st.one_of(
        st.sampled_from(ID_ORDER_TRAPS),
        st.sampled_from(("room:1", "jch_" + "A" * 22)),
        # Built lazily so the strategy's repr stays short.
        st.sampled_from(("x", "\U0001d538")).map(lambda char: char * max_size),
        difficult_text(min_size=1, max_size=min(max_size, 24), long=False),
    )


def int64s() -> st.SearchStrategy[int]:
    """Integers within signed 64 bits, biased to the limits (``2**63 - 1``, ``-2**63``)."""
    return st.one_of(
        st.sampled_from((0, 1, -1, INT64_MAX, INT64_MIN, 2**53 + 1, 10**16)),
        st.integers(INT64_MIN, INT64_MAX),
    )


@_short_repr
def external_ids() -> st.SearchStrategy[str | int]:
    """Callback external ids and bridge ids: ``str`` or ``int`` (never ``bool``).

    Traps: ``123`` and ``"123"`` are the same key after normalisation; negative and
    64-bit ints; ids whose text collides with SQL wildcards.
    """
    return st.one_of(ids(max_size=64), int64s(), st.sampled_from((123, "123", 0, "0", -5)))


@_short_repr
def edge_datetimes(*, allow_offsets: bool = True) -> st.SearchStrategy[datetime]:
    """Aware datetimes that must round-trip exactly after normalisation to UTC.

    Traps: ``datetime.min`` and ``datetime.max`` in UTC, microseconds (``.000001``,
    ``.999999``), dates before 1970 and after 2038, and non-UTC offsets (whole and
    odd-minute ones) that the models normalise to UTC.
    """
    utc_min = datetime.min.replace(tzinfo=UTC)
    utc_max = datetime.max.replace(tzinfo=UTC)
    fixed = st.sampled_from(
        (
            utc_min,
            utc_max,
            datetime(1970, 1, 1, tzinfo=UTC),
            datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
            datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC),
            datetime(2024, 2, 29, 12, 0, 0, 1, tzinfo=UTC),
        )
    )
    utc = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.astimezone(UTC))
    choices: list[st.SearchStrategy[datetime]] = [fixed, utc]
    if allow_offsets:
        offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(
            lambda minutes: timezone(timedelta(minutes=minutes))
        )
        choices.append(
            st.datetimes(
                min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets
            )
        )
    return st.one_of(*choices)


def _floats() -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from((0.0, -0.0, 1e16, -1e16, 0.1, 5e-324, 1.7976931348623157e308, 2.0**53)),
        st.floats(allow_nan=False, allow_infinity=False),
    )


@_short_repr
def json_values(*, max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """JSON values that must round-trip type-exactly (compared with sorted-key dumps).

    Traps: ``1e16`` and ``2.0**53`` (floats that look integral), ``-0.0``, ``5e-324``,
    ``2**63 - 1`` and ``-2**63``, ``True``/``False`` next to ``1``/``0``, ``None``,
    nested lists and objects, and difficult text in values and keys.
    """
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        int64s(),
        _floats(),
        difficult_text(max_size=20, long=False),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(difficult_text(max_size=10, long=False), children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


@_short_repr
def json_objects(*, max_size: int = 4) -> st.SearchStrategy[dict[str, Any]]:
    """Free-form JSON maps (``metadata``, ``identity``, ``opts``...): see :func:`json_values`."""
    return st.dictionaries(
        difficult_text(max_size=10, long=False), json_values(max_leaves=6), max_size=max_size
    )


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _short_text() -> st.SearchStrategy[str]:
    return difficult_text(max_size=30, long=False)


def _keys() -> st.SearchStrategy[str]:
    return ids(max_size=64)


@_short_repr
def text_parts() -> st.SearchStrategy[TextPart]:
    """``TextPart`` with difficult text, including very long text."""
    return st.builds(TextPart, text=difficult_text())


@_short_repr
def image_parts() -> st.SearchStrategy[ImagePart]:
    """``ImagePart`` with every optional field present or ``None``; 64-bit sizes."""
    return st.builds(
        ImagePart,
        url=_optional(_short_text()),
        data=_optional(_short_text()),
        media_type=_optional(_short_text()),
        alt_text=_optional(_short_text()),
        width=_optional(int64s()),
        height=_optional(int64s()),
    )


@_short_repr
def audio_parts() -> st.SearchStrategy[AudioPart]:
    """``AudioPart``; ``duration`` floats include ``-0.0`` and ``1e16``."""
    return st.builds(
        AudioPart,
        url=_optional(_short_text()),
        data=_optional(_short_text()),
        media_type=_optional(_short_text()),
        transcript=_optional(_short_text()),
        duration=_optional(_floats()),
    )


@_short_repr
def video_parts() -> st.SearchStrategy[VideoPart]:
    """``VideoPart``; float duration and 64-bit width/height."""
    return st.builds(
        VideoPart,
        url=_optional(_short_text()),
        data=_optional(_short_text()),
        media_type=_optional(_short_text()),
        thumbnail_url=_optional(_short_text()),
        duration=_optional(_floats()),
        width=_optional(int64s()),
        height=_optional(int64s()),
    )


@_short_repr
def file_parts() -> st.SearchStrategy[FilePart]:
    """``FilePart``; ``size`` up to ``2**63 - 1``."""
    return st.builds(
        FilePart,
        url=_optional(_short_text()),
        data=_optional(_short_text()),
        media_type=_optional(_short_text()),
        filename=_optional(_short_text()),
        size=_optional(int64s()),
    )


@_short_repr
def tool_use_parts() -> st.SearchStrategy[ToolUsePart]:
    """``ToolUsePart`` with a nested JSON ``input``."""
    return st.builds(ToolUsePart, id=_short_text(), name=_short_text(), input=json_objects())


@_short_repr
def tool_result_parts() -> st.SearchStrategy[ToolResultPart]:
    """``ToolResultPart`` whose ``content`` is any JSON value, ``None`` included."""
    return st.builds(
        ToolResultPart,
        tool_use_id=_short_text(),
        content=json_values(),
        is_error=st.booleans(),
    )


_KNOWN_PART_TYPES: Final = frozenset(
    {"text", "image", "audio", "video", "file", "tool_use", "tool_result"}
)


@_short_repr
def custom_parts() -> st.SearchStrategy[CustomPart]:
    """``CustomPart``: an unknown ``type`` kept verbatim with extra JSON fields.

    Traps: types that differ from a known one only by case (``"Text"``, ``"IMAGE"``),
    the empty type ``""``, and extra fields holding type-exact JSON values.
    """
    part_type = st.one_of(
        st.sampled_from(("Text", "IMAGE", "tool-use", "", "location", "sticker", "%")),
        _short_text(),
    ).filter(lambda t: t not in _KNOWN_PART_TYPES)
    extra = st.dictionaries(
        st.text(string.ascii_lowercase, min_size=1, max_size=8).map(lambda k: "x_" + k),
        json_values(max_leaves=4),
        max_size=3,
    )
    return st.builds(
        lambda t, fields: CustomPart.model_validate({**fields, "type": t}), part_type, extra
    )


@_short_repr
def content_parts() -> st.SearchStrategy[Any]:
    """Any content part: the seven known types and ``CustomPart``."""
    return st.one_of(
        text_parts(),
        image_parts(),
        audio_parts(),
        video_parts(),
        file_parts(),
        tool_use_parts(),
        tool_result_parts(),
        custom_parts(),
    )


def _id_strategy(values: Sequence[str] | st.SearchStrategy[str] | None) -> st.SearchStrategy[str]:
    if values is None:
        return ids()
    if isinstance(values, st.SearchStrategy):
        return values
    return st.sampled_from(list(values))


@_short_repr
def rooms(
    *, room_ids: Sequence[str] | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[Room]:
    """``Room`` records with explicit ids and edge timestamps.

    Traps: difficult and casefold-trap names (or ``None``), nested
    ``external_bindings`` (informational: never a binding key), type-exact metadata,
    ``datetime.min``/``max`` and non-UTC ``inserted_at``.
    """
    return st.builds(
        Room,
        id=_id_strategy(room_ids),
        type=st.sampled_from(RoomType),
        name=_optional(difficult_text(max_size=30)),
        external_bindings=st.dictionaries(
            _keys(), st.dictionaries(_keys(), _keys(), max_size=2), max_size=2
        ),
        metadata=json_objects(),
        inserted_at=edge_datetimes(),
    )


@_short_repr
def participants(
    *, participant_ids: Sequence[str] | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[Participant]:
    """``Participant`` records; ``identity["name"]`` is often a difficult string.

    Traps: names that are not strings (never match a name filter), casefold traps,
    ``external_ids`` that are informational only, empty capability lists.
    """
    name = st.one_of(difficult_text(max_size=30), json_values(max_leaves=2))
    identity = st.builds(
        lambda base, n, with_name: {**base, "name": n} if with_name else base,
        json_objects(max_size=2),
        name,
        st.booleans(),
    )
    return st.builds(
        Participant,
        id=_id_strategy(participant_ids),
        type=st.sampled_from(ParticipantType),
        identity=identity,
        external_ids=st.dictionaries(_keys(), _keys(), max_size=2),
        presence=st.sampled_from(Presence),
        capabilities=st.lists(_short_text(), max_size=3),
        metadata=json_objects(),
    )


def _message_metadata(
    channels: st.SearchStrategy[str], bridge_ids: st.SearchStrategy[str | int]
) -> st.SearchStrategy[dict[str, Any]]:
    def combine(
        base: dict[str, Any], channel: str | None, bridge: str | int | None
    ) -> dict[str, Any]:
        out = {k: v for k, v in base.items() if k not in ("channel", "bridge_id")}
        if channel is not None:
            out["channel"] = channel
        if bridge is not None:
            out["bridge_id"] = bridge
        return out

    return st.builds(combine, json_objects(max_size=2), _optional(channels), _optional(bridge_ids))


@_short_repr
def messages(
    *,
    room_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    message_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    thread_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    channels: Sequence[str] | st.SearchStrategy[str] | None = None,
    bridge_ids: Sequence[str | int] | st.SearchStrategy[str | int] | None = None,
    external_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    timestamps: Sequence[datetime | None] | st.SearchStrategy[datetime | None] | None = None,
) -> st.SearchStrategy[Message]:
    """``Message`` records with explicit ids and timestamps (``None`` included).

    Traps: ``None`` ``inserted_at`` (sorts before every datetime), equal timestamps
    (ties broken by id in code-point order), an external-id key whose
    ``metadata["bridge_id"]`` is an ``int`` (normalised to its decimal string), a key
    missing its channel or bridge id (no key at all), every content part type.
    Pass small pools to make collisions (same room, thread, key, timestamp) likely.
    """
    ts: st.SearchStrategy[datetime | None]
    if timestamps is None:
        ts = _optional(edge_datetimes())
    elif isinstance(timestamps, st.SearchStrategy):
        ts = timestamps
    else:
        ts = st.sampled_from(list(timestamps))
    channel_s = _id_strategy(channels) if channels is not None else _keys()
    bridge_s: st.SearchStrategy[str | int]
    if bridge_ids is None:
        bridge_s = st.one_of(_keys(), int64s())
    elif isinstance(bridge_ids, st.SearchStrategy):
        bridge_s = bridge_ids
    else:
        bridge_s = st.sampled_from(list(bridge_ids))
    return st.builds(
        Message,
        id=_id_strategy(message_ids),
        room_id=_id_strategy(room_ids),
        sender_id=_keys(),
        role=st.sampled_from(MessageRole),
        content=st.lists(content_parts(), max_size=3),
        reply_to_id=_optional(_keys()),
        external_id=_optional(_id_strategy(external_ids) if external_ids is not None else _keys()),
        external_reply_to_id=_optional(_keys()),
        thread_id=_optional(_id_strategy(thread_ids)),
        external_thread_id=_optional(_keys()),
        delivery_external_room_id=_optional(_keys()),
        status=st.sampled_from(MessageStatus),
        reactions=json_objects(max_size=2),
        receipts=json_objects(max_size=2),
        metadata=_message_metadata(channel_s, bridge_s),
        inserted_at=ts,
        updated_at=ts,
    )


@_short_repr
def threads(
    *,
    room_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    thread_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    external_thread_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    root_message_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    timestamps: Sequence[datetime] | st.SearchStrategy[datetime] | None = None,
) -> st.SearchStrategy[Thread]:
    """``Thread`` records; per-room keys (external thread id, root message) may collide.

    Traps: two threads of one room with the same key (the last saved wins), equal
    ``inserted_at`` (ties by id), edge datetimes.
    """
    ts: st.SearchStrategy[datetime]
    if timestamps is None:
        ts = edge_datetimes()
    elif isinstance(timestamps, st.SearchStrategy):
        ts = timestamps
    else:
        ts = st.sampled_from(list(timestamps))
    ext = _id_strategy(external_thread_ids) if external_thread_ids is not None else _keys()
    root = _id_strategy(root_message_ids) if root_message_ids is not None else _keys()
    return st.builds(
        Thread,
        id=_id_strategy(thread_ids),
        room_id=_id_strategy(room_ids),
        external_thread_id=_optional(ext),
        delivery_external_room_id=_optional(_keys()),
        root_message_id=_optional(root),
        root_external_message_id=_optional(_keys()),
        assigned_agent_id=_optional(_keys()),
        status=st.sampled_from(ThreadStatus),
        metadata=json_objects(max_size=2),
        inserted_at=ts,
        updated_at=ts,
    )


@_short_repr
def room_bindings(
    *, room_ids: Sequence[str] | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[RoomBinding]:
    """``RoomBinding`` records with every direction, enabled flag and edge timestamp."""
    return st.builds(
        RoomBinding,
        id=_keys(),
        room_id=_id_strategy(room_ids),
        channel=_keys(),
        bridge_id=_keys(),
        external_room_id=_keys(),
        direction=st.sampled_from(BindingDirection),
        enabled=st.booleans(),
        inserted_at=edge_datetimes(),
    )


@_short_repr
def bridge_configs(
    *, config_ids: Sequence[str] | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[BridgeConfig]:
    """``BridgeConfig`` records; credentials are JSON that must never be shown.

    Traps: 64-bit ``revision`` and delivery-policy ints, type-exact ``opts`` and
    ``capabilities``, ``enabled`` both ways (for the ``enabled=`` filter).
    """
    policy = st.builds(
        DeliveryPolicy,
        max_attempts=int64s(),
        base_backoff_ms=int64s(),
        max_backoff_ms=int64s(),
        dead_letter=st.booleans(),
    )
    ts = edge_datetimes()
    return st.builds(
        BridgeConfig,
        id=_id_strategy(config_ids),
        adapter_module=_short_text(),
        credentials=json_objects(max_size=2),
        opts=json_objects(max_size=2),
        enabled=st.booleans(),
        capabilities=json_objects(max_size=2),
        delivery_policy=policy,
        revision=int64s(),
        inserted_at=ts,
        updated_at=ts,
    )


@_short_repr
def routing_policies(
    *, room_ids: Sequence[str] | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[RoutingPolicy]:
    """``RoutingPolicy`` records keyed by ``room_id`` (``id`` always equals it)."""
    ts = edge_datetimes()
    return st.builds(
        RoutingPolicy,
        room_id=_id_strategy(room_ids),
        delivery_mode=st.sampled_from(DeliveryMode),
        failover_policy=st.sampled_from(FailoverPolicy),
        dedupe_scope=st.sampled_from(DedupeScope),
        fallback_order=st.lists(_keys(), max_size=3),
        metadata=json_objects(max_size=2),
        revision=int64s(),
        inserted_at=ts,
        updated_at=ts,
    )


@_short_repr
def ingress_subscriptions(
    *,
    bridge_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
    subscription_ids: Sequence[str] | st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[IngressSubscription]:
    """``IngressSubscription`` records with every status.

    Traps: ``external_id`` explicitly ``None`` (kept, not defaulted), ``raw`` any JSON
    value, ``expires_at`` ``None`` or an edge datetime, subscription ids in code-point
    order traps (for "sorted by subscription_id").
    """

    def build(
        bridge: str,
        subscription: str,
        adapter_name: str,
        status: IngressStatus,
        external: str | None,
        target_url: str | None,
        expires_at: datetime | None,
        metadata: dict[str, Any],
        raw: Any,
    ) -> IngressSubscription:
        return IngressSubscription(
            bridge_id=bridge,
            subscription_id=subscription,
            adapter_name=adapter_name,
            status=status,
            external_id=external,
            target_url=target_url,
            expires_at=expires_at,
            metadata=metadata,
            raw=raw,
        )

    return st.builds(
        build,
        _id_strategy(bridge_ids),
        _id_strategy(subscription_ids),
        difficult_text(min_size=1, max_size=20, long=False),
        st.sampled_from(IngressStatus),
        _optional(_keys()),
        _optional(_short_text()),
        _optional(edge_datetimes()),
        json_objects(max_size=2),
        json_values(max_leaves=4),
    )


@_short_repr
def onboarding_flows(
    *, onboarding_ids: Sequence[str] | st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Onboarding flows: JSON objects with a non-empty string ``"onboarding_id"``.

    Traps: type-exact nested values (``1e16``, ``-0.0``, 64-bit ints, bools), difficult
    keys; the store must keep its own copy of each flow.
    """
    return st.builds(
        lambda base, flow_id: {**base, "onboarding_id": flow_id},
        json_objects(max_size=4),
        _id_strategy(onboarding_ids),
    )


# --- invalid arguments ----------------------------------------------------------------

_NOT_STRINGS: Final = (None, 0, 1, -1, 1.5, True, False, b"room", ["room"], {"id": "room"})


def bad_ids() -> st.SearchStrategy[Any]:
    """Id arguments every callback refuses with ``InvalidArgument``.

    Wrong types (``None``, ints, bools, bytes, lists), ``""``, U+0000, a lone
    surrogate, and 513 code points.
    """
    return st.sampled_from(
        (*_NOT_STRINGS, "", "\x00", "room\x00", "\ud800", "a\udfff", "x" * (MAX_KEY_LENGTH + 1))
    )


def bad_channels() -> st.SearchStrategy[Any]:
    """Channel arguments refused with ``InvalidArgument`` (a channel is a non-empty str)."""
    return st.sampled_from((*_NOT_STRINGS, "", "\x00", "\udc00"))


def bad_external_ids() -> st.SearchStrategy[Any]:
    """Bridge ids and external ids refused with ``InvalidArgument``.

    ``bool`` (not an int here), floats, ``None``, bytes, ``""``, U+0000, a lone
    surrogate, 513 code points.
    """
    return st.sampled_from(
        (None, True, False, 1.0, -0.0, b"1", ["1"], "", "\x00", "\ud800", "9" * 513)
    )


def bad_limits() -> st.SearchStrategy[Any]:
    """Limits refused with ``InvalidLimit``: bools, negatives, ``2**63``, non-ints."""
    return st.sampled_from((True, False, -1, -(2**63), 2**63, 2**64, 1.0, "1", b"1", [1]))


def bad_cursors() -> st.SearchStrategy[Any]:
    """``before``/``after`` values refused with ``InvalidCursor`` (shape, not existence)."""
    return st.sampled_from((0, 1, True, b"m", ["m"], "", "\x00", "m\udc00", "m" * 513))


def bad_directory_targets() -> st.SearchStrategy[Any]:
    """Directory targets refused with ``InvalidDirectoryTarget``."""
    return st.sampled_from(("", "participants", "rooms", "ROOM", "Room", None, 1, b"room"))


def bad_directory_queries() -> st.SearchStrategy[Any]:
    """Directory queries refused with ``InvalidArgument``: non-mappings, wrong value types."""
    return st.sampled_from(
        (
            None,
            "name",
            ["name"],
            {"name": 1},
            {"name": b"x"},
            {"name": "\x00"},
            {"id": ""},
            {"id": True},
            {"channel": 1},
            {"channel": ""},
            {"bridge_id": 1.5},
            {"external_id": False},
        )
    )


def bad_enabled_filters() -> st.SearchStrategy[Any]:
    """``enabled=`` filters refused with ``InvalidArgument`` (only bool or None)."""
    return st.sampled_from((0, 1, "true", "", [], 1.0))


def bad_ingress_statuses() -> st.SearchStrategy[Any]:
    """``status=`` filters refused with ``InvalidArgument``."""
    return st.sampled_from(("", "ACTIVE", "Active", "gone", 1, True, b"active"))


def bad_attrs() -> st.SearchStrategy[Any]:
    """``attrs`` of get-or-create refused with ``InvalidArgument``.

    Non-mappings, non-string keys, and mappings that do not build a valid record
    (missing or unknown ``type``, an unknown field, an ``int`` id).
    """
    return st.sampled_from(
        (
            "attrs",
            ["type"],
            1,
            {1: "x"},
            {},
            {"type": "nope"},
            {"type": "group", "bogus": 1},
            {"type": "group", "id": 1},
            {"type": "human", "id": ""},
        )
    )


def bad_binding_attrs() -> st.SearchStrategy[Any]:
    """``attrs`` of ``create_room_binding`` refused with ``InvalidArgument``."""
    return st.sampled_from(
        (
            "attrs",
            1,
            {"room_id": "r"},
            {"bogus": True},
            {"direction": "sideways"},
            {"enabled": "maybe"},
            {"id": 7},
        )
    )


def bad_models() -> st.SearchStrategy[Any]:
    """``save_*`` arguments that are not model instances (dicts, None, other models)."""
    return st.sampled_from(
        (None, {}, {"id": "r", "type": "group"}, "room", 1, [], TextPart(text="x"))
    )


def bad_onboarding_flows() -> st.SearchStrategy[tuple[Any, str]]:
    """``(flow, expected error class name)`` pairs for ``save_onboarding``.

    Checked in the contract's order: not a mapping -> ``InvalidArgument``; missing,
    empty or non-string ``onboarding_id`` -> ``InvalidOnboardingId``; non-JSON values
    (NaN, infinity, 2**63, sets, non-string keys), U+0000 or lone surrogates ->
    ``InvalidArgument``.
    """
    return st.sampled_from(
        (
            (None, "InvalidArgument"),
            ("flow", "InvalidArgument"),
            ([("onboarding_id", "x")], "InvalidArgument"),
            ({}, "InvalidOnboardingId"),
            ({"onboarding_id": ""}, "InvalidOnboardingId"),
            ({"onboarding_id": 1}, "InvalidOnboardingId"),
            ({"onboarding_id": None}, "InvalidOnboardingId"),
            ({"onboarding_id": "f", "x": float("nan")}, "InvalidArgument"),
            ({"onboarding_id": "f", "x": float("inf")}, "InvalidArgument"),
            ({"onboarding_id": "f", "x": 2**63}, "InvalidArgument"),
            ({"onboarding_id": "f", "x": {1, 2}}, "InvalidArgument"),
            ({"onboarding_id": "f", "x": {1: "a"}}, "InvalidArgument"),
            ({"onboarding_id": "f", "x": "a\x00"}, "InvalidArgument"),
            ({"onboarding_id": "f", "\ud800": 1}, "InvalidArgument"),
            ({"onboarding_id": "f", "x": b"bytes"}, "InvalidArgument"),
        )
    )
