"""Timing: warm-up, calibration, interleaved rounds, median and spread.

A *bench* is a function that performs a batch of calls prepared beforehand and
returns how many calls it made (a paging walk counts its pages), so the clock
covers the calls and nothing else.  :func:`measure` runs several benches round by
round, alternating between them, so that a raw baseline and the adapter it is
compared with see the same machine noise.  Figures are nanoseconds per call,
read with :func:`time.perf_counter_ns`, with the cyclic garbage collector paused
while a batch runs (as :mod:`timeit` does).
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

__all__ = ["Bench", "Method", "Stats", "measure", "summarise"]


class Stats(TypedDict):
    """Time per call of one operation over several rounds.

    Keys:
        calls: calls made per round (the last round's, for benches whose count varies).
        rounds: rounds measured (warm-up excluded).
        median_ns: median over rounds of the time per call.
        q1_ns: first quartile over rounds.
        q3_ns: third quartile over rounds.
        min_ns: fastest round.
        max_ns: slowest round.
        per_round_ns: every round's time per call, in the order measured.
    """

    calls: int
    rounds: int
    median_ns: float
    q1_ns: float
    q3_ns: float
    min_ns: float
    max_ns: float
    per_round_ns: list[float]


@dataclass(frozen=True)
class Method:
    """How to time: warm-up calls, rounds, and the time one round should take.

    Short rounds, many of them, and the median: on a shared machine a round that
    the scheduler interrupts is an outlier the median drops, whereas long rounds
    would all absorb some of the interruptions.

    Attributes:
        rounds: measured rounds per operation.
        warmup_calls: calls timed (and discarded) to calibrate the batch size.
        round_ns: the time a round aims at; the number of calls per round is
            calibrated to it from the warm-up, within ``[min_calls, max_calls]``.
        min_calls: fewest calls per round.
        max_calls: most calls per round.
    """

    rounds: int = 15
    warmup_calls: int = 3
    round_ns: int = 5_000_000
    min_calls: int = 1
    max_calls: int = 2000

    def calls_for(self, ns_per_call: float) -> int:
        """Calls per round for an operation that takes ``ns_per_call``."""
        wanted = int(self.round_ns / max(ns_per_call, 1.0))
        return max(self.min_calls, min(self.max_calls, wanted))


@dataclass(frozen=True)
class Bench:
    """One contender: ``prepare(count)`` builds a batch, ``run(batch)`` times it.

    ``prepare`` runs outside the clock (it picks ids, builds models); ``run``
    returns the number of calls it made.
    """

    name: str
    prepare: Callable[[int], Any]
    run: Callable[[Any], int]


def _time(bench: Bench, count: int) -> tuple[float, int]:
    batch = bench.prepare(count)
    # As timeit does: the cyclic garbage collector's pauses depend on every object
    # of the process (the raw baselines' data too), not on the code being timed.
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        calls = bench.run(batch)
        elapsed = time.perf_counter_ns() - start
    finally:
        if enabled:
            gc.enable()
    return elapsed / max(calls, 1), calls


def summarise(per_round: Sequence[float], calls: int) -> Stats:
    """Median, quartiles and extremes of per-call times measured over rounds."""
    ordered = sorted(per_round)
    if len(ordered) >= 2:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    else:
        q1 = q3 = ordered[0]
    return Stats(
        calls=calls,
        rounds=len(ordered),
        median_ns=statistics.median(ordered),
        q1_ns=q1,
        q3_ns=q3,
        min_ns=ordered[0],
        max_ns=ordered[-1],
        per_round_ns=list(per_round),
    )


def measure(
    benches: Sequence[Bench], method: Method, *, calls: int | None = None
) -> dict[str, Stats]:
    """Warm up, calibrate and time ``benches`` in alternating rounds.

    Each bench is warmed up with one call, then calibrated on one more call and,
    unless that one alone fills a round, on ``method.warmup_calls`` more; ``calls``
    instead fixes the batch size (for operations that use up data, such as
    ``delete_room``).  Then round ``i`` runs every bench once, in turn.
    """
    counts: dict[str, int] = {}
    for bench in benches:
        _time(bench, calls or 1)
        if calls is not None:
            counts[bench.name] = calls
            continue
        ns_per_call, _ = _time(bench, 1)
        if ns_per_call < method.round_ns:
            ns_per_call, _ = _time(bench, method.warmup_calls)
        counts[bench.name] = method.calls_for(ns_per_call)
    per_round: dict[str, list[float]] = {bench.name: [] for bench in benches}
    made: dict[str, int] = {}
    for _ in range(method.rounds):
        for bench in benches:
            ns_per_call, made[bench.name] = _time(bench, counts[bench.name])
            per_round[bench.name].append(ns_per_call)
    return {name: summarise(times, made[name]) for name, times in per_round.items()}
