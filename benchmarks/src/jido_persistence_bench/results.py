"""The results document: every figure of a run, the machine, versions and parameters.

Written by ``--json PATH``, read back by ``--compare`` and by :mod:`.plot` and
:mod:`.report`.  :func:`validate` checks a document against :data:`SCHEMA`
(``"jido-persistence-bench/1"``); the structure is described by the TypedDicts
below.
"""

from __future__ import annotations

import copy
import json
import os
import platform
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Final, NotRequired, TypedDict, cast

from jido_persistence_bench.timing import Stats

__all__ = [
    "SCHEMA",
    "Document",
    "RunRecord",
    "find_run",
    "load",
    "load_average",
    "machine",
    "merge",
    "new_document",
    "package_versions",
    "save",
    "validate",
]

SCHEMA: Final = "jido-persistence-bench/1"
"""The ``schema`` value of documents this version writes and reads."""

_PACKAGES: Final = (
    "jido-persistence",
    "jido-persistence-tinydb",
    "jido-persistence-duckdb",
    "jido-persistence-postgres",
    "jido-persistence-sqlite",
    "jido-persistence-bench",
    "pydantic",
    "tinydb",
    "duckdb",
    "psycopg",
    "sortedcontainers",
)


class RunRecord(TypedDict):
    """One target at one store size.

    Keys:
        target: the target's label.
        adapter: the adapter name.
        size: messages in the store.
        status: ``"ok"``, ``"error"``, or ``"skipped"`` (building the store would
            overrun the build budget).
        error: why it failed or was skipped (``None`` when ok); figures measured
            before a failure are kept.
        bulk_load: whether a bulk path built the store (``build_path`` is not
            ``"callbacks"``).
        build_seconds: time to build the store (never part of any figure).
        baseline_rss_bytes: peak RSS of the worker process before the build.
        peak_rss_bytes: peak RSS once the store is built, before any raw
            baseline was loaded (the worker process holds one store only).
        operations: per workload, the adapter's time per call.
        raw: per raw baseline, per operation, its time per call.
        raw_skipped: raw baselines not run at this size, with the reason.
        load_average: optional: the machine's 1-, 5- and 15-minute load averages
            when the job started and when it ended (``os.getloadavg``).
        server: optional: what a server store reported about itself once built
            (PostgreSQL: each table's autovacuum/analyze state, and the plan of
            each probe statement before and after the measurement, see
            :mod:`.pg_probe`).
        storage: optional: bytes per table of a server store (see :mod:`.pg_scale`).
        build_path: optional: how the store was built (:data:`~.load.BuildPath`:
            ``import``, ``bulk_load``, ``bulk_messages`` or ``callbacks``).
        resident_bytes: optional: the worker's RSS once the store is built, after a
            garbage collection (the peak includes the build's transient memory).
        measure_seconds: optional: wall time of the measurement (raw baselines loaded,
            every workload timed), after the build.
    """

    target: str
    adapter: str
    size: int
    status: str
    error: str | None
    bulk_load: bool
    build_seconds: float
    baseline_rss_bytes: int
    peak_rss_bytes: int
    operations: dict[str, Stats]
    raw: dict[str, dict[str, Stats]]
    raw_skipped: dict[str, str]
    load_average: NotRequired[dict[str, list[float]]]
    server: NotRequired[dict[str, Any]]
    storage: NotRequired[dict[str, Any]]
    build_path: NotRequired[str]
    resident_bytes: NotRequired[int]
    measure_seconds: NotRequired[float]


class Document(TypedDict):
    """A whole benchmark run."""

    schema: str
    created_at: str
    command: list[str]
    machine: dict[str, Any]
    versions: dict[str, str | None]
    parameters: dict[str, Any]
    skipped_targets: dict[str, str]
    runs: list[RunRecord]


def machine() -> dict[str, Any]:
    """The platform, CPU count and Python of this machine, and its load averages now."""
    return {
        "load_average": load_average(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
    }


def load_average() -> list[float]:
    """The 1-, 5- and 15-minute load averages (empty where the platform has none)."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return []


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages that shape the figures (``None``: absent)."""
    versions: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def new_document(
    command: list[str], parameters: dict[str, Any], skipped_targets: Mapping[str, str]
) -> Document:
    """An empty document for a run started now."""
    return Document(
        schema=SCHEMA,
        created_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        command=command,
        machine=machine(),
        versions=package_versions(),
        parameters=parameters,
        skipped_targets=dict(skipped_targets),
        runs=[],
    )


_STATS_KEYS: Final = frozenset(Stats.__annotations__)
_RUN_TYPES: Final[dict[str, type | tuple[type, ...]]] = {
    "target": str,
    "adapter": str,
    "size": int,
    "status": str,
    "error": (str, type(None)),
    "bulk_load": bool,
    "build_seconds": (int, float),
    "baseline_rss_bytes": int,
    "peak_rss_bytes": int,
    "operations": dict,
    "raw": dict,
    "raw_skipped": dict,
}
_RUN_OPTIONAL: Final[dict[str, type | tuple[type, ...]]] = {
    "load_average": dict,
    "server": dict,
    "storage": dict,
    "build_path": str,
    "resident_bytes": int,
    "measure_seconds": (int, float),
}
_DOCUMENT_TYPES: Final[dict[str, type]] = {
    "schema": str,
    "created_at": str,
    "command": list,
    "machine": dict,
    "versions": dict,
    "parameters": dict,
    "skipped_targets": dict,
    "runs": list,
}


def _check_keys(
    where: str,
    data: Mapping[str, Any],
    types: Mapping[str, Any],
    optional: Mapping[str, Any] | None = None,
) -> None:
    optional = optional or {}
    missing = set(types) - set(data)
    extra = set(data) - set(types) - set(optional)
    if missing or extra:
        raise ValueError(f"{where}: missing keys {sorted(missing)}, unknown keys {sorted(extra)}")
    for key, expected in {**types, **optional}.items():
        if key in data and not isinstance(data[key], expected):
            raise ValueError(f"{where}: {key} is {type(data[key]).__name__}, not {expected}")


def _check_stats(where: str, stats: Any) -> None:
    if not isinstance(stats, dict) or set(stats) != _STATS_KEYS:
        raise ValueError(f"{where}: not a Stats mapping: {stats!r}")
    if not stats["per_round_ns"] or len(stats["per_round_ns"]) != stats["rounds"]:
        raise ValueError(f"{where}: per_round_ns does not hold one figure per round")
    if not stats["min_ns"] <= stats["q1_ns"] <= stats["median_ns"] <= stats["q3_ns"]:
        raise ValueError(f"{where}: quartiles out of order")
    if not stats["q3_ns"] <= stats["max_ns"] or stats["min_ns"] < 0:
        raise ValueError(f"{where}: extremes out of order")


def validate(document: Any) -> Document:
    """Check that ``document`` is a results document of :data:`SCHEMA`; return it.

    Raises:
        ValueError: saying which key is missing, unknown, mistyped or inconsistent.
    """
    if not isinstance(document, dict):
        raise ValueError("a results document is a JSON object")
    _check_keys("document", document, _DOCUMENT_TYPES)
    if document["schema"] != SCHEMA:
        raise ValueError(f"schema {document['schema']!r} is not {SCHEMA!r}")
    for index, run in enumerate(document["runs"]):
        where = f"runs[{index}]"
        if not isinstance(run, dict):
            raise ValueError(f"{where} is not an object")
        _check_keys(where, run, _RUN_TYPES, _RUN_OPTIONAL)
        if run["status"] not in ("ok", "error", "skipped"):
            raise ValueError(f"{where}: status {run['status']!r}")
        for operation, stats in run["operations"].items():
            _check_stats(f"{where}.operations.{operation}", stats)
        for baseline, operations in run["raw"].items():
            for operation, stats in operations.items():
                _check_stats(f"{where}.raw.{baseline}.{operation}", stats)
    return cast(Document, document)


def save(document: Document, path: Path) -> None:
    """Write ``document`` as indented JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def load(path: Path) -> Document:
    """Read and validate a results document."""
    return validate(json.loads(path.read_text(encoding="utf-8")))


def find_run(document: Document, target: str, size: int) -> RunRecord | None:
    """The run of ``target`` at ``size`` in ``document``, if any."""
    for run in document["runs"]:
        if run["target"] == target and run["size"] == size:
            return run
    return None


def merge(documents: Sequence[Document]) -> Document:
    """One document of several runs: the first document with the runs of each later one.

    A later run replaces the first document's run of the same target and size (in
    place, so the order of the tables stays), or is appended.  Each replacement is
    listed in ``parameters["merged_runs"]`` with the command, time and parameters of
    the run it came from, so the document still says how every figure was made.
    Raises ValueError for no documents.  O(runs).
    """
    if not documents:
        raise ValueError("nothing to merge: no documents given")
    merged = copy.deepcopy(documents[0])
    notes: list[dict[str, Any]] = list(merged["parameters"].get("merged_runs", []))
    for later in documents[1:]:
        for run in later["runs"]:
            record = copy.deepcopy(run)
            for index, existing in enumerate(merged["runs"]):
                if (existing["target"], existing["size"]) == (run["target"], run["size"]):
                    merged["runs"][index] = record
                    break
            else:
                merged["runs"].append(record)
            notes.append(
                {
                    "target": run["target"],
                    "size": run["size"],
                    "command": later["command"],
                    "created_at": later["created_at"],
                    "parameters": later["parameters"],
                }
            )
    merged["parameters"]["merged_runs"] = notes
    return merged
