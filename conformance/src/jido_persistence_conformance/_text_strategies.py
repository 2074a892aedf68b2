"""Strategies for the scalars every record is made of: text, ids, numbers, datetimes, JSON.

Each names the traps it covers (SQL wildcards, casefold and code-point order traps,
64-bit limits, edge datetimes, floats that look integral), so the model strategies of
:mod:`jido_persistence_conformance._model_strategies` inherit them field by field.
Re-exported by :mod:`jido_persistence_conformance.strategies`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

from hypothesis import strategies as st

from jido_persistence_conformance._strategy_support import _short_repr

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


def _short_text() -> st.SearchStrategy[str]:
    return difficult_text(max_size=30, long=False)


def _keys() -> st.SearchStrategy[str]:
    return ids(max_size=64)
