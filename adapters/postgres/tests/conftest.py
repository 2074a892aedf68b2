"""Fixtures of the PostgreSQL adapter's tests: a server URL and a fresh schema per test.

The tests need a PostgreSQL server named by ``JIDO_PERSISTENCE_TEST_POSTGRES_URL``
(for example ``postgresql://postgres@127.0.0.1:5432/test``).  The rules:

* no URL configured: the tests skip, saying how to enable them; under ``CI=true`` they
  fail instead;
* a configured URL whose server does not answer: a failure, whatever ``CI`` says (the
  URL says a server is meant to be there);
* a server without a privilege or an extension a test needs (CREATEDB, CREATEROLE,
  ``pg_trgm``): :func:`requirement_missing` skips with the reason, and fails under
  ``CI=true``, where the server is ours to configure.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import traceback
import uuid
from collections.abc import Callable, Iterator
from typing import Any, NoReturn
from urllib.parse import urlencode

import psycopg
import pytest

from jido_persistence import open_store
from jido_persistence.errors import redact_text, redact_url
from jido_persistence_postgres._options import with_schema
from jido_persistence_postgres.adapter import TEST_URL_VARIABLE, PostgresAdapter

ENABLE_HINT = (
    f"export {TEST_URL_VARIABLE}=postgresql://postgres@127.0.0.1:5432/test "
    "(a PostgreSQL database the tests may create schemas in) to run them"
)


def requirement_missing(reason: str) -> NoReturn:
    """Skip a test whose server lacks something it needs; fail instead under ``CI=true``."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"the CI PostgreSQL server must allow this test: {reason}")
    pytest.skip(f"{reason} (a failure under CI=true)")


@pytest.fixture
def missing_requirement() -> Callable[[str], NoReturn]:
    """:func:`requirement_missing`, for test modules (which cannot import conftest)."""
    return requirement_missing


@pytest.fixture(scope="session")
def server_url() -> str:
    """The test server's URL, checked to answer.

    Skips when no URL is configured (fails under ``CI=true``); fails when the configured
    server does not answer.
    """
    url = os.environ.get(TEST_URL_VARIABLE)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true needs a PostgreSQL server: {TEST_URL_VARIABLE} is not set")
        pytest.skip(f"PostgreSQL tests skipped: {TEST_URL_VARIABLE} is not set; {ENABLE_HINT}")
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        pytest.fail(
            f"the PostgreSQL server at {TEST_URL_VARIABLE} ({redact_url(url)}) does not "
            f"answer: {redact_text(str(error))}; start it, or unset the variable to skip "
            "these tests"
        )
    return url


def new_schema() -> str:
    """A fresh schema name."""
    return "jp_test_" + uuid.uuid4().hex[:12]


@pytest.fixture
def store_url(server_url: str) -> Iterator[str]:
    """The URL of a store in a fresh schema, dropped after the test."""
    url = with_schema(server_url, new_schema())
    yield url
    PostgresAdapter.destroy_store(url)


@pytest.fixture
def store(store_url: str) -> Iterator[PostgresAdapter]:
    """An open store in a fresh schema, opened through the registry."""
    adapter = open_store(store_url)
    assert isinstance(adapter, PostgresAdapter)
    yield adapter
    adapter.close()


@pytest.fixture
def fresh_url(server_url: str) -> Iterator[Callable[..., str]]:
    """Make URLs of fresh schemas (extra query parameters allowed); all dropped afterwards."""
    made: list[str] = []

    def make(**query: str) -> str:
        url = with_schema(server_url, new_schema())
        if query:
            url += "&" + urlencode(query)
        made.append(url)
        return url

    yield make
    for url in made:
        PostgresAdapter.destroy_store(url)


@pytest.fixture
def race() -> Callable[..., list[str]]:
    """:func:`run_processes`, for tests that race several processes."""
    return run_processes


Racer = Callable[[str, int, Callable[[], None]], str]
"""A racing process's body: ``(url, index, wait_for_start) -> result line``."""


def _racer_main(racer: Racer, url: str, index: int, start: Any, results: Any) -> None:
    try:
        results.put((index, "ok", racer(url, index, start.wait)))
    except BaseException:
        results.put((index, "error", traceback.format_exc()))


def run_processes(racer: Racer, count: int, url: str) -> list[str]:
    """Run ``racer`` in ``count`` forked processes at once; return their results in order.

    Each process calls ``wait_for_start()`` when it is ready to race (imports and set-up
    done); the barrier releases them all together.  Forking (rather than starting
    fresh interpreters) keeps the start-up cheap; each child opens its own store.  A
    process that fails fails the test with its traceback.
    """
    context = multiprocessing.get_context("fork")
    start = context.Barrier(count)
    results = context.Queue()
    processes = [
        context.Process(target=_racer_main, args=(racer, url, index, start, results))
        for index in range(count)
    ]
    for process in processes:
        process.start()
    collected: dict[int, str] = {}
    try:
        for _ in range(count):
            index, status, value = results.get(timeout=120)
            if status != "ok":
                pytest.fail(f"racing process {index} failed:\n{value}")
            collected[index] = value
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    return [collected[index] for index in range(count)]


def _use_both_connections(store: PostgresAdapter) -> None:
    barrier = threading.Barrier(2)

    def use() -> None:
        barrier.wait()
        store.list_rooms()

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.fixture
def warm_up() -> Callable[[PostgresAdapter], None]:
    """A function that uses two pooled connections at once, so both are open and prepared
    when the server drops them (the fault tests then hit a pooled, not a new, connection)."""
    return _use_both_connections
