"""Strategies for invalid arguments: every callback must refuse them with a typed error.

The argument checks of contract section 5 run before an adapter is called, so each
value here fails the same way on every adapter.  Re-exported by
:mod:`jido_persistence_conformance.strategies`.
"""

from __future__ import annotations

from typing import Any, Final

from hypothesis import strategies as st

from jido_persistence.models import TextPart
from jido_persistence_conformance._text_strategies import MAX_KEY_LENGTH

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
