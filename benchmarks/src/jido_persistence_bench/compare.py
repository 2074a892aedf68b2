"""Comparing two runs: what got faster or slower, per target, operation and size.

Figures are matched on (target, operation, size); the ratio is new median over
old median, so below 1 is faster.  A change within ``threshold`` (default 10%)
is reported as unchanged: these machines are noisy.  Raw baselines are compared
too, which tells a slower machine from a slower adapter.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from jido_persistence_bench.report import format_ns
from jido_persistence_bench.results import Document

__all__ = ["Change", "compare", "print_comparison"]


@dataclass(frozen=True)
class Change:
    """One figure in both runs."""

    target: str
    operation: str
    size: int
    old_ns: float
    new_ns: float

    @property
    def ratio(self) -> float:
        """``new_ns / old_ns``: below 1 is faster."""
        return self.new_ns / self.old_ns

    def verdict(self, threshold: float) -> str:
        """``"faster"``, ``"slower"`` or ``"unchanged"`` (within ``threshold``)."""
        if self.ratio < 1 / (1 + threshold):
            return "faster"
        if self.ratio > 1 + threshold:
            return "slower"
        return "unchanged"


def _figures(document: Document) -> dict[tuple[str, str, int], float]:
    figures: dict[tuple[str, str, int], float] = {}
    for run in document["runs"]:
        for operation, stats in run["operations"].items():
            figures[(run["target"], operation, run["size"])] = stats["median_ns"]
        for baseline, operations in run["raw"].items():
            for operation, stats in operations.items():
                key = (f"{run['target']} raw {baseline}", operation, run["size"])
                figures[key] = stats["median_ns"]
    return figures


def compare(old: Document, new: Document) -> list[Change]:
    """Every figure present in both documents, in the new document's order."""
    before = _figures(old)
    return [
        Change(target, operation, size, before[(target, operation, size)], value)
        for (target, operation, size), value in _figures(new).items()
        if (target, operation, size) in before
    ]


def print_comparison(
    changes: list[Change], console: Console, *, threshold: float = 0.1
) -> dict[str, int]:
    """Show ``changes`` as a table, slowest first; return how many of each verdict."""
    table = Table(
        title=f"Compared with the old run (new/old; changes within {threshold:.0%} unchanged)",
        title_justify="left",
    )
    for header in ("target", "operation", "size", "old", "new", "new/old", "verdict"):
        table.add_column(header, justify="left" if header in ("target", "operation") else "right")
    counts = {"faster": 0, "slower": 0, "unchanged": 0}
    styles = {"faster": "green", "slower": "red", "unchanged": "dim"}
    for change in sorted(changes, key=lambda change: -change.ratio):
        verdict = change.verdict(threshold)
        counts[verdict] += 1
        table.add_row(
            change.target,
            change.operation,
            f"{change.size:,}",
            format_ns(change.old_ns),
            format_ns(change.new_ns),
            f"x{change.ratio:.3g}",
            f"[{styles[verdict]}]{verdict}[/]",
        )
    console.print(table)
    console.print(
        f"{counts['faster']} faster, {counts['slower']} slower, "
        f"{counts['unchanged']} unchanged, of {len(changes)} figures in both runs"
    )
    return counts
