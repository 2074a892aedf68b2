"""Resident memory of a TinyDB store, per message, and what reading and opening cost.

Run: ``uv run python adapters/tinydb/benchmarks/memory.py [--sizes 20000,100000]
[--cache-bytes N]`` (``cache_bytes`` of every store opened; default: the adapter's)

Each figure comes from a fresh child process (so peak RSS belongs to one store):

- ``bulk``: an empty store, then ``bulk_save_messages`` of the benchmark dataset's
  messages (``jido_persistence_bench.dataset``), which ends with one compaction;
- ``save``: the same messages through ``save_message`` (``flush`` durability, the
  journal's automatic compactions included);
- ``open``: reopening the store written by ``bulk`` (snapshot only);
- ``suite``: the benchmark suite's build (``jido_persistence_bench.load.load_store``:
  rooms, bindings, participants and threads through callbacks, then messages in bulk,
  with ``durability=flush``), ``close()`` (which compacts) and a reopen, as
  ``jido-persistence-bench`` builds a TinyDB store; its peak RSS is the suite's figure.

For each it prints the baseline RSS (interpreter and imports), the RSS and the peak RSS
once the store is built, their growth per message, the build time, and then
``get_message`` timings: a cache hit, and a miss (a message outside the decoded-model
cache).  ``--tracemalloc`` adds the Python allocations held by the store, grouped by
line, for the ``bulk`` case.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from jido_persistence_bench.dataset import Dataset, message_id
from jido_persistence_bench.load import load_store
from jido_persistence_tinydb import TinyDBAdapter


def rss_bytes() -> int:
    """The current resident set size of this process."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def peak_rss_bytes() -> int:
    """The peak resident set size of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def get_timings(store: TinyDBAdapter, size: int) -> dict[str, float]:
    """Microseconds per ``get_message``: a cached model, and a cache miss."""
    hits, misses = [], []
    recent = [message_id(size - 1 - n) for n in range(200)]
    for key in recent:  # in the cache: the last saved/read
        store.get_message(key)
    for key in recent:
        started = time.perf_counter()
        store.get_message(key)
        hits.append((time.perf_counter() - started) * 1e6)
    step = max(1, size // 500)
    for index in range(0, min(size, 500 * step), step):
        key = message_id(index)
        store._state.messages.discard(key)
        started = time.perf_counter()
        store.get_message(key)
        misses.append((time.perf_counter() - started) * 1e6)
    return {"hit_us": statistics.median(hits), "miss_us": statistics.median(misses)}


def child(
    mode: str, size: int, directory: Path, trace: bool, cache: dict[str, int]
) -> dict[str, float]:
    """Build (or open) one store in this process and measure it."""
    data = Dataset(size)
    path = directory / "store.json"
    gc.collect()
    baseline = rss_bytes()
    baseline_peak = peak_rss_bytes()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    if mode == "open":
        store = TinyDBAdapter(path=path, **cache)
    elif mode == "suite":
        store = TinyDBAdapter(path=path, durability="flush", **cache)
        load_store(store, data, lambda done, total: None)
        store.close()
        store = TinyDBAdapter(path=path, **cache)
    else:
        store = TinyDBAdapter(path=path, durability="flush", **cache)
        if mode == "bulk":
            store.bulk_save_messages(data.messages())
        else:
            for message in data.messages():
                store.save_message(message)
            store._files.wait()
    seconds = time.perf_counter() - started
    gc.collect()
    figures: dict[str, float] = {
        "baseline_mb": baseline / 1e6,
        "baseline_peak_mb": baseline_peak / 1e6,
        "rss_mb": rss_bytes() / 1e6,
        "peak_mb": peak_rss_bytes() / 1e6,
        "seconds": seconds,
    }
    figures["rss_per_message_b"] = (rss_bytes() - baseline) / size
    figures["peak_per_message_b"] = (peak_rss_bytes() - baseline) / size
    if trace:
        snapshot = tracemalloc.take_snapshot()
        traced, peak = tracemalloc.get_traced_memory()
        figures["traced_mb"] = traced / 1e6
        figures["traced_peak_mb"] = peak / 1e6
        tracemalloc.stop()
        for stat in snapshot.statistics("lineno")[:15]:
            print(f"    {stat.size / 1e6:8.1f} MB {stat.count:9d}  {stat.traceback}", flush=True)
    figures.update(get_timings(store, size))
    store.close()
    return figures


def run(
    mode: str, size: int, directory: Path, trace: bool, cache_bytes: int | None
) -> dict[str, float]:
    """Run :func:`child` in a fresh interpreter and return its figures."""
    command = [sys.executable, __file__, "--child", mode, "--sizes", str(size)]
    if cache_bytes is not None:
        command += ["--cache-bytes", str(cache_bytes)]
    command += ["--directory", str(directory)] + (["--tracemalloc"] if trace else [])
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    lines = output.splitlines()
    for line in lines[:-1]:
        print(line)
    result: dict[str, float] = json.loads(lines[-1])
    return result


def main() -> None:
    """Measure every mode at every size and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--cache-bytes", type=int, default=None)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--directory", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    if options.child:
        cache = {} if options.cache_bytes is None else {"cache_bytes": options.cache_bytes}
        figures = child(options.child, sizes[0], options.directory, options.tracemalloc, cache)
        print(json.dumps(figures))
        return
    print(f"python {sys.version.split()[0]}")
    for size in sizes:
        with tempfile.TemporaryDirectory(dir=Path.cwd()) as temporary:
            directory = Path(temporary)
            for mode in ("bulk", "open", "save", "suite"):
                if mode in ("save", "suite"):
                    (directory / "store.json").unlink()
                    (directory / "store.json.journal").unlink(missing_ok=True)
                trace = options.tracemalloc and mode == "bulk"
                figures = run(mode, size, directory, trace, options.cache_bytes)
                snapshot = (directory / "store.json").stat().st_size
                print(
                    f"{mode:>4} {size:>7,}: rss {figures['rss_mb']:6.0f} MB "
                    f"(baseline {figures['baseline_mb']:3.0f}), peak {figures['peak_mb']:6.0f} MB; "
                    f"per message: rss {figures['rss_per_message_b']:6.0f} B, "
                    f"peak {figures['peak_per_message_b']:6.0f} B; "
                    f"{figures['seconds']:6.2f} s; get hit {figures['hit_us']:.1f} us, "
                    f"miss {figures['miss_us']:.1f} us; snapshot {snapshot / 1e6:.1f} MB",
                    flush=True,
                )
                if "traced_mb" in figures:
                    print(
                        f"      traced {figures['traced_mb']:.0f} MB, "
                        f"traced peak {figures['traced_peak_mb']:.0f} MB"
                    )


if __name__ == "__main__":
    main()
