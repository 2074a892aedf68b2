"""Plan shapes of PostgreSQL probe statements, and where they changed (no psycopg here:
the report reads saved documents without a server).

:mod:`.pg_probe` records, per store, the shape of each probe statement's plan
(:func:`plan_shape`) once the store is built and after the measurement;
:func:`plan_changes` lists the statements whose shape differs between sizes or
within one run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["plan_changes", "plan_shape"]


def plan_shape(plan: Mapping[str, Any]) -> str:
    """A plan tree as text: node types, with the index or relation each one reads,
    children in brackets (``"Limit[Index Scan messages_external_key]"``).  Costs and
    row estimates are left out: they change with every insert, the shape does not."""
    label = str(plan["Node Type"])
    target = plan.get("Index Name") or plan.get("Relation Name")
    if target:
        label += f" {target}"
    children = plan.get("Plans") or []
    if children:
        label += "[" + ", ".join(plan_shape(child) for child in children) + "]"
    return label


def plan_changes(runs: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """``(target, probe, what changed)`` for every probe whose plan shape differs
    between two sizes of one target, or between the start and the end of one run.

    ``runs`` are result records; those without ``server`` plans are ignored.
    """
    found: list[tuple[str, str, str]] = []
    by_target: dict[str, list[Mapping[str, Any]]] = {}
    for run in runs:
        if run.get("server", {}).get("after_build"):
            by_target.setdefault(run["target"], []).append(run)
    for target, measured in by_target.items():
        measured.sort(key=lambda run: run["size"])
        labels = dict.fromkeys(
            label
            for run in measured
            for moment in ("after_build", "after_measure")
            for label in run["server"].get(moment, {}).get("plans", {})
        )
        for label in labels:
            for mode in ("custom", "generic"):
                seen: dict[str, list[str]] = {}
                for run in measured:
                    for moment in ("after_build", "after_measure"):
                        shape = run["server"].get(moment, {}).get("plans", {}).get(label, {})
                        if mode in shape:
                            where = f"{run['size']:,} ({moment.replace('_', ' ')})"
                            seen.setdefault(shape[mode], []).append(where)
                if len(seen) > 1:
                    detail = "; ".join(
                        f"{shape} at {', '.join(places)}" for shape, places in seen.items()
                    )
                    found.append((target, f"{label} ({mode})", detail))
    return found
