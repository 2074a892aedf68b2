"""The field types of the models: storable text, keys, external ids, UTC datetimes, JSON.

Each is an ``Annotated`` type with its validators, and :class:`_Record` is the base of
every contract model (frozen, closed, NaN-free).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    Strict,
    StringConstraints,
)

from jido_persistence._recheck import TrackedModel
from jido_persistence._text import (
    INT64_MAX,
    INT64_MIN,
    MAX_KEY_LENGTH,
    json_is_plainly_storable,
    json_problem,
    text_problem,
)


def _check_text(value: str) -> str:
    if "\x00" not in value and value.isascii():  # the common case, without a call
        return value
    problem = text_problem(value)
    if problem:
        raise ValueError(f"string {problem}")
    return value


def _check_json(value: Any) -> Any:
    if json_is_plainly_storable(value):
        return value
    problem = json_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is UTC:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError(f"datetime {value.isoformat()} is outside the range of UTC") from error


Text = Annotated[str, Strict(), AfterValidator(_check_text)]
"""A string that every backend can store (no U+0000, no lone surrogate)."""

Key = Annotated[
    str,
    Strict(),
    StringConstraints(min_length=1, max_length=MAX_KEY_LENGTH),
    AfterValidator(_check_text),
]
"""An id, channel, bridge id or external id: a non-empty storable string of <= 512 code points."""


def _int_as_decimal(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        if not INT64_MIN <= value <= INT64_MAX:
            raise ValueError(f"integer external id {value} is outside signed 64 bits")
        return str(int(value))
    return value


ExternalKey = Annotated[Key, BeforeValidator(_int_as_decimal)]
"""An external id: a :data:`Key`, or an ``int`` (not ``bool``) within signed 64 bits,
stored as its decimal string (contract 9.0)."""

ExternalText = Annotated[Text, BeforeValidator(_int_as_decimal)]
"""A ``Participant.external_ids`` value: a :data:`Text`, or an int stored as its decimal string."""

Int64 = Annotated[int, Strict(), Field(ge=INT64_MIN, le=INT64_MAX)]
"""An integer within signed 64 bits."""

StrictBool = Annotated[bool, Strict()]
"""A bool field: ``True`` or ``False`` only; ``1``, ``"yes"`` or ``"off"`` are refused.

Int and id fields are strict too, so a record never holds a value the caller did
not write (pydantic's lax mode would turn ``enabled="off"`` into ``False``).
"""

UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An aware datetime, normalised to ``datetime.timezone.utc`` (naive ones are rejected)."""

Json = Annotated[JsonValue, AfterValidator(_check_json)]
"""Any JSON value that every backend can store."""

JsonMap = Annotated[dict[str, JsonValue], AfterValidator(_check_json)]
"""A free-form JSON object."""


class _Record(TrackedModel):
    """Base of every contract model: frozen, closed, NaN-free."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
