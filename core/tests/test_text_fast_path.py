"""The fast text and JSON checks accept and refuse exactly what the original walk did.

``_oracle_text_problem`` and ``_oracle_json_problem`` are the implementations the fast
paths replaced, kept verbatim as the reference: every value, storable or not, must get
the same answer (the same message, too) from the new code.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from enum import IntEnum, StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from jido_persistence._text import (
    INT64_MAX,
    INT64_MIN,
    json_is_plainly_storable,
    json_problem,
    text_is_storable,
    text_problem,
)
from jido_persistence.models import Message, TextPart


def _oracle_text_problem(value: str) -> str | None:
    if "\x00" in value:
        return "contains U+0000 (NUL)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate"
    return None


def _oracle_json_problem(value: object, where: str = "value") -> str | None:
    stack: list[tuple[object, str]] = [(value, where)]
    while stack:
        item, path = stack.pop()
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                return f"{path}: integer {item} is outside signed 64 bits"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"{path}: float {item!r} is not finite"
        elif isinstance(item, str):
            problem = _oracle_text_problem(item)
            if problem:
                return f"{path}: string {problem}"
        elif isinstance(item, list):
            stack.extend((element, f"{path}[{index}]") for index, element in enumerate(item))
        elif isinstance(item, dict):
            for key, element in item.items():
                if not isinstance(key, str):
                    return f"{path}: object key {key!r} is not a string"
                problem = _oracle_text_problem(key)
                if problem:
                    return f"{path}: object key {problem}"
                stack.append((element, f"{path}[{key!r}]"))
        else:
            return f"{path}: {type(item).__name__} is not a JSON value"
    return None


class _Colour(StrEnum):
    RED = "red"
    NUL = "a\x00"


class _Level(IntEnum):
    LOW = 1
    HUGE = 2**63


adversarial_text = st.text(
    alphabet=st.characters(exclude_categories=())
    | st.sampled_from(["\x00", "\ud800", "\udbff", "\udc00", "\udfff", "\U0001f600", "é", "a"]),
    max_size=16,
)
adversarial_ints = st.integers() | st.sampled_from(
    [INT64_MIN - 1, INT64_MIN, INT64_MAX, INT64_MAX + 1, 0, -1, 10**40, -(10**40)]
)
adversarial_floats = st.floats() | st.sampled_from(
    [math.inf, -math.inf, math.nan, -0.0, 0.0, 5e-324, 1.7976931348623157e308]
)
odd_values = st.sampled_from(
    [
        _Colour.RED,
        _Colour.NUL,
        _Level.LOW,
        _Level.HUGE,
        (),
        ("a",),
        b"bytes",
        {1, 2},
        object(),
        1j,
    ]
)
adversarial_keys = adversarial_text | st.sampled_from([1, None, True, 1.5, ("k",), _Colour.RED])
adversarial_json = st.recursive(
    st.none()
    | st.booleans()
    | adversarial_ints
    | adversarial_floats
    | adversarial_text
    | odd_values,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(adversarial_keys, inner, max_size=4)
        | st.dictionaries(adversarial_text, inner, max_size=3).map(OrderedDict)
    ),
    max_leaves=16,
)


@settings(max_examples=500)
@given(value=adversarial_text)
def test_text_problem_matches_the_oracle(value: str) -> None:
    expected = _oracle_text_problem(value)
    assert text_problem(value) == expected
    assert text_is_storable(value) is (expected is None)


@settings(max_examples=500)
@given(value=adversarial_json, where=st.sampled_from(["value", "part", "flow"]))
def test_json_problem_matches_the_oracle(value: Any, where: str) -> None:
    expected = _oracle_json_problem(value, where)
    assert json_problem(value, where) == expected
    if json_is_plainly_storable(value):
        assert expected is None


@settings(max_examples=200)
@given(value=adversarial_text)
def test_text_fields_refuse_exactly_what_the_oracle_refuses(value: str) -> None:
    problem = _oracle_text_problem(value)
    if problem is None:
        assert TextPart(text=value).text == value
    else:
        with pytest.raises(ValidationError, match=re.escape(f"string {problem}")):
            TextPart(text=value)


@settings(max_examples=200)
@given(value=st.dictionaries(adversarial_keys, adversarial_json, max_size=4))
def test_json_map_fields_refuse_exactly_what_the_oracle_refuses(value: dict[Any, Any]) -> None:
    try:
        message = Message(room_id="r", sender_id="s", role="user", metadata=value)
    except ValidationError:
        accepted = False
    else:
        accepted = True
        assert message.metadata == value
    if _oracle_json_problem(value) is not None:
        assert not accepted


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({}, None),
        ([], None),
        ({"a": "b", "c": [1, 2.5, None, True]}, None),
        ({"a": "\x00"}, "value['a']: string contains U+0000 (NUL)"),
        ({"\ud800": 1}, "value: object key contains a lone surrogate"),
        ([INT64_MAX + 1], f"value[0]: integer {INT64_MAX + 1} is outside signed 64 bits"),
        ({"f": [math.nan]}, "value['f'][0]: float nan is not finite"),
        ({1: "x"}, "value: object key 1 is not a string"),
        ((1,), "value: tuple is not a JSON value"),
        ([_Colour.RED, _Level.LOW], None),
    ],
)
def test_json_problem_examples(value: object, expected: str | None) -> None:
    assert json_problem(value) == expected
    assert _oracle_json_problem(value) == expected


def test_deep_nesting_is_walked_without_recursion() -> None:
    deep: Any = "\x00"
    for _ in range(3_000):
        deep = [deep]
    assert json_problem(deep) == _oracle_json_problem(deep)
    assert json_problem(deep) is not None
    assert not json_is_plainly_storable(deep)
