"""Observability at the guard: an OpenTelemetry span and a debug log line per callback.

Every callback of every adapter passes through one place, the guard of
:class:`~jido_persistence.adapter.PersistenceAdapter`; this module observes it there,
so a third-party adapter is observed exactly as the bundled ones are.

* **Spans**: when ``opentelemetry-api`` is installed (``pip install
  'jido-persistence[otel]'``) and the application has set a tracer provider (the
  OpenTelemetry SDK, a distro), each callback is one span of kind ``CLIENT`` named
  after the callback, with the attributes of :data:`SPAN_ATTRIBUTES`; a
  ``transaction()`` span lasts for the whole block, so the callbacks made inside it
  are its children.
* **Logs**: the logger :data:`LOGGER_NAME` (``"jido_persistence"``) writes one DEBUG
  line per callback when DEBUG is enabled for it: the callback, the adapter, the
  outcome and the time taken.

Neither ever holds an argument value, a record, an exception message (they may quote
a key) or a URL: only names chosen by the code.

**When it is decided.** Like SQLAlchemy's engine logging, whether calls are observed
is decided when a store is constructed (``open_store()``, ``AdapterClass(...)``) and
when :func:`refresh` is called, not on every call: the unobserved guard is then the
very function it was before this module existed, so with neither spans nor DEBUG
configured the guard costs what it did (``benchmarks/scripts/guard_overhead.py``
measures it).  An application that configures logging or OpenTelemetry after it has
opened its stores calls :func:`refresh` once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Final, TypeVar

from jido_persistence.callbacks import CALLBACKS
from jido_persistence.errors import NotFound

__all__ = [
    "ADAPTER_ATTRIBUTE",
    "LOGGER_NAME",
    "OUTCOME_ATTRIBUTE",
    "SPAN_ATTRIBUTES",
    "TRACER_NAME",
    "enabled",
    "refresh",
    "system_of",
]

T = TypeVar("T")

LOGGER_NAME: Final = "jido_persistence"
"""The logger of the per-call DEBUG lines."""

TRACER_NAME: Final = "jido_persistence"
"""The instrumentation scope of the spans."""

ADAPTER_ATTRIBUTE: Final = "jido_persistence.adapter"
OUTCOME_ATTRIBUTE: Final = "jido_persistence.outcome"

SPAN_ATTRIBUTES: Final = {
    "db.system": "the backend: the adapter's name (``memory``, ``tinydb``, ``sqlite``, "
    "``duckdb``, ``postgresql``, or a third-party adapter's distribution suffix)",
    "db.system.name": "the same (the attribute's name in current semantic conventions)",
    "db.operation.name": "the callback (``get_message``, ``transaction``, ...)",
    ADAPTER_ATTRIBUTE: "the adapter class (``module:QualName``)",
    OUTCOME_ATTRIBUTE: "``ok``, ``not_found`` (a NotFound answer) or ``error``",
    "error.type": "the exception's fully qualified class name, when one left the callback",
}
"""Every attribute a span carries, with what it holds.  A NotFound answer is not an
error of the span's status (it is an answer); every other exception sets the status to
ERROR without its message."""

_LOGGER: Final = logging.getLogger(LOGGER_NAME)
_SYSTEMS: Final = {"postgres": "postgresql"}
"""Adapter names whose semantic-conventions ``db.system`` value is spelled otherwise."""

_Guard = Callable[..., Any]
_host: type | None = None
_plain: _Guard | None = None
_tracer: Any = None
_enabled = False
_api_missing = False


def enabled() -> bool:
    """Whether callbacks are observed now (spans, DEBUG lines or both)."""
    return _enabled


def _configured_tracer() -> Any:
    """The tracer when opentelemetry-api is installed and a provider is set, else None."""
    global _api_missing
    if _api_missing:
        return None
    try:
        from opentelemetry import trace
    except ImportError:
        _api_missing = True  # not installed: do not search sys.path at every store
        return None
    provider = trace.get_tracer_provider()
    if isinstance(provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider):
        return None
    from jido_persistence import __version__

    return trace.get_tracer(TRACER_NAME, __version__)


def refresh() -> bool:
    """Decide again whether callbacks are observed, for every store; return the answer.

    Called when a store is constructed; call it after configuring logging or
    OpenTelemetry in a process that had already opened its stores.  O(1).
    """
    global _enabled, _tracer
    if _host is None or _plain is None:
        return False
    _tracer = _configured_tracer()
    _enabled = _tracer is not None or _LOGGER.isEnabledFor(logging.DEBUG)
    # The class attribute is swapped, not tested per call: unobserved, the guard is the
    # plain function itself and costs nothing more.
    type.__setattr__(_host, "_guard", _observed if _enabled else _plain)
    return _enabled


def install(host: type, plain: _Guard) -> None:
    """Observe ``host``'s guard (``plain``, the unobserved function); core calls it once.

    Nothing is decided yet (so importing core imports no OpenTelemetry): the first store
    constructed calls :func:`refresh`.
    """
    global _host, _plain
    _host, _plain = host, plain


def system_of(cls: type) -> str:
    """The ``db.system`` value of an adapter class: its distribution's suffix
    (``jido_persistence_duckdb`` -> ``duckdb``), the module name in core (``memory``)."""
    module = cls.__module__
    top, _, rest = module.partition(".")
    if top == "jido_persistence":
        name = rest.rpartition(".")[2] or top
    else:
        name = top.removeprefix("jido_persistence_")
    return _SYSTEMS.get(name, name)


def _outcome(error: BaseException | None) -> str:
    if error is None:
        return "ok"
    return "not_found" if isinstance(error, NotFound) else "error"


def _error_type(error: BaseException) -> str:
    kind = type(error)
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def _log(name: str, adapter: str, error: BaseException | None, started: float) -> None:
    if _LOGGER.isEnabledFor(logging.DEBUG):
        outcome = _outcome(error)
        if error is not None:
            outcome += f" ({_error_type(error)})"
        elapsed = (time.perf_counter() - started) * 1000
        _LOGGER.debug("%s() on %s: %s in %.3f ms", name, adapter, outcome, elapsed)


@contextmanager
def _span(name: str, store: object) -> Iterator[None]:
    """The span (when a tracer is configured) and the log line of one callback."""
    cls = type(store)
    adapter = f"{cls.__module__}:{cls.__qualname__}"
    started = time.perf_counter()
    tracer = _tracer
    if tracer is None:
        try:
            yield
        except BaseException as error:
            _log(name, adapter, error, started)
            raise
        _log(name, adapter, None, started)
        return
    from opentelemetry.trace import SpanKind, StatusCode

    system = system_of(cls)
    attributes = {
        "db.system": system,
        "db.system.name": system,
        "db.operation.name": name,
        ADAPTER_ATTRIBUTE: adapter,
    }
    with tracer.start_as_current_span(
        name,
        kind=SpanKind.CLIENT,
        attributes=attributes,
        record_exception=False,  # an exception's message may quote a key
        set_status_on_exception=False,
    ) as span:
        try:
            yield
        except BaseException as error:
            span.set_attribute(OUTCOME_ATTRIBUTE, _outcome(error))
            span.set_attribute("error.type", _error_type(error))
            if not isinstance(error, NotFound):
                span.set_status(StatusCode.ERROR)
            _log(name, adapter, error, started)
            raise
        span.set_attribute(OUTCOME_ATTRIBUTE, "ok")
        _log(name, adapter, None, started)


class _ObservedBlock(AbstractContextManager[None]):
    """A ``transaction()`` block whose span lasts from ``__enter__`` to ``__exit__``."""

    def __init__(self, name: str, store: object, block: AbstractContextManager[None]) -> None:
        self._observed = _span(name, store)
        self._block = block

    def __enter__(self) -> None:
        self._observed.__enter__()
        try:
            self._block.__enter__()
        except BaseException as error:
            self._observed.__exit__(type(error), error, error.__traceback__)
            raise

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> bool | None:
        try:
            suppressed = self._block.__exit__(kind, error, traceback)
        except BaseException as raised:
            self._observed.__exit__(type(raised), raised, raised.__traceback__)
            raise
        if suppressed:
            self._observed.__exit__(None, None, None)
        else:
            self._observed.__exit__(kind, error, traceback)
        return suppressed


def _observed(self: Any, name: str, hook: _Guard, /, *args: Any, **kwargs: Any) -> Any:
    """The guard, observed: the plain guard inside a span and a log line."""
    plain = _plain
    assert plain is not None
    entry = CALLBACKS.get(name)
    if entry is not None and entry.block:
        try:
            block = plain(self, name, hook, *args, **kwargs)
        except BaseException:
            with _span(name, self):
                raise
        return _ObservedBlock(name, self, block)
    with _span(name, self):
        return plain(self, name, hook, *args, **kwargs)
