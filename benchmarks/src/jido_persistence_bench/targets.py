"""Which stores to measure: adapter names or URLs from the command line, or every
adapter that can run here.

A :class:`Target` names an adapter and how to get a fresh, empty store of it for
each run: a URL template (``{tmp}`` becomes a new temporary directory,
``{unique}`` a new name, as in the conformance kit) or, by default, the adapter's
``fresh_store_url`` test hook.  PostgreSQL needs a server: it is measured when
``JIDO_PERSISTENCE_TEST_POSTGRES_URL`` is set (each run in a schema of its own,
dropped afterwards) or when given a URL.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from jido_persistence import PersistenceAdapter, PersistenceError, available_adapters
from jido_persistence.errors import ConfigurationError, redact_text, redact_url
from jido_persistence.registry import get_adapter, select_adapter

__all__ = [
    "FLOOR",
    "POSTGRES_URL_ENV",
    "Target",
    "default_targets",
    "resolve_targets",
    "store_url",
]

POSTGRES_URL_ENV: Final = "JIDO_PERSISTENCE_TEST_POSTGRES_URL"
"""The PostgreSQL server to measure (the one the test suites use)."""

FLOOR: Final = "memory"
"""The reference adapter, measured in every run as the floor of all figures."""

RAW_BASELINES_OF: Final[dict[str, tuple[str, ...]]] = {
    "memory": ("dict",),
    "tinydb": ("tinydb-json", "tinydb-snapshot"),
    "duckdb": ("duckdb",),
    "postgres": ("psycopg",),
    "sqlite": ("sqlite3",),
}
"""The raw baselines measured beside each bundled adapter."""

BUILD_QUERY_OF: Final[dict[str, dict[str, str]]] = {
    "tinydb": {"durability": "flush"},
    "postgres": {"options": "-c synchronous_commit=off"},
    "sqlite": {"synchronous": "normal"},
}
"""URL query parameters a durable store is built with (then it is closed and reopened
without them): the TinyDB adapter's documented ``durability=flush``, the SQLite
adapter's ``synchronous=normal`` (commits fsynced at checkpoints only), and for PostgreSQL
the libpq ``options`` setting ``synchronous_commit=off`` for the building sessions
only, skip waiting for each commit to reach the disk while the store is loaded.
Every figure is measured with the defaults."""

BUILD_THREADS_OF: Final[dict[str, int]] = {"postgres": 4}
"""Threads building a store (a server overlaps their commits)."""

_SERVER_ADAPTERS: Final = frozenset({"postgres"})


@dataclass(frozen=True)
class Target:
    """One store to measure.

    Attributes:
        label: the name shown in tables and plots (the adapter name, or the URL
            as given, password redacted).
        adapter: the registered adapter name.
        url_template: a store URL with optional ``{tmp}``/``{unique}``
            placeholders, or ``None`` to use the adapter's ``fresh_store_url``.
        raw: names of the raw baselines to measure beside it (see :mod:`.raw`).
        raw_options: options of the raw baselines (``conninfo`` for psycopg).
        build_query: URL query parameters used only while the store is built.
        build_threads: threads making the callbacks that build the store.
    """

    label: str
    adapter: str
    url_template: str | None = None
    raw: tuple[str, ...] = ()
    raw_options: dict[str, str] = field(default_factory=dict)
    build_query: dict[str, str] = field(default_factory=dict)
    build_threads: int = 1

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (``from_json`` reads it back); it may hold a password."""
        return asdict(self)

    def public_json(self) -> dict[str, Any]:
        """:meth:`to_json` with every password masked, for documents and logs."""
        data = self.to_json()
        if data["url_template"] is not None:
            data["url_template"] = redact_text(data["url_template"])
        data["raw_options"] = {key: redact_text(value) for key, value in self.raw_options.items()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Target:
        """The target saved by :meth:`to_json`."""
        return cls(**{**data, "raw": tuple(data["raw"])})


def _with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "schema"]
    query.append(("schema", schema))
    return urlunsplit(parts._replace(query=urlencode(query, safe="{}")))


def _conninfo(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "postgres":
        scheme = "postgresql"
    return urlunsplit(parts._replace(scheme=scheme, query="", fragment=""))


def _postgres_target(label: str, url: str) -> Target:
    return Target(
        label=label,
        adapter="postgres",
        url_template=_with_schema(url, "{unique}") if "{unique}" not in url else url,
        raw=RAW_BASELINES_OF["postgres"],
        raw_options={"conninfo": _conninfo(url)},
        build_query=BUILD_QUERY_OF["postgres"],
        build_threads=BUILD_THREADS_OF["postgres"],
    )


def _target_for_name(name: str) -> Target:
    info = get_adapter(name)
    if info.name in _SERVER_ADAPTERS:
        url = os.environ.get(POSTGRES_URL_ENV)
        if not url:
            raise ConfigurationError(
                f"the {info.name} adapter needs a server: set {POSTGRES_URL_ENV} "
                "or give a postgresql:// URL"
            )
        return _postgres_target(info.name, url)
    return Target(
        label=info.name,
        adapter=info.name,
        raw=RAW_BASELINES_OF.get(info.name, ()),
        build_query=BUILD_QUERY_OF.get(info.name, {}),
    )


def _target_for_url(url: str) -> Target:
    info, _ = select_adapter(url)
    if info.name in _SERVER_ADAPTERS:
        return _postgres_target(redact_url(url), url)
    return Target(
        label=redact_url(url),
        adapter=info.name,
        url_template=url,
        raw=RAW_BASELINES_OF.get(info.name, ()),
        build_query=BUILD_QUERY_OF.get(info.name, {}),
    )


def resolve_targets(names_or_urls: Sequence[str]) -> list[Target]:
    """The targets named on the command line (a name has no ``:``), floor first.

    The memory adapter is added when missing, as the floor of every figure.

    Raises:
        ConfigurationError: an unknown adapter, or PostgreSQL without a server.
    """
    targets = [
        _target_for_url(item) if ":" in item else _target_for_name(item) for item in names_or_urls
    ]
    if not any(target.adapter == FLOOR for target in targets):
        targets.insert(0, _target_for_name(FLOOR))
    return targets


def default_targets() -> tuple[list[Target], dict[str, str]]:
    """Every discovered adapter that can run here, and why the others cannot.

    An adapter runs here when its class loads and it can make a fresh store
    (its ``fresh_store_url`` hook), or, for PostgreSQL, when
    ``JIDO_PERSISTENCE_TEST_POSTGRES_URL`` is set.
    """
    targets: list[Target] = []
    skipped: dict[str, str] = {}
    for info in available_adapters():
        try:
            adapter_class = info.load()
            if info.name in _SERVER_ADAPTERS:
                targets.append(_target_for_name(info.name))
            elif not _offers_fresh_store(adapter_class):
                skipped[info.name] = "it offers no fresh_store_url hook; pass a URL"
            else:
                targets.append(_target_for_name(info.name))
        except PersistenceError as error:
            skipped[info.name] = str(error)
    targets.sort(key=lambda target: (target.adapter != FLOOR, target.label))
    return targets, skipped


def _offers_fresh_store(adapter_class: type[PersistenceAdapter]) -> bool:
    with tempfile.TemporaryDirectory(prefix="jido-bench-probe-") as directory:
        return adapter_class.fresh_store_url(Path(directory), "jido_bench_probe") is not None


def with_query(url: str, extra: dict[str, str]) -> str:
    """``url`` with the query parameters ``extra`` appended."""
    if not extra:
        return url
    separator = "&" if "?" in url else "?"
    return url + separator + urlencode(extra, quote_via=quote)


def store_url(target: Target, directory: Path, unique: str) -> str:
    """The URL of a fresh store of ``target`` inside ``directory`` (or named ``unique``)."""
    if target.url_template is not None:
        url = target.url_template.replace("{unique}", unique)
        # As in the conformance kit: "tinydb:////{tmp}/x" stays an absolute path.
        return url.replace("{tmp}", directory.as_posix().lstrip("/"))
    fresh = get_adapter(target.adapter).load().fresh_store_url(directory, unique)
    if fresh is None:
        raise ConfigurationError(f"the {target.adapter} adapter offers no fresh store; pass a URL")
    return fresh
