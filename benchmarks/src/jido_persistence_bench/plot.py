"""The plot: time per call against store size, log-log, one subplot per operation.

One solid line per target (with its interquartile range as error bars), and a
dashed or dotted line per raw baseline for the operations it runs.  matplotlib is used
with the non-interactive ``Agg`` backend, so no display is needed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from jido_persistence_bench.results import Document
from jido_persistence_bench.summary import operations_of, targets_of
from jido_persistence_bench.timing import Stats

__all__ = ["plot"]

_COLUMNS = 4
_RAW_STYLES = ("--", ":", "-.", (0, (5, 1, 1, 1)))


def _series(points: list[tuple[int, Stats]]) -> tuple[list[int], list[float], list[list[float]]]:
    points.sort(key=lambda point: point[0])
    sizes = [size for size, _ in points]
    medians = [stats["median_ns"] / 1e3 for _, stats in points]
    errors = [
        [max(0.0, (stats["median_ns"] - stats["q1_ns"]) / 1e3) for _, stats in points],
        [max(0.0, (stats["q3_ns"] - stats["median_ns"]) / 1e3) for _, stats in points],
    ]
    return sizes, medians, errors


def plot(document: Document, path: Path) -> None:
    """Draw ``document`` into the PNG file ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    operations = operations_of(document)
    rows = max(1, math.ceil(len(operations) / _COLUMNS))
    figure, axes = pyplot.subplots(
        rows, _COLUMNS, figsize=(4.2 * _COLUMNS, 3.4 * rows), squeeze=False
    )
    colours = pyplot.rcParams["axes.prop_cycle"].by_key()["color"]
    targets = targets_of(document)
    for index, operation in enumerate(operations):
        axis = axes[index // _COLUMNS][index % _COLUMNS]
        for number, target in enumerate(targets):
            colour = colours[number % len(colours)]
            runs = [run for run in document["runs"] if run["target"] == target]
            mine = [
                (run["size"], run["operations"][operation])
                for run in runs
                if operation in run["operations"]
            ]
            if mine:
                sizes, medians, errors = _series(mine)
                axis.errorbar(
                    sizes, medians, yerr=errors, marker="o", color=colour, label=target, capsize=2
                )
            baselines = sorted({name for run in runs for name in run["raw"]})
            for style, baseline in zip(_RAW_STYLES, baselines, strict=False):
                raw = [
                    (run["size"], run["raw"][baseline][operation])
                    for run in runs
                    if operation in run["raw"].get(baseline, {})
                ]
                if raw:
                    sizes, medians, _ = _series(raw)
                    axis.plot(
                        sizes,
                        medians,
                        linestyle=style,
                        marker=".",
                        color=colour,
                        alpha=0.6,
                        label=f"raw {baseline}",
                    )
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_title(operation, fontsize=9)
        axis.set_xlabel("messages in the store", fontsize=8)
        axis.set_ylabel("µs per call", fontsize=8)
        axis.tick_params(labelsize=7)
        axis.grid(True, which="major", alpha=0.3)
    for index in range(len(operations), rows * _COLUMNS):
        axes[index // _COLUMNS][index % _COLUMNS].set_visible(False)
    handles: dict[str, Any] = {}
    for axis in axes.flat:
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    figure.legend(list(handles.values()), list(handles), loc="lower right", fontsize=8, ncols=2)
    figure.suptitle(
        f"jido-persistence: time per call against store size "
        f"(median, IQR bars; dashed/dotted: raw backend) — {document['created_at']}",
        fontsize=10,
    )
    figure.tight_layout(rect=(0, 0, 1, 0.97))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
