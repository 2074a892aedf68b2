"""Running each job in a process of its own, so that its peak memory is its own.

The parent calls :func:`run_isolated`, which starts
``python -m jido_persistence_bench.worker`` with the job as JSON on stdin.  The
worker reports on stdout, one JSON object per line after the :data:`MARKER`
(lines without it, printed by a library, are ignored): ``{"progress": text}`` as
each step starts, then ``{"result": record}``.  A worker that dies, or outlives
its timeout, yields an ``"error"`` record with the tail of its stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from typing import Final

from jido_persistence.errors import redact_text
from jido_persistence_bench.results import RunRecord
from jido_persistence_bench.runner import Job, run_one

__all__ = ["MARKER", "main", "run_isolated"]

MARKER: Final = "@@jido-bench@@ "
"""Prefix of the worker's protocol lines on stdout."""


def _emit(payload: dict[str, object]) -> None:
    sys.stdout.write(MARKER + json.dumps(payload) + "\n")
    sys.stdout.flush()


def main() -> None:
    """The worker: read one job from stdin, run it, report on stdout."""
    job = Job.from_json(json.loads(sys.stdin.read()))
    record = run_one(job, lambda text: _emit({"progress": text}))
    _emit({"result": dict(record)})


def _failed(job: Job, error: str) -> RunRecord:
    return RunRecord(
        target=job.target.label,
        adapter=job.target.adapter,
        size=job.size,
        status="error",
        error=error,
        bulk_load=False,
        build_seconds=0.0,
        baseline_rss_bytes=0,
        peak_rss_bytes=0,
        operations={},
        raw={},
        raw_skipped={},
    )


def run_isolated(job: Job, progress: Callable[[str], None], timeout: float | None) -> RunRecord:
    """Run ``job`` in a new Python process; ``progress`` receives its steps.

    ``timeout`` (seconds, ``None`` for none) bounds the whole job; on expiry the
    worker is killed and the record says so.  The worker's temporary files are
    removed in any case (a PostgreSQL schema of a killed worker is left behind).
    """
    # The worker's temporary files go into a directory of ours, removed even when
    # the worker was killed and could not clean up.
    scratch = tempfile.mkdtemp(prefix="jido-bench-worker-")
    try:
        return _run_worker(job, progress, timeout, {**os.environ, "TMPDIR": scratch})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run_worker(
    job: Job, progress: Callable[[str], None], timeout: float | None, env: dict[str, str]
) -> RunRecord:
    process = subprocess.Popen(
        [sys.executable, "-m", "jido_persistence_bench.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdin.write(json.dumps(job.to_json()))
    process.stdin.close()
    errors: list[str] = []
    drain = threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)  # type: ignore[arg-type]
    drain.start()
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        process.kill()

    timer = threading.Timer(timeout, expire) if timeout else None
    if timer is not None:
        timer.start()
    result: RunRecord | None = None
    try:
        for line in process.stdout:
            if not line.startswith(MARKER):
                continue
            message = json.loads(line[len(MARKER) :])
            if "progress" in message:
                progress(message["progress"])
            elif "result" in message:
                result = message["result"]
        process.wait()
    finally:
        if timer is not None:
            timer.cancel()
        drain.join(timeout=5)
    if result is not None:
        return result
    tail = redact_text("".join(errors[-15:]).strip())
    if expired.is_set():
        return _failed(job, f"the worker was stopped after the {timeout} s timeout\n{tail}")
    return _failed(job, f"the worker exited with status {process.returncode}\n{tail}")


if __name__ == "__main__":
    main()
