"""The shared in-memory indexes against the plain definitions they stand for."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jido_persistence.indexes import KeyHolders
from jido_persistence.ngrams import NGRAM, NameIndex

_KEYS = st.sampled_from(["a", "b", None])
_IDS = st.sampled_from(["r1", "r2", "r3"])


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(st.tuples(st.booleans(), _IDS, _KEYS, st.integers(0, 5)), max_size=30))
def test_key_holders_resolve_to_the_latest_saved_holder(
    steps: list[tuple[bool, str, str | None, int]],
) -> None:
    """Every key resolves to its holder with the highest sequence, the first inserted
    among equals, as a plain dict of (record -> key, sequence) says."""
    holders: KeyHolders[str] = KeyHolders()
    reference: dict[str, tuple[str, int]] = {}
    for is_set, record_id, key, sequence in steps:
        reference.pop(record_id, None)
        if is_set:
            holders.set(record_id, key, sequence)
            if key is not None:
                reference[record_id] = (key, sequence)
        else:
            holders.discard(record_id)
        for probe in ("a", "b"):
            held = [(rid, seq) for rid, (key, seq) in reference.items() if key == probe]
            expected = max(held, key=lambda item: item[1])[0] if held else None
            assert holders.resolve(probe) == expected
            assert holders.holders(probe) == dict(held)


_NAMES = st.one_of(
    st.none(),
    st.integers(),
    st.text(alphabet="abcAB ßẞİıσςΣ\u0130\u0307x", max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(
    steps=st.lists(st.tuples(_IDS, _NAMES, st.booleans()), max_size=20),
    queries=st.lists(st.text(alphabet="abcAB ßẞİıσςΣ\u0307xs", max_size=NGRAM + 3), max_size=8),
)
def test_the_name_index_answers_as_a_casefold_scan(
    steps: list[tuple[str, object, bool]], queries: list[str]
) -> None:
    """For any names (non-strings included) and queries (shorter than a trigram too),
    the index finds exactly the records whose name's casefold contains the query's."""
    index = NameIndex()
    names: dict[str, object] = {}
    for record_id, name, keep in steps:
        if keep:
            index.set(record_id, name)
            names[record_id] = name
        else:
            index.discard(record_id)
            names.pop(record_id, None)
    for query in queries:
        fold = query.casefold()
        expected = {
            record_id
            for record_id, name in names.items()
            if isinstance(name, str) and fold in name.casefold()
        }
        assert set(index.matching(fold)) == expected
    assert len(index) == sum(isinstance(name, str) for name in names.values())
