"""What the contract-9.0 re-check of ``save_*`` arguments costs on the hot path.

Run: ``uv run python benchmarks/scripts/recheck_overhead.py [--saves 20000]``

``save_message`` of the benchmark dataset's messages (platform key, metadata, one
text part each) on the memory adapter and on TinyDB (a fresh file, default
durability), with the re-check as shipped ("after") and with it replaced by the
bare ``isinstance`` test that came before it ("before"), interleaved round by round
in one process.  Prints microseconds per save for both, their difference and their
ratio, and what the check alone costs: the fast path for a validated message, and
the full re-validation that an instance from ``model_copy(update=...)`` gets.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import timeit
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from jido_persistence import PersistenceAdapter, open_store, validation
from jido_persistence.models import Message
from jido_persistence_bench.dataset import Dataset


@contextmanager
def recheck_disabled() -> Iterator[None]:
    """Swap the re-check for the identity, as ``require_instance`` was before 9.0."""
    original = validation.recheck
    validation.recheck = lambda value, model, name: value  # type: ignore[assignment]
    try:
        yield
    finally:
        validation.recheck = original


def per_save_us(store: PersistenceAdapter, messages: list[Message]) -> float:
    started = time.perf_counter()
    for message in messages:
        store.save_message(message)
    return (time.perf_counter() - started) / len(messages) * 1e6


def measure(
    open_fresh: Callable[[], PersistenceAdapter], messages: list[Message], rounds: int
) -> tuple[float, float]:
    before: list[float] = []
    after: list[float] = []
    for _ in range(rounds):
        for label in ("before", "after"):
            with open_fresh() as store:
                if label == "before":
                    with recheck_disabled():
                        before.append(per_save_us(store, messages))
                else:
                    after.append(per_save_us(store, messages))
    return statistics.median(before), statistics.median(after)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    dataset = Dataset(max(options.saves, 1000))
    messages = [dataset.message(index) for index in range(options.saves)]
    sample = messages[0]

    def check_us(value: Message, number: int) -> float:
        runs = timeit.repeat(
            lambda: validation.require_instance("message", value, Message), number=number, repeat=5
        )
        return min(runs) / number * 1e6

    fast = check_us(sample, 20000)
    copied = sample.model_copy(update={"status": "sent"})
    walked = check_us(sample, 20000)
    slow = check_us(copied, 2000)
    print(
        f"require_instance alone: validated message {fast:.3f} us with no unchecked instance "
        f"alive, {walked:.3f} us with one alive; a model_copy(update=...) {slow:.1f} us"
    )
    del copied
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(10**9))
        targets: dict[str, Callable[[], PersistenceAdapter]] = {
            "memory": lambda: open_store("memory://"),
            "tinydb": lambda: open_store(f"tinydb:////{Path(tmp)}/store{next(counter)}.json"),
        }
        for name, open_fresh in targets.items():
            before, after = measure(open_fresh, messages, options.rounds)
            print(
                f"{name:7} save_message: before {before:7.2f} us, after {after:7.2f} us, "
                f"+{after - before:5.2f} us, ratio {after / before:.3f}"
            )


if __name__ == "__main__":
    main()
