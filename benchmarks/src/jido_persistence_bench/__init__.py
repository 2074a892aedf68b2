"""jido-persistence-bench: every adapter on one chat workload, side by side, against
its raw backend.

Run it as ``jido-persistence bench [NAME_OR_URL ...]`` (see :mod:`.cli`).  The pieces:
:mod:`.dataset` (the synthetic history), :mod:`.load` (building stores, untimed),
:mod:`.workloads` (what is timed), :mod:`.raw` (the raw baselines), :mod:`.timing`
(rounds, median, spread), :mod:`.runner` and :mod:`.worker` (one store per
process), :mod:`.results` (the JSON document), :mod:`.summary`, :mod:`.report`,
:mod:`.plot` and :mod:`.compare`.
"""

from __future__ import annotations

from jido_persistence_bench.dataset import Dataset
from jido_persistence_bench.results import SCHEMA
from jido_persistence_bench.timing import Method, Stats
from jido_persistence_bench.workloads import WORKLOADS, Workload

__all__ = ["SCHEMA", "WORKLOADS", "Dataset", "Method", "Stats", "Workload"]

__version__ = "0.1.0"
