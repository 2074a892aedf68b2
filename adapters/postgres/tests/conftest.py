"""Fixtures of the PostgreSQL adapter's tests: a server URL and a fresh schema per test.

The tests need a PostgreSQL server named by ``JIDO_PERSISTENCE_TEST_POSTGRES_URL``
(for example ``postgresql://postgres@127.0.0.1:5432/test``).  Without it they skip,
saying how to enable them; under ``CI=true`` a missing variable or an unreachable
server is a failure, never a skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import psycopg
import pytest

from jido_persistence import open_store
from jido_persistence_postgres._options import with_schema
from jido_persistence_postgres.adapter import TEST_URL_VARIABLE, PostgresAdapter

ENABLE_HINT = (
    f"export {TEST_URL_VARIABLE}=postgresql://postgres@127.0.0.1:5432/test "
    "(a PostgreSQL database the tests may create schemas in) to run them"
)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL tests cannot run under CI=true: {reason}; {ENABLE_HINT}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}; {ENABLE_HINT}")


@pytest.fixture(scope="session")
def server_url() -> str:
    """The test server's URL, checked to answer; skips (fails under CI) otherwise."""
    url = os.environ.get(TEST_URL_VARIABLE)
    if not url:
        _unavailable(f"{TEST_URL_VARIABLE} is not set")
        raise AssertionError("unreachable")
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        _unavailable(f"the server at {TEST_URL_VARIABLE} does not answer ({error})")
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


def run_processes(code: str, count: int, *args: str) -> list[str]:
    """Run ``count`` Python processes of ``code`` at once; return each one's last line.

    Each process gets ``args`` and its index as ``sys.argv[1:]``.  ``code`` must print
    ``ready``, then wait for a line on stdin before the racing part, so that every
    process has started (imports, connections) before any of them races: the parent
    releases them together.  A process that fails fails the test with its stderr.
    """
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code), *args, str(index)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(count)
    ]
    for process in processes:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if line != "ready":
            _, stderr = process.communicate(timeout=60)
            pytest.fail(f"a racing process did not start: {line!r} {stderr}")
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        if process.returncode != 0:
            pytest.fail(f"a racing process failed ({process.returncode}): {stderr}")
        results.append(stdout.strip().splitlines()[-1])
    return results
