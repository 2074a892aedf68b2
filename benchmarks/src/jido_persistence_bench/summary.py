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
- *Spread*: a measurement whose interquartile range is over half its median.
- *Jumps*: an operation much slower at one size than at both sizes beside it, with
  a verdict: the machine (the raw baselines of the same worker were slower too), a
  plan change (PostgreSQL probe plans), a wide spread, or unexplained.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any, Final

from jido_persistence_bench.ingest import INGEST_COMPARISONS
from jido_persistence_bench.results import Document, RunRecord
from jido_persistence_bench.targets import FLOOR
from jido_persistence_bench.timing import Stats

__all__ = [
    "JUMP",
    "PROBES_OF",
    "WIDE_SPREAD",
    "Comparison",
    "Jump",
    "Overhead",
    "Scaling",
    "Spread",
    "comparisons",
    "floor_ratio",
    "jumps",
    "operations_of",
    "overheads",
    "relative_iqr",
    "scalings",
    "sizes_of",
    "targets_of",
    "wide_spreads",
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
    wide_spread: bool = False
    """Whether either median's rounds disagree (IQR over :data:`WIDE_SPREAD` of it)."""

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
                        wide_spread=max(relative_iqr(mine), relative_iqr(raw)) > WIDE_SPREAD,
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


WIDE_SPREAD: Final = 0.5
"""An interquartile range wider than this share of the median is flagged as wide."""

JUMP: Final = 1.5
"""A median this many times both neighbouring sizes' is a jump worth explaining."""


@dataclass(frozen=True)
class Spread:
    """A measurement whose rounds disagree: its IQR over its median is over :data:`WIDE_SPREAD`."""

    target: str
    size: int
    operation: str
    stats: Stats

    @property
    def relative_iqr(self) -> float:
        """``(q3 - q1) / median``."""
        return relative_iqr(self.stats)


def relative_iqr(stats: Stats) -> float:
    """The interquartile range over the median (0 for a single round)."""
    median = stats["median_ns"]
    return (stats["q3_ns"] - stats["q1_ns"]) / median if median > 0 else 0.0


def wide_spreads(document: Document) -> list[Spread]:
    """Every adapter measurement (raw baselines excluded) with a wide spread."""
    return [
        Spread(run["target"], run["size"], operation, stats)
        for run in document["runs"]
        for operation, stats in run["operations"].items()
        if relative_iqr(stats) > WIDE_SPREAD
    ]


@dataclass(frozen=True)
class Jump:
    """An operation much slower at one size than at both sizes beside it, and why.

    ``verdict`` is ``"machine"`` (the raw baselines of the same worker jumped at that
    size too: the median of their factors is at least :data:`JUMP`), ``"plan"`` (a
    probe statement's plan shape there differs from both neighbours'), ``"spread"``
    (the rounds disagree: noise likely) or ``"unexplained"``; ``detail`` says what
    was seen.
    """

    target: str
    size: int
    operation: str
    factor: float
    verdict: str
    detail: str


def _neighbours(runs: list[RunRecord], index: int) -> tuple[RunRecord, RunRecord]:
    return runs[index - 1], runs[index + 1]


def _raw_factor(run: RunRecord, before: RunRecord, after: RunRecord) -> float | None:
    factors = []
    for baseline, operations in run["raw"].items():
        for operation, stats in operations.items():
            sides = [other["raw"].get(baseline, {}).get(operation) for other in (before, after)]
            if all(side is not None for side in sides):
                worst = max(side["median_ns"] for side in sides if side is not None)
                factors.append(stats["median_ns"] / worst)
    return statistics.median(factors) if factors else None


PROBES_OF: Final[dict[str, tuple[str, ...]]] = {
    "get_message": ("get_message",),
    "get_message_by_external_id": ("get_message_by_external_id",),
    "ingest_message_repeated": ("get_message_by_external_id",),
    "ingest_message_new": ("get_message_by_external_id",),
    "get_messages_latest": ("get_messages_latest",),
    "get_messages_page_back": ("get_messages_latest",),
    "list_threads": ("list_threads",),
    "get_or_create_room_existing": ("room by binding key",),
    "get_or_create_room_new": ("room by binding key",),
    "bridge_event": (
        "room by binding key",
        "participant by key",
        "update_message_external_id (lock)",
    ),
    "delete_room": ("delete_room (messages)",),
}
"""The PostgreSQL probe statements (:mod:`.pg_probe`) behind each workload: a plan
change explains a jump only when it is in one of these (every probe for a workload
not listed)."""


def _changed_plans(
    run: RunRecord, before: RunRecord, after: RunRecord, operation: str
) -> list[str]:
    def plans(record: RunRecord) -> dict[str, Any]:
        server = record.get("server") or {}
        return dict(server.get("after_build", {}).get("plans", {}))

    mine, left, right = plans(run), plans(before), plans(after)
    related = PROBES_OF.get(operation, tuple(mine))
    return [
        label
        for label, shapes in mine.items()
        if label in related
        and label in left
        and label in right
        and shapes != left[label]
        and shapes != right[label]
    ]


def jumps(document: Document) -> list[Jump]:
    """Every operation at least :data:`JUMP` times slower at one size than at the sizes
    on both sides of it, with a verdict (see :class:`Jump`)."""
    found: list[Jump] = []
    for target in targets_of(document):
        runs = sorted(
            (run for run in document["runs"] if run["target"] == target and run["status"] == "ok"),
            key=lambda run: run["size"],
        )
        for index in range(1, len(runs) - 1):
            run = runs[index]
            before, after = _neighbours(runs, index)
            for operation, stats in run["operations"].items():
                sides = [other["operations"].get(operation) for other in (before, after)]
                if any(side is None for side in sides):
                    continue
                worst = max(side["median_ns"] for side in sides if side is not None)
                factor = stats["median_ns"] / worst
                if factor < JUMP:
                    continue
                found.append(_explain(run, before, after, operation, stats, factor))
    return found


def _explain(
    run: RunRecord,
    before: RunRecord,
    after: RunRecord,
    operation: str,
    stats: Stats,
    factor: float,
) -> Jump:
    raw = _raw_factor(run, before, after)
    changed = _changed_plans(run, before, after, operation)

    def jump(verdict: str, detail: str) -> Jump:
        return Jump(run["target"], run["size"], operation, factor, verdict, detail)

    if raw is not None and raw >= JUMP:
        detail = (
            f"the raw baselines of the same worker were x{raw:.2g} slower at this size too "
            "(median over their operations): the machine, not the adapter"
        )
        if changed:
            detail += "; plan shapes differ too: " + ", ".join(changed)
        return jump("machine", detail)
    if changed:
        return jump("plan", "plan shape differs from both neighbours: " + ", ".join(changed))
    spread = relative_iqr(stats)
    if spread > WIDE_SPREAD:
        return jump("spread", f"IQR {spread:.0%} of the median: noise likely, rerun this size")
    detail = "same plans as both neighbours" if run.get("server") else "no plans recorded"
    if raw is not None:
        detail += f", raw baselines x{raw:.2g}"
    return jump("unexplained", detail + ": rerun this size")
