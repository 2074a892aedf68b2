"""Measuring one target at one store size, in this process.

:func:`run_one` builds a fresh store (in a new temporary directory, or a new
schema, destroyed afterwards), loads the dataset without timing it, runs every
workload of :data:`~.workloads.WORKLOADS`, and times the raw baselines' four
single-row operations interleaved, round by round, with the adapter's.  Peak
memory is the process's peak RSS (``resource.getrusage``), read once the store
is built and before any raw baseline is loaded; :mod:`.worker` runs each call
in a process of its own so that this figure belongs to one adapter and one size.
"""

from __future__ import annotations

import contextlib
import gc
import os
import random
import resource
import secrets
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from jido_persistence import PersistenceAdapter, open_store
from jido_persistence.errors import redact_text
from jido_persistence.registry import get_adapter
from jido_persistence_bench.context import Context
from jido_persistence_bench.dataset import Dataset
from jido_persistence_bench.load import BuildPath, load_store
from jido_persistence_bench.raw import RAW_BASELINES, RawBaseline
from jido_persistence_bench.results import RunRecord
from jido_persistence_bench.targets import Target, store_url, with_query
from jido_persistence_bench.timing import Method, measure
from jido_persistence_bench.workloads import RAW_OPERATIONS, WORKLOADS, Workload

__all__ = [
    "BuildBudgetExceeded",
    "Job",
    "Progress",
    "build_store",
    "empty_record",
    "measure_store",
    "open_baselines",
    "peak_rss_bytes",
    "resident_bytes",
    "run_one",
]

Progress = Callable[[str], None]
"""Receives a short description of each step as it starts."""


@dataclass(frozen=True)
class Job:
    """One target at one size, with the timing method and the RNG seed.

    ``build_budget`` (seconds, ``None`` for none) skips the job when building the
    store is projected, from its first 2%, to take longer.
    """

    target: Target
    size: int
    method: Method
    seed: int = 1
    build_budget: float | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (``from_json`` reads it back)."""
        return {
            "target": self.target.to_json(),
            "size": self.size,
            "method": asdict(self.method),
            "seed": self.seed,
            "build_budget": self.build_budget,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        """The job saved by :meth:`to_json`."""
        return cls(
            target=Target.from_json(data["target"]),
            size=data["size"],
            method=Method(**data["method"]),
            seed=data["seed"],
            build_budget=data["build_budget"],
        )


class BuildBudgetExceeded(Exception):
    """Building the store would take longer than the job's budget."""


def build_store(
    job: Job, url: str, data: Dataset, progress: Progress
) -> tuple[PersistenceAdapter, BuildPath]:
    """Open a fresh store at ``url`` and load ``data``; return it open, and the build
    path taken (:func:`~.load.load_store`: ``import`` for every bundled adapter).

    With ``job.target.build_query`` the store is built with those URL parameters,
    closed and reopened without them.  Raises :class:`BuildBudgetExceeded` as soon as the
    build is projected to overrun ``job.build_budget``.
    """
    started = time.perf_counter()
    mark: list[tuple[float, int]] = []

    def report(done: int, total: int) -> None:
        now = time.perf_counter()
        if not mark:
            # The rate is measured from here on: opening connections and the first
            # records would make a projection from the start far too pessimistic.
            mark.append((now, done))
        since, done_then = mark[0]
        if job.build_budget is not None and done >= total // 50 and done > done_then:
            rate = (done - done_then) / (now - since)
            projected = now - started + (total - done) / rate
            if projected > job.build_budget:
                raise BuildBudgetExceeded(
                    f"building {total:,} records was projected to take "
                    f"{projected:,.0f} s (after {done:,} in {now - started:,.0f} s), over the "
                    f"{job.build_budget:,.0f} s budget (raise it with --build-budget)"
                )
        progress(f"building the store {done:,}/{total:,}")

    store = open_store(with_query(url, job.target.build_query))
    try:
        path = load_store(store, data, report, threads=job.target.build_threads)
        if job.target.build_query:
            store.close()
            store = open_store(url)
    except BaseException:
        store.close()
        raise
    return store, path


def peak_rss_bytes() -> int:
    """The peak resident set size of this process so far, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def resident_bytes() -> int:
    """The resident set size of this process now, after a full garbage collection
    (``/proc/self/statm``; the peak where there is no ``/proc``): what holding the store
    costs once its build's transient memory is released."""
    gc.collect()
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return peak_rss_bytes()
    return pages * os.sysconf("SC_PAGE_SIZE")


def empty_record(job: Job) -> RunRecord:
    """A record of ``job`` with no figures yet (status ``"ok"``)."""
    return RunRecord(
        target=job.target.label,
        adapter=job.target.adapter,
        size=job.size,
        status="ok",
        error=None,
        bulk_load=False,
        build_seconds=0.0,
        baseline_rss_bytes=peak_rss_bytes(),
        peak_rss_bytes=0,
        operations={},
        raw={},
        raw_skipped={},
    )


def open_baselines(
    job: Job, data: Dataset, directory: Path, record: RunRecord, progress: Progress
) -> dict[str, RawBaseline]:
    """Load the raw baselines of ``job.target`` (those allowed at its size) with ``data``;
    the ones skipped for size are noted in ``record["raw_skipped"]``."""
    baselines: dict[str, RawBaseline] = {}
    for name in job.target.raw:
        factory, max_size = RAW_BASELINES[name]
        if max_size is not None and job.size > max_size:
            record["raw_skipped"][name] = (
                f"skipped above {max_size:,} messages: O(n) per call, it would take too long"
            )
            continue
        progress(f"loading raw baseline {name}")
        baseline_directory = directory / f"raw-{name}"
        baseline_directory.mkdir()
        baseline = factory(baseline_directory, job.target.raw_options)
        baselines[name] = baseline
        baseline.load(data.messages())
    return baselines


def _measure_workload(
    workload: Workload,
    context: Context,
    store: PersistenceAdapter,
    baselines: dict[str, RawBaseline],
    method: Method,
    record: RunRecord,
) -> None:
    benches = [workload.bench(context, store)]
    names = {benches[0].name: ("", workload.name)}
    for name, baseline in baselines.items():
        bench = replace(workload.bench(context, baseline), name=f"raw:{name}")
        benches.append(bench)
        names[bench.name] = (name, workload.name)
    for bench_name, stats in measure(benches, method, calls=workload.calls_per_round).items():
        baseline_name, operation = names[bench_name]
        if baseline_name:
            record["raw"].setdefault(baseline_name, {})[operation] = stats
        else:
            record["operations"][operation] = stats


def _probes_server(job: Job) -> bool:
    """Whether the store is a PostgreSQL schema this run may analyse and probe."""
    return job.target.adapter == "postgres" and "conninfo" in job.target.raw_options


def _analyse(job: Job, schema: str) -> None:
    # Imported here: psycopg is not worth a second of every other worker's start.
    from jido_persistence_bench.pg_probe import analyse

    analyse(job.target.raw_options["conninfo"], schema)


def _probe(job: Job, schema: str, data: Dataset) -> dict[str, Any]:
    from jido_persistence_bench.pg_probe import probe

    return probe(job.target.raw_options["conninfo"], schema, data)


def measure_store(
    store: PersistenceAdapter,
    data: Dataset,
    baselines: dict[str, RawBaseline],
    job: Job,
    record: RunRecord,
    progress: Progress,
) -> None:
    """Time every workload of :data:`~.workloads.WORKLOADS` that applies to ``store``
    (holding ``data``), the raw ``baselines`` beside the four single-row operations, into
    ``record``."""
    raw_operations = {workload.name for workload in RAW_OPERATIONS}
    context = Context(store, data, random.Random(job.seed))
    for workload in WORKLOADS:
        if not workload.applies_to(store):
            continue
        progress(workload.name)
        chosen = baselines if workload.name in raw_operations else {}
        _measure_workload(workload, context, store, chosen, job.method, record)


def run_one(job: Job, progress: Progress) -> RunRecord:
    """Measure ``job.target`` at ``job.size`` and return every figure.

    Never raises for a failing adapter: the record's ``status`` becomes
    ``"error"`` with the (redacted) traceback's last line in ``error``, keeping
    the figures measured before.
    """
    record = empty_record(job)
    data = Dataset(job.size)
    with tempfile.TemporaryDirectory(prefix="jido-bench-") as temporary:
        directory = Path(temporary)
        unique = "jido_bench_" + secrets.token_hex(6)
        url = store_url(job.target, directory, unique)
        store: PersistenceAdapter | None = None
        baselines: dict[str, RawBaseline] = {}
        try:
            progress("building the store")
            started = time.perf_counter()
            store, record["build_path"] = build_store(job, url, data, progress)
            record["bulk_load"] = record["build_path"] != "callbacks"
            record["build_seconds"] = time.perf_counter() - started
            record["peak_rss_bytes"] = peak_rss_bytes()
            record["resident_bytes"] = resident_bytes()
            probing = _probes_server(job)
            if probing:
                progress("VACUUM ANALYZE and plans of the built store")
                _analyse(job, unique)
                record["server"] = {"after_build": _probe(job, unique, data)}
            baselines = open_baselines(job, data, directory, record, progress)
            measuring = time.perf_counter()
            measure_store(store, data, baselines, job, record, progress)
            record["measure_seconds"] = time.perf_counter() - measuring
            if probing:
                record["server"]["after_measure"] = _probe(job, unique, data)
        except BuildBudgetExceeded as error:
            record["status"] = "skipped"
            record["error"] = str(error)
            record["peak_rss_bytes"] = peak_rss_bytes()
        except Exception as error:
            record["status"] = "error"
            lines = traceback.format_exception_only(error)
            record["error"] = redact_text("".join(lines).strip())
            if not record["peak_rss_bytes"]:
                record["peak_rss_bytes"] = peak_rss_bytes()
        finally:
            for baseline in baselines.values():
                with contextlib.suppress(Exception):
                    baseline.close()
            if store is not None:
                with contextlib.suppress(Exception):
                    store.close()
            with contextlib.suppress(Exception):
                get_adapter(job.target.adapter).load().destroy_store(url)
    return record
