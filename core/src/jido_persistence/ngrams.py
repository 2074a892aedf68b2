"""A trigram index over the stored name folds, for ``directory_search`` by name.

The contract's name filter is a literal substring test on casefolded text
(:func:`jido_persistence.directory.name_matches`).  A record whose fold contains the
query's fold contains every trigram (three code points in a row) of it, so the
records holding all of the query's trigrams are a superset of the matches: the index
intersects their posting sets, smallest first, and checks each candidate with the
very substring test, so the answer is the scan's answer.  A query shorter than three
code points has no trigram; it is answered by a scan of the stored folds (O(n), but
without casefolding any name again).  Not thread-safe: the store's lock guards it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import ClassVar, Final

from jido_persistence._text import name_fold

__all__ = ["NGRAM", "NameIndex", "ngrams", "rarest_ngrams"]

_EMPTY: Final[frozenset[str]] = frozenset()

_FEW: Final = 8
"""Below this many candidates the rest of the trigrams are not intersected."""

NGRAM: Final = 3
"""The length of the indexed n-grams, in code points."""


def ngrams(text: str) -> set[str]:
    """The distinct substrings of ``text`` of :data:`NGRAM` code points (none when shorter)."""
    return {text[start : start + NGRAM] for start in range(len(text) - NGRAM + 1)}


def rarest_ngrams(
    name_fold: str, counts: Callable[[list[str]], Mapping[str, int]], chosen: int
) -> list[str] | None:
    """The ``chosen`` n-grams of ``name_fold`` held by the fewest folds, or ``None``.

    For an index outside Python (a database's trigram index): ``counts(grams)`` says how
    many stored folds hold each of the query's n-grams (sorted, distinct; a count may be
    capped), leaving out those no fold holds.  Every fold containing ``name_fold`` holds
    all of its n-grams, so matching only the rarest misses nothing (a literal recheck of
    the candidates then makes the answer exact); ``None`` when some n-gram is in no
    fold: nothing matches.  Ties go to the smaller n-gram, so the choice is
    deterministic.  ``name_fold`` must have at least one n-gram (:data:`NGRAM` code
    points).
    """
    grams = sorted(ngrams(name_fold))
    found = counts(grams)
    if any(gram not in found for gram in grams):
        return None
    return sorted(grams, key=lambda gram: (found[gram], gram))[:chosen]


class NameIndex:
    """Record id -> the :func:`~jido_persistence.directory.name_fold` of its name, and
    trigram -> the ids whose fold holds it.

    ``set``/``discard`` are O(length of the name); :meth:`matching` is O(the smallest
    posting set of the query's trigrams + the candidates) for a query of three code
    points or more, O(n) for a shorter one.
    """

    copied_by_attributes: ClassVar[bool] = True
    """A transaction snapshot copies an instance attribute by attribute."""

    def __init__(self) -> None:
        self._folds: dict[str, str] = {}
        self._postings: dict[str, set[str]] = {}

    def set(self, record_id: str, name: object) -> None:
        """Index ``record_id`` under ``name`` (a record whose name is not a ``str``
        matches no name filter, so it is left out)."""
        self.discard(record_id)
        fold = name_fold(name)
        if fold is None:
            return
        self._folds[record_id] = fold
        for gram in ngrams(fold):
            self._postings.setdefault(gram, set()).add(record_id)

    def discard(self, record_id: str) -> None:
        """Forget ``record_id`` (absent: nothing happens)."""
        fold = self._folds.pop(record_id, None)
        if fold is None:
            return
        for gram in ngrams(fold):
            holders = self._postings[gram]
            holders.discard(record_id)
            if not holders:
                del self._postings[gram]

    def matching(self, name_fold: str) -> Iterator[str]:
        """The ids whose name fold contains ``name_fold`` literally (any order)."""
        grams = ngrams(name_fold)
        if not grams:
            return (found for found, fold in self._folds.items() if name_fold in fold)
        postings = sorted((self._postings.get(gram, _EMPTY) for gram in grams), key=len)
        candidates = postings[0]
        for posting in postings[1:]:
            if len(candidates) <= _FEW:
                break  # checking a few folds costs less than intersecting further
            candidates = candidates.intersection(posting)
        return (found for found in candidates if name_fold in self._folds[found])

    def __len__(self) -> int:
        """How many records have a ``str`` name."""
        return len(self._folds)
