"""The sort keys SQL orders by are exact and order-preserving for every datetime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from jido_persistence.sqlkit_rows import NULL_SORT_US, epoch_us

MOMENTS = st.datetimes(min_value=datetime.min, max_value=datetime.max, timezones=st.just(UTC))


@settings(max_examples=300)
@given(MOMENTS, MOMENTS)
def test_epoch_microseconds_are_exact_and_keep_the_order(a: datetime, b: datetime) -> None:
    assert datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=epoch_us(a)) == a
    assert (epoch_us(a) < epoch_us(b)) == (a < b)
    assert NULL_SORT_US < epoch_us(a) < 2**63
