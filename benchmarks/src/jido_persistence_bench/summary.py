"""Figures derived from a results document: overhead against raw, the floor, scaling.

- *Overhead*: the adapter's median time per call divided by its raw baseline's,
  both measured in the same worker, round by round interleaved.
- *Floor*: the adapter's median divided by the memory adapter's at the same size.
- *Scaling*: the median at the largest size divided by the median at the
  smallest (about 1 for O(1) and O(log n) operations; about 100 for an O(n)
  operation between 1k and 100k messages).
- *Ingest*: ``ingest_message`` against the call it replaces, in the same run:
  a new event against ``save_message``, a re-delivered one against
  ``get_message_by_external_id`` (at most x1.2, see :mod:`.ingest`).
"""

from __future__ import annotations

from dataclasses import dataclass

from jido_persistence_bench.ingest import INGEST_COMPARISONS
from jido_persistence_bench.results import Document, RunRecord
from jido_persistence_bench.targets import FLOOR

__all__ = [
    "Comparison",
    "Overhead",
    "Scaling",
    "comparisons",
    "floor_ratio",
    "operations_of",
    "overheads",
    "scalings",
    "sizes_of",
    "targets_of",
]


@dataclass(frozen=True)
class Overhead:
    """An adapter operation against its raw baseline at one size."""

    target: str
    size: int
    baseline: str
    operation: str
    adapter_ns: float
    raw_ns: float

    @property
    def ratio(self) -> float:
        """``adapter_ns / raw_ns``."""
        return self.adapter_ns / self.raw_ns


@dataclass(frozen=True)
class Scaling:
    """An operation's time per call at the smallest and the largest size measured."""

    target: str
    operation: str
    small_size: int
    large_size: int
    small_ns: float
    large_ns: float

    @property
    def ratio(self) -> float:
        """``large_ns / small_ns``."""
        return self.large_ns / self.small_ns


@dataclass(frozen=True)
class Comparison:
    """An operation against another of the same run (same store, same worker)."""

    target: str
    size: int
    operation: str
    reference: str
    operation_ns: float
    reference_ns: float
    limit: float | None

    @property
    def ratio(self) -> float:
        """``operation_ns / reference_ns``."""
        return self.operation_ns / self.reference_ns

    @property
    def within_limit(self) -> bool | None:
        """Whether the ratio is at most :attr:`limit` (``None`` without a limit)."""
        return None if self.limit is None else self.ratio <= self.limit


def comparisons(document: Document) -> list[Comparison]:
    """Every pair of :data:`~.ingest.INGEST_COMPARISONS` measured in one run."""
    found: list[Comparison] = []
    for run in document["runs"]:
        for operation, reference, limit in INGEST_COMPARISONS:
            mine, theirs = run["operations"].get(operation), run["operations"].get(reference)
            if mine is None or theirs is None:
                continue
            found.append(
                Comparison(
                    target=run["target"],
                    size=run["size"],
                    operation=operation,
                    reference=reference,
                    operation_ns=mine["median_ns"],
                    reference_ns=theirs["median_ns"],
                    limit=limit,
                )
            )
    return found


def targets_of(document: Document) -> list[str]:
    """Target labels in the order they were run."""
    return list(dict.fromkeys(run["target"] for run in document["runs"]))


def sizes_of(document: Document) -> list[int]:
    """Store sizes measured, ascending."""
    return sorted({run["size"] for run in document["runs"]})


def operations_of(document: Document) -> list[str]:
    """Operations measured, in the order they were first run."""
    names: dict[str, None] = {}
    for run in document["runs"]:
        names.update(dict.fromkeys(run["operations"]))
    return list(names)


def floor_ratio(document: Document, run: RunRecord, operation: str) -> float | None:
    """``run``'s median for ``operation`` over the memory adapter's at the same size."""
    floor = next(
        (
            other
            for other in document["runs"]
            if other["adapter"] == FLOOR and other["size"] == run["size"]
        ),
        None,
    )
    if floor is None or operation not in floor["operations"]:
        return None
    if operation not in run["operations"]:
        return None
    return run["operations"][operation]["median_ns"] / floor["operations"][operation]["median_ns"]


def overheads(document: Document) -> list[Overhead]:
    """Every adapter/raw ratio in ``document``, by target, size, baseline, operation."""
    found: list[Overhead] = []
    for run in document["runs"]:
        for baseline, operations in run["raw"].items():
            for operation, raw in operations.items():
                mine = run["operations"].get(operation)
                if mine is None:
                    continue
                found.append(
                    Overhead(
                        target=run["target"],
                        size=run["size"],
                        baseline=baseline,
                        operation=operation,
                        adapter_ns=mine["median_ns"],
                        raw_ns=raw["median_ns"],
                    )
                )
    return found


def scalings(document: Document) -> list[Scaling]:
    """For each target and operation measured at two sizes or more, the scaling ratio."""
    found: list[Scaling] = []
    for target in targets_of(document):
        runs = sorted(
            (run for run in document["runs"] if run["target"] == target),
            key=lambda run: run["size"],
        )
        for operation in operations_of(document):
            measured = [run for run in runs if operation in run["operations"]]
            if len(measured) < 2:
                continue
            small, large = measured[0], measured[-1]
            found.append(
                Scaling(
                    target=target,
                    operation=operation,
                    small_size=small["size"],
                    large_size=large["size"],
                    small_ns=small["operations"][operation]["median_ns"],
                    large_ns=large["operations"][operation]["median_ns"],
                )
            )
    return found
