"""``Context``: what a workload is given, shared by :mod:`.workloads` and :mod:`.ingest`.

Its own module so that the workload table (which lists the ingestion workloads) and the
ingestion workloads (which take a context) do not import each other.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

from jido_persistence import PersistenceAdapter
from jido_persistence_bench.dataset import Dataset

__all__ = ["Context"]


@dataclass
class Context:
    """What a workload needs: the store, the shape of its data and a seeded RNG."""

    store: PersistenceAdapter
    data: Dataset
    rng: random.Random
    counter: itertools.count[int] = field(default_factory=itertools.count)
    deleted_rooms: set[int] = field(default_factory=set)

    def unique(self, prefix: str) -> str:
        """A new name never used before in this run."""
        return f"{prefix}{next(self.counter)}"

    def random_message(self) -> int:
        """The index of a random message of the dataset."""
        return self.rng.randrange(self.data.size)

    def random_room(self) -> int:
        """The index of a random room of the dataset."""
        return self.rng.randrange(self.data.rooms)
