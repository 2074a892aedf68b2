"""The adapter's JSON text, now written by pydantic-core (a bulk import's rows cost a
dozen times less than with ``json.dumps``).

Lookup keys are compared as text: a key written before (``json.dumps(parts,
ensure_ascii=False, separators=(",", ":"))``) must be found by one written now, so the
texts must be equal for every key part a store can hold (strings without NUL or lone
surrogates).  JSON columns are read back with ``json.loads``: their text must give back
the value type-exactly (ints stay ints, ``-0.0`` keeps its sign, every float its bits),
though a float's exponent may be spelt differently (``1e-7``, not ``1e-07``).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from jido_persistence_duckdb._rows import json_text
from jido_persistence_duckdb._statements import lookup_key

texts = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"))
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@given(st.lists(texts, min_size=1, max_size=4))
def test_a_lookup_key_is_the_text_json_dumps_wrote(parts: list[str]) -> None:
    assert lookup_key(*parts) == _dumps(parts)


def _typed(value: Any) -> Any:
    """``value`` with every scalar tagged by its type (and floats by their repr)."""
    if isinstance(value, dict):
        return {key: _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, repr(value))


@given(values)
def test_json_columns_read_back_type_exactly(value: Any) -> None:
    text = json_text(value)
    assert _typed(json.loads(text)) == _typed(value)
