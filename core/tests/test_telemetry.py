"""Spans and log lines at the guard (``jido_persistence.telemetry``).

The tracer provider is the OpenTelemetry SDK's, with its in-memory exporter, handed to
the code through the API's own ``get_tracer_provider`` (patched for the test, so the
process-wide provider, which can be set only once, is left alone).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from pydantic import BaseModel

from jido_persistence import PersistenceAdapter, telemetry
from jido_persistence.callbacks import CALLBACKS
from jido_persistence.errors import InvalidArgument, NotFound
from jido_persistence.memory import MemoryAdapter
from jido_persistence.models import Room, RoomType
from jido_persistence_conformance._calls import VALID_CALLS

ALWAYS = {"db.system", "db.system.name", "db.operation.name", telemetry.ADAPTER_ATTRIBUTE}


@pytest.fixture
def exporter(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """An SDK provider exporting to memory, seen by the code as the configured one."""
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: provider)
    assert telemetry.refresh()
    yield memory
    monkeypatch.undo()
    telemetry.refresh()
    provider.shutdown()


@pytest.fixture
def arguments(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every argument the guard receives while the test runs (models and maps flattened)."""
    seen: list[object] = []
    plain = telemetry._plain
    assert plain is not None

    def recording(self: Any, name: str, hook: Any, /, *args: Any, **kwargs: Any) -> Any:
        seen.extend(args)
        seen.extend(kwargs.values())
        return plain(self, name, hook, *args, **kwargs)

    monkeypatch.setattr(telemetry, "_plain", recording)
    return seen


def flattened(value: object) -> Iterator[str]:
    """Every string (and number, as text) inside an argument (a model's field values, a
    map's keys and values)."""
    if isinstance(value, BaseModel):
        for item in value.model_dump(mode="json").values():
            yield from flattened(item)
    elif isinstance(value, str):
        yield value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        yield str(value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from flattened(key)
            yield from flattened(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from flattened(item)


def leaks(span: ReadableSpan, arguments: list[object]) -> list[tuple[str, str]]:
    """The (attribute, argument text) pairs where a span attribute shows an argument."""
    texts = {text for argument in arguments for text in flattened(argument) if text}
    found = []
    for key, value in (span.attributes or {}).items():
        shown = str(value)
        for text in texts:
            if shown == text or (len(text) >= 5 and text in shown):
                found.append((key, text))
    return found


def test_one_span_per_callback_of_the_table_with_the_documented_attributes(
    exporter: InMemorySpanExporter, arguments: list[object]
) -> None:
    store = MemoryAdapter()
    assert set(VALID_CALLS) == set(CALLBACKS)
    seen = 0
    for name in CALLBACKS:
        exporter.clear()
        arguments.clear()
        # import_records needs an empty store (on a filled one its valid call also
        # exports, to tell a refusal from a bug, which is a second span).
        target = MemoryAdapter() if name == "import_records" else store
        exporter.clear()
        with contextlib.suppress(NotFound):  # an answer: the span says not_found
            VALID_CALLS[name](target)
        spans = exporter.get_finished_spans()
        assert [span.name for span in spans] == [name], name
        span = spans[0]
        attributes = dict(span.attributes or {})
        assert span.kind is SpanKind.CLIENT
        assert attributes["db.operation.name"] == name
        assert attributes["db.system"] == attributes["db.system.name"] == "memory"
        assert attributes[telemetry.ADAPTER_ATTRIBUTE] == "jido_persistence.memory:MemoryAdapter"
        outcome = attributes[telemetry.OUTCOME_ATTRIBUTE]
        assert outcome in ("ok", "not_found"), (name, outcome)
        expected = ALWAYS | {telemetry.OUTCOME_ATTRIBUTE}
        if outcome == "not_found":
            expected.add("error.type")
            assert attributes["error.type"] == "jido_persistence.errors.NotFound"
        assert set(attributes) == expected, name
        assert set(attributes) <= set(telemetry.SPAN_ATTRIBUTES)
        assert span.status.status_code is StatusCode.UNSET
        assert not span.events, "no exception event (its message may quote a key)"
        assert not leaks(span, arguments), (name, leaks(span, arguments))
        seen += len(arguments)
    assert seen > 40, "the spy saw the arguments it compares with"


def test_the_leak_check_finds_an_argument_in_an_attribute(
    exporter: InMemorySpanExporter,
) -> None:
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("x", attributes={"db.operation.name": "room:valid"}):
        pass
    (span,) = exporter.get_finished_spans()
    assert leaks(span, [Room(id="room:valid", type=RoomType.GROUP)]) == [
        ("db.operation.name", "room:valid")
    ]


def test_a_failed_call_sets_error_type_and_status_without_the_message(
    exporter: InMemorySpanExporter,
) -> None:
    store = MemoryAdapter()
    with pytest.raises(InvalidArgument):
        store.get_room("")
    (span,) = exporter.get_finished_spans()
    attributes = dict(span.attributes or {})
    assert attributes[telemetry.OUTCOME_ATTRIBUTE] == "error"
    assert attributes["error.type"] == "jido_persistence.errors.InvalidArgument"
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description is None
    assert not span.events


def test_a_transaction_span_lasts_for_the_block_and_parents_its_callbacks(
    exporter: InMemorySpanExporter,
) -> None:
    store = MemoryAdapter()
    with store.transaction():
        store.save_room(Room(id="r", type=RoomType.GROUP))
        store.get_room("r")
    spans = {span.name: span for span in exporter.get_finished_spans()}
    block = spans["transaction"]
    assert block.context is not None
    for name in ("save_room", "get_room"):
        parent = spans[name].parent
        assert parent is not None
        assert parent.span_id == block.context.span_id
    assert block.start_time is not None
    assert block.end_time is not None
    assert block.start_time <= min(s.start_time or 0 for s in spans.values())
    assert block.end_time >= max(s.end_time or 0 for s in spans.values())


def test_an_exception_leaving_a_block_is_the_block_span_error(
    exporter: InMemorySpanExporter,
) -> None:
    store = MemoryAdapter()
    with pytest.raises(KeyError), store.transaction():
        raise KeyError("secret-key-value")
    (span,) = exporter.get_finished_spans()
    assert span.name == "transaction"
    assert span.attributes is not None
    assert span.attributes["error.type"] == "KeyError"
    assert "secret-key-value" not in repr(span.to_json())


def test_debug_logging_writes_one_line_per_callback_without_arguments(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=telemetry.LOGGER_NAME)
    try:
        store = MemoryAdapter()  # a new store decides: DEBUG is on
        store.save_room(Room(id="room-secret", type=RoomType.GROUP))
        with pytest.raises(NotFound):
            store.get_room("missing-secret")
    finally:
        caplog.set_level(logging.WARNING, logger=telemetry.LOGGER_NAME)
        telemetry.refresh()
    lines = [r.getMessage() for r in caplog.records if r.name == telemetry.LOGGER_NAME]
    assert len(lines) == 2
    assert lines[0].startswith("save_room() on jido_persistence.memory:MemoryAdapter: ok in ")
    assert lines[1].startswith(
        "get_room() on jido_persistence.memory:MemoryAdapter: "
        "not_found (jido_persistence.errors.NotFound) in "
    )
    assert not any("secret" in line for line in lines)


def test_unobserved_the_guard_is_the_plain_function_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Unobserved whatever this process configured before (the docs' examples, run in
    # process by tests/test_docs_examples.py, set a global provider and DEBUG logging).
    monkeypatch.setattr(trace, "get_tracer_provider", trace.NoOpTracerProvider)
    logger = logging.getLogger(telemetry.LOGGER_NAME)
    monkeypatch.setattr(logger, "level", logging.WARNING)
    logger.manager._clear_cache()
    try:
        assert not telemetry.refresh()
        assert not telemetry.enabled()
        assert vars(PersistenceAdapter)["_guard"] is telemetry._plain
    finally:
        monkeypatch.undo()
        logger.manager._clear_cache()
        telemetry.refresh()


def test_observed_the_guard_is_swapped(exporter: InMemorySpanExporter) -> None:
    assert telemetry.enabled()
    assert vars(PersistenceAdapter)["_guard"] is not telemetry._plain


@pytest.mark.parametrize(
    ("module", "system"),
    [
        ("jido_persistence.memory", "memory"),
        ("jido_persistence_duckdb.adapter", "duckdb"),
        ("jido_persistence_postgres.adapter", "postgresql"),
        ("jido_persistence_redis.adapter", "redis"),
        ("acme_store", "acme_store"),
    ],
)
def test_db_system_is_the_adapter_name(module: str, system: str) -> None:
    cls = type("Adapter", (), {"__module__": module})
    assert telemetry.system_of(cls) == system


def test_without_opentelemetry_installed_stores_work_and_log() -> None:
    code = textwrap.dedent(
        """
        import importlib.abc, logging, sys

        class Blocker(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] == "opentelemetry":
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return None

        sys.meta_path.insert(0, Blocker())
        logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format="%(message)s")
        from jido_persistence import Room, open_store
        from jido_persistence.models import RoomType

        with open_store("memory://") as store:
            store.save_room(Room(id="r", type=RoomType.GROUP))
        assert "opentelemetry" not in sys.modules
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "save_room() on jido_persistence.memory:MemoryAdapter: ok in " in done.stdout


def test_an_async_store_callback_span_is_a_child_of_the_awaiting_task_span(
    exporter: InMemorySpanExporter,
) -> None:
    from jido_persistence.aio import open_async_store

    async def scenario() -> None:
        store = await open_async_store("memory://")
        try:
            with trace.get_tracer("app").start_as_current_span("handle event"):
                await store.save_room(Room(id="r", type=RoomType.GROUP))
        finally:
            await store.aclose()

    asyncio.run(scenario())
    spans = {span.name: span for span in exporter.get_finished_spans()}
    parent = spans["save_room"].parent
    event = spans["handle event"].context
    assert parent is not None
    assert event is not None
    assert parent.span_id == event.span_id
