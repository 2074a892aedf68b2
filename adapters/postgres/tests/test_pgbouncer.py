"""The adapter behind PgBouncer in transaction mode: the kit's core areas pass.

In transaction mode a client connection gets whichever server connection is free for
each transaction, so nothing may rely on session state (contract: qualified names, not
``search_path``; transaction-scoped advisory locks only).  The test starts its own
PgBouncer (on a free port, pooling at most two server connections, so that the
adapter's pool of up to eight connections is multiplexed), opens stores through it with
``prepared_statements=false`` (PgBouncer before 1.21 cannot keep server-side prepared
statements), and runs a representative subset of the conformance kit: rooms,
participants, messages and cursors, threads, external ids, ingestion (its advisory
locks), room bindings, transactions, and concurrency.

Without ``pgbouncer`` on the PATH it skips saying so; under ``CI=true`` that is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from jido_persistence_conformance import StoreFactory, UrlStoreFactory
from jido_persistence_conformance.base import AdapterConformance
from jido_persistence_conformance.suite.concurrency import ConcurrencyTests
from jido_persistence_conformance.suite.external_ids import ExternalIdsTests
from jido_persistence_conformance.suite.ingestion import IngestionTests
from jido_persistence_conformance.suite.messages_and_cursors import MessagesAndCursorsTests
from jido_persistence_conformance.suite.participants import ParticipantsTests
from jido_persistence_conformance.suite.room_bindings import RoomBindingsTests
from jido_persistence_conformance.suite.rooms import RoomsTests
from jido_persistence_conformance.suite.threads import ThreadsTests
from jido_persistence_conformance.suite.transactions import TransactionsTests
from jido_persistence_postgres._options import with_schema

UNIQUE = "jp0unique0placeholder"

_CONFIG = """\
[databases]
{database} = host={host} port={port} dbname={database} user={user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {directory}/users.txt
admin_users = {user}
pool_mode = transaction
default_pool_size = 2
max_client_conn = 200
ignore_startup_parameters = extra_float_digits
logfile = {directory}/pgbouncer.log
pidfile = {directory}/pgbouncer.pid
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_it_answers(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2, prepare_threshold=None) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError as error:
            if process.poll() is not None or time.monotonic() > deadline:
                text = log.read_text(errors="replace") if log.exists() else ""
                pytest.fail(f"PgBouncer did not come up ({error}):\n{text[-2000:]}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def pooler_url(server_url: str) -> Iterator[str]:
    """A URL of the test database through a transaction-mode PgBouncer of this test's own."""
    binary = shutil.which("pgbouncer")
    if binary is None:
        reason = "pgbouncer is not installed (apt-get install -y pgbouncer)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the transaction-pooling test cannot run under CI=true: {reason}")
        pytest.skip(reason)
    parts = urlsplit(server_url)
    user = parts.username or "postgres"
    database = parts.path.lstrip("/") or user
    listen = _free_port()
    directory = Path(tempfile.mkdtemp(prefix="jido-pgbouncer-"))
    # PgBouncer refuses to run as root: it then runs as nobody, who must read its files.
    directory.chmod(0o755)
    (directory / "users.txt").write_text(f'"{user}" ""\n')
    config = directory / "pgbouncer.ini"
    config.write_text(
        _CONFIG.format(
            database=database,
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=user,
            listen=listen,
            directory=directory,
        )
    )
    for path in directory.iterdir():
        path.chmod(0o644)
    command = [binary, str(config)]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "nobody"]
        shutil.chown(directory, user="nobody")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = urlunsplit(parts._replace(netloc=f"{user}@127.0.0.1:{listen}"))
    try:
        _wait_until_it_answers(url, process, directory / "pgbouncer.log")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)


def test_the_pooler_multiplexes_server_connections_per_transaction(pooler_url: str) -> None:
    """Five client connections share at most two server connections (so the kit below
    really runs with each transaction on whichever server connection is free)."""
    clients = [
        psycopg.connect(pooler_url, autocommit=True, prepare_threshold=None) for _ in range(5)
    ]
    try:
        backends = set()
        for _ in range(3):
            for client in clients:
                row = client.execute("SELECT pg_backend_pid()").fetchone()
                assert row is not None
                backends.add(row[0])
        assert 1 <= len(backends) <= 2
    finally:
        for client in clients:
            client.close()
    parts = urlsplit(pooler_url)
    admin = urlunsplit(parts._replace(path="/pgbouncer"))
    # The admin console speaks the simple query protocol only: a client-side cursor.
    with psycopg.connect(admin, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        settings = {row[0]: row[1] for row in conn.execute("SHOW CONFIG").fetchall()}
    assert settings["pool_mode"] == "transaction"


class TestThroughTransactionPooling(
    RoomsTests,
    ParticipantsTests,
    MessagesAndCursorsTests,
    ThreadsTests,
    ExternalIdsTests,
    IngestionTests,
    RoomBindingsTests,
    TransactionsTests,
    ConcurrencyTests,
):
    """The kit's core areas through PgBouncer in transaction mode."""

    factory = AdapterConformance.factory
    store = AdapterConformance.store
    reference = AdapterConformance.reference
    _persistence_kit_test = AdapterConformance._persistence_kit_test

    @pytest.fixture
    def store_factory(self, pooler_url: str, tmp_path: Path) -> StoreFactory:
        """Stores in fresh schemas, opened through the pooler without prepared statements."""
        template = with_schema(pooler_url, UNIQUE).replace(UNIQUE, "{unique}")
        return UrlStoreFactory(template + "&prepared_statements=false", tmp_path)
