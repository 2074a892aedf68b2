"""The performance goals of issue 20, checked against the figures of one run.

Each :class:`Goal` reads a results document and answers a :class:`GoalResult`: the
goal in words, its target, the figure of the run (the worst case, named), and whether
the run met it (``None``: the run did not measure it, or the row is a note).  Every
figure is a ratio of one run (adapter / raw baseline of the same worker, round by
round; largest size / smallest; adapter / the memory adapter at the same size), so a
slower machine moves it little; an absolute time (DuckDB's ``bridge_event``) is the one
exception, and a loaded machine can fail it on its own.

:data:`GOALS` is the list the report shows.  ``delete_room`` has no goal: it deletes a
room holding 1% of the messages, so its time grows with the store by design (the
scaling table says so beside its row, see :data:`SCALING_NOTES`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from jido_persistence_bench.dataset import Dataset
from jido_persistence_bench.results import Document, RunRecord
from jido_persistence_bench.summary import floor_ratio, overheads, sizes_of
from jido_persistence_bench.workloads import PAGE_LIMIT, PAGES_BACK

__all__ = [
    "BUNDLED",
    "GOALS",
    "LOOKUPS",
    "OVERHEAD_LIMIT",
    "SCALING_NOTES",
    "Goal",
    "GoalResult",
    "evaluate",
]

LOOKUPS: Final[tuple[str, ...]] = (
    "get_message",
    "get_message_by_external_id",
    "get_messages_latest",
    "ingest_message_repeated",
    "get_messages_page_back",
    "list_threads",
    "get_or_create_room_existing",
)
"""The read workloads a "lookup" goal covers (``directory_search_name`` has its own)."""

BUNDLED: Final[tuple[str, ...]] = ("memory", "tinydb", "sqlite", "duckdb", "postgres")
"""The bundled adapters a full run measures."""

OVERHEAD_LIMIT: Final = 1.15
"""Adapter / raw baseline allowed on every single-row operation and page."""

LIST_THREADS_LIMIT: Final = 100
"""The page size of the ``list_threads`` workload."""

SCALING_NOTES: Final[dict[str, str]] = {
    "delete_room": "deletes a room of 1% of the store: grows with it by design, no goal",
    "save_message": "a write: no scaling goal",
    "list_threads": "answers every thread of its room, 1 at 1,000 messages and 50 at 100,000: "
    "the goal is per thread answered",
    "get_messages_page_back": "a room of 1,000 messages holds one page, so half the pages "
    "walked there are empty: the goal starts at 10,000",
}
"""Why an operation's scaling is expected to grow (shown beside its row)."""

_FIGURE_NONE: Final = "not measured"


@dataclass(frozen=True)
class GoalResult:
    """One goal against one run.

    Attributes:
        goal: the goal in words.
        target: the threshold (``"<= x2"``).
        figure: the run's figure, its worst case named (operation, size).
        met: whether the run met it; ``None`` when the run did not measure it.
        note: the row is a note (no goal), not a goal.
    """

    goal: str
    target: str
    figure: str
    met: bool | None
    note: bool = False

    @property
    def verdict(self) -> str:
        """``met``, ``NOT MET``, ``not measured``, or ``no goal`` for a note."""
        if self.note:
            return "no goal"
        return {True: "met", False: "NOT MET", None: _FIGURE_NONE}[self.met]


@dataclass(frozen=True)
class Goal:
    """A goal: its words, its target and how to compute the run's figure."""

    goal: str
    target: str
    check: Callable[[Document], tuple[str, bool | None]]
    note: bool = False

    def evaluate(self, document: Document) -> GoalResult:
        """This goal against ``document``."""
        figure, met = self.check(document)
        return GoalResult(self.goal, self.target, figure, met, self.note)


def _ratio(value: float) -> str:
    return f"x{value:.3g}"


def _runs(document: Document, adapter: str) -> list[RunRecord]:
    return sorted(
        (run for run in document["runs"] if run["adapter"] == adapter and run["operations"]),
        key=lambda run: run["size"],
    )


def _worst(found: list[tuple[float, str]], limit: float) -> tuple[str, bool | None]:
    if not found:
        return _FIGURE_NONE, None
    value, where = max(found)
    return f"{_ratio(value)} ({where})", value <= limit


def _overhead(adapter: str, limit: float) -> Callable[[Document], tuple[str, bool | None]]:
    def check(document: Document) -> tuple[str, bool | None]:
        adapters = {run["target"]: run["adapter"] for run in document["runs"]}
        found = [
            (item.ratio, f"{item.operation} at {item.size:,}")
            for item in overheads(document)
            if adapters.get(item.target) == adapter
        ]
        return _worst(found, limit)

    return check


def _growth(adapter: str, limit: float) -> Callable[[Document], tuple[str, bool | None]]:
    """Adapter/raw at the largest size over adapter/raw at the size below it."""

    def check(document: Document) -> tuple[str, bool | None]:
        adapters = {run["target"]: run["adapter"] for run in document["runs"]}
        sizes = sizes_of(document)
        if len(sizes) < 2:
            return _FIGURE_NONE, None
        below, largest = sizes[-2], sizes[-1]
        ratios: dict[tuple[str, str, int], float] = {
            (item.baseline, item.operation, item.size): item.ratio
            for item in overheads(document)
            if adapters.get(item.target) == adapter
        }
        found = [
            (ratio / ratios[(baseline, operation, below)], f"{operation}")
            for (baseline, operation, size), ratio in ratios.items()
            if size == largest and (baseline, operation, below) in ratios
        ]
        return _worst(found, limit)

    return check


def _threads_answered(size: int) -> int:
    return min(Dataset(size).threads_per_room, LIST_THREADS_LIMIT)


def _comparable(operation: str, runs: list[RunRecord]) -> list[RunRecord]:
    """The runs whose figures of ``operation`` a scaling goal compares: a page walk
    only where a room holds the ten full pages it walks (10,000 messages and up, when
    measured besides the largest size)."""
    if operation != "get_messages_page_back":
        return runs
    full = [
        run for run in runs if run["size"] // Dataset(run["size"]).rooms >= PAGE_LIMIT * PAGES_BACK
    ]
    return full if len(full) >= 2 else runs


def _scaling(
    adapter: str, operations: Sequence[str], limit: float
) -> Callable[[Document], tuple[str, bool | None]]:
    def check(document: Document) -> tuple[str, bool | None]:
        runs = _runs(document, adapter)
        found = []
        for operation in operations:
            measured = _comparable(
                operation, [run for run in runs if operation in run["operations"]]
            )
            if len(measured) < 2:
                continue
            small, large = measured[0], measured[-1]
            ratio = (
                large["operations"][operation]["median_ns"]
                / small["operations"][operation]["median_ns"]
            )
            where = f"{operation}, {large['size']:,}/{small['size']:,}"
            if operation == "list_threads":
                ratio /= _threads_answered(large["size"]) / _threads_answered(small["size"])
                where += ", per thread answered"
            found.append((ratio, where))
        return _worst(found, limit)

    return check


def _floor(
    adapter: str, operations: Sequence[str], limit: float
) -> Callable[[Document], tuple[str, bool | None]]:
    def check(document: Document) -> tuple[str, bool | None]:
        found = []
        for run in _runs(document, adapter):
            for operation in operations:
                ratio = floor_ratio(document, run, operation)
                if ratio is not None:
                    found.append((ratio, f"{operation} at {run['size']:,}"))
        return _worst(found, limit)

    return check


def _slowest(
    adapter: str, operation: str, limit_ns: float
) -> Callable[[Document], tuple[str, bool | None]]:
    def check(document: Document) -> tuple[str, bool | None]:
        found = [
            (run["operations"][operation]["median_ns"], f"at {run['size']:,}")
            for run in _runs(document, adapter)
            if operation in run["operations"]
        ]
        if not found:
            return _FIGURE_NONE, None
        value, where = max(found)
        return f"{value / 1e6:.3g} ms ({where})", value < limit_ns

    return check


def _coverage(document: Document) -> tuple[str, bool | None]:
    sizes = sizes_of(document)
    measured = {
        (run["adapter"], run["size"])
        for run in document["runs"]
        if run["status"] == "ok" and run["peak_rss_bytes"] > 0
    }
    missing = [
        f"{adapter} at {size:,}"
        for adapter in BUNDLED
        for size in sizes
        if (adapter, size) not in measured
    ]
    if not missing:
        return f"{len(BUNDLED)} adapters x {len(sizes)} sizes, each with its peak RSS", True
    return "missing: " + ", ".join(missing), False


def _resident(document: Document) -> tuple[str, bool | None]:
    sizes = sizes_of(document)
    if not sizes:
        return _FIGURE_NONE, None
    largest = sizes[-1]
    resident = {
        run["adapter"]: run.get("resident_bytes")
        for run in document["runs"]
        if run["size"] == largest
    }
    tinydb, memory = resident.get("tinydb"), resident.get("memory")
    if not tinydb or not memory:
        return _FIGURE_NONE, None
    per = 100_000 / largest / 2**20
    return (
        f"TinyDB {tinydb * per:,.0f} MiB, memory {memory * per:,.0f} MiB per 100,000 messages "
        f"(at {largest:,}; x{tinydb / memory:.3g})",
        True,
    )


def _note(text: str) -> Callable[[Document], tuple[str, bool | None]]:
    return lambda document: (text, None)


GOALS: Final[tuple[Goal, ...]] = (
    *(
        goal
        for adapter in ("postgres", "duckdb", "sqlite")
        for goal in (
            Goal(
                f"{adapter}: adapter/raw on get, get by external id, latest page and save, "
                "every size",
                f"<= x{OVERHEAD_LIMIT}",
                _overhead(adapter, OVERHEAD_LIMIT),
            ),
            Goal(
                f"{adapter}: adapter/raw not growing from the second-largest size to the "
                "largest (its ratio at the largest / at the one below)",
                f"<= x{OVERHEAD_LIMIT}",
                _growth(adapter, OVERHEAD_LIMIT),
            ),
        )
    ),
    Goal("duckdb: bridge_event at every size", "< 10 ms", _slowest("duckdb", "bridge_event", 1e7)),
    Goal("tinydb: every lookup's scaling", "<= x2", _scaling("tinydb", LOOKUPS, 2.0)),
    Goal(
        "tinydb: every lookup within 2x of the memory adapter, every size",
        "<= x2",
        _floor("tinydb", LOOKUPS, 2.0),
    ),
    Goal("tinydb: resident memory beside memory's", "reported", _resident),
    Goal("sqlite: every lookup's scaling", "<= x2", _scaling("sqlite", LOOKUPS, 2.0)),
    Goal("memory: every lookup's scaling", "<= x2", _scaling("memory", LOOKUPS, 2.0)),
    *(
        Goal(
            f"{adapter}: directory_search by name (selective) scaling",
            "<= x3",
            _scaling(adapter, ("directory_search_name",), 3.0),
        )
        for adapter in BUNDLED
    ),
    Goal("every bundled adapter at every size, with its peak RSS", "all", _coverage),
    Goal("delete_room", "none", _note(SCALING_NOTES["delete_room"]), note=True),
)
"""Issue 20's goals (and the brief's memory and SQLite scaling goals), in report order."""


def evaluate(document: Document) -> list[GoalResult]:
    """Every goal of :data:`GOALS` against ``document`` (an empty list for a document
    with no run)."""
    if not document["runs"]:
        return []
    return [goal.evaluate(document) for goal in GOALS]
