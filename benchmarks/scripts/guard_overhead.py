"""What observability costs at the guard: the memory adapter's ``get_message``.

Run: ``uv run python benchmarks/scripts/guard_overhead.py [--calls 20000] [--rounds 15]``

One memory store, one stored message, ``get_message`` of its id, with the guard as
each variant leaves it, interleaved round by round in one process (so load on the
machine hits every variant alike).  Prints microseconds per call (the median and the
best round) and each variant's ratio to ``unconfigured``: the median over rounds of
the round's time over the same round's ``unconfigured`` time, so that load changing
during the run cancels out of each pair:

* ``unconfigured``: as shipped, with neither a tracer provider nor DEBUG logging: the
  guard is the plain function (``jido_persistence.telemetry`` swaps it only when
  something is configured);
* ``no instrumentation``: the guard as it would be without the telemetry module, the
  plain guard installed by hand (the same function object: its ratio is the noise of
  the run);
* ``debug logging``: DEBUG enabled for ``jido_persistence``, to a handler that drops
  records (the cost of formatting nothing but a level check and one record);
* ``spans``: the OpenTelemetry SDK's tracer provider with no processor (spans are made
  and dropped: the cost of the span itself, without an exporter);
* ``hook only``: ``_get_message`` called directly, no guard (the floor).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import timeit
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from jido_persistence import PersistenceAdapter, telemetry
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Message, MessageRole, TextPart


@contextmanager
def plain_guard() -> Iterator[None]:
    """The guard without the telemetry module: the plain function, by hand."""
    assert telemetry._plain is not None
    PersistenceAdapter._guard = telemetry._plain  # type: ignore[method-assign,misc]
    try:
        yield
    finally:
        telemetry.refresh()


@contextmanager
def debug_logging() -> Iterator[None]:
    """DEBUG on for the library's logger, to a handler that drops every record."""
    logger = logging.getLogger(telemetry.LOGGER_NAME)
    handler = logging.NullHandler()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    telemetry.refresh()
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
        telemetry.refresh()


@contextmanager
def spans() -> Iterator[None]:
    """The OpenTelemetry SDK's provider (no processor), seen as the configured one."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider

    provider = TracerProvider()
    original = trace.get_tracer_provider
    trace.get_tracer_provider = lambda: provider
    telemetry.refresh()
    try:
        yield
    finally:
        trace.get_tracer_provider = original
        telemetry.refresh()
        provider.shutdown()


def main() -> None:
    """Measure every variant, interleaved, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=15, help="rounds per variant")
    options = parser.parse_args()

    store = MemoryAdapter()
    message = Message(
        room_id="room",
        sender_id="user",
        role=MessageRole.USER,
        content=[TextPart(text="hello")],
    )
    store.save_message(message)
    assert not telemetry.enabled(), "run without OTEL_* or DEBUG configuration"

    def call() -> object:
        return store.get_message(message.id)

    def hook() -> object:
        return store._get_message(message.id)

    variants: dict[str, tuple[Callable[[], AbstractContextManager[None]], Callable[[], object]]]
    variants = {
        "unconfigured": (nullcontext, call),
        "no instrumentation": (plain_guard, call),
        "debug logging": (debug_logging, call),
        "spans": (spans, call),
        "hook only": (nullcontext, hook),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(options.rounds):
        for name, (setting, function) in variants.items():
            with setting():
                times[name].append(timeit.timeit(function, number=options.calls) / options.calls)
    base = times["unconfigured"]
    print(f"memory get_message, {options.rounds} rounds of {options.calls} calls")
    print(f"{'variant':<20}{'us/call':>10}{'best us':>10}{'ratio':>9}")
    for name, values in times.items():
        # Each round's time over the same round's unconfigured time, then the median:
        # load that changes during the run cancels out of every pair.
        ratio = statistics.median(value / first for value, first in zip(values, base, strict=True))
        print(
            f"{name:<20}{statistics.median(values) * 1e6:>10.3f}"
            f"{min(values) * 1e6:>10.3f}{ratio:>8.2f}x"
        )


if __name__ == "__main__":
    main()
