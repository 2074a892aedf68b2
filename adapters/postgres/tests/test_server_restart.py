"""A real server restart and stop under an open store, on a private PostgreSQL cluster.

The shared test server must never be restarted (other tests run on it in parallel), so
this module runs ``initdb`` into a temporary directory and starts its own cluster on a
free TCP port (trust authentication, its unix socket inside that directory).  It needs
the PostgreSQL server binaries (``pg_config --bindir`` or ``/usr/lib/postgresql/*/bin``)
and, as root, ``runuser`` or ``su`` to run them as the ``postgres`` OS user; without
them it skips, saying why (under ``CI=true`` it fails instead).

Each test runs under a deadline: a timer that dumps every thread's stack and stops the
cluster (so that no call can stay blocked on it), then fails the test; and, should even
that not end it, ``faulthandler`` ends the process.  Calls are bounded by the adapter's
own short timeouts, never by sleeps.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import logging
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from jido_persistence import open_store
from jido_persistence.errors import NotFound, StorageError
from jido_persistence.models import BridgeConfig, Message, Room, RoutingPolicy
from jido_persistence_postgres.adapter import PostgresAdapter

T = TypeVar("T")
LOG = logging.getLogger(__name__)

CONNECT_TIMEOUT = 2.0
"""The store's connect timeout (libpq's smallest: 2 s)."""

STATEMENT_TIMEOUT = 2.0
"""The store's statement timeout."""

CALL_BOUND = CONNECT_TIMEOUT + STATEMENT_TIMEOUT
"""The longest a call may wait for a pooled connection (the adapter's pool timeout)."""

SLACK = 10.0
"""Allowance on top of a bound for a loaded machine: a call beyond it hangs."""

TEST_DEADLINE = 180.0
"""Seconds a whole test may take before the cluster is stopped and the test fails."""

PG_CTL_WAIT = "120"
"""Seconds ``pg_ctl -w`` waits for the server to start or stop."""


def _unavailable(reason: str) -> None:
    message = f"the server restart tests need a private PostgreSQL cluster: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (a failure, not a skip, under CI=true)")
    pytest.skip(message)


def server_bindir() -> Path | None:
    """The directory of ``initdb``, ``pg_ctl`` and ``postgres``, if they are installed."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            found = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            )
            candidates.append(Path(found.stdout.strip()))

    def version(path: Path) -> int:
        return int(path.parent.name) if path.parent.name.isdigit() else 0

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for directory in candidates:
        if all((directory / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def owner_command() -> tuple[Callable[[list[str]], list[str]], str | None]:
    """How to run a command as the cluster's owner, and that owner (None: ourselves).

    PostgreSQL refuses to run as root, so root runs it as the ``postgres`` OS user.
    """
    if os.geteuid() != 0:
        return list, None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        _unavailable("running as root and there is no 'postgres' OS user to run the server")
    runuser = shutil.which("runuser")
    if runuser:
        return (lambda command: [runuser, "-u", "postgres", "--", *command]), "postgres"
    su = shutil.which("su")
    if su:
        return (
            lambda command: [su, "postgres", "-s", "/bin/sh", "-c", shlex.join(command)]
        ), "postgres"
    _unavailable("running as root and neither runuser nor su is available")
    raise AssertionError("unreachable")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateServer:
    """A PostgreSQL cluster of this test module: initdb, start, restart, stop."""

    def __init__(self, bindir: Path, root: Path, as_owner: Callable[[list[str]], list[str]]):
        """Describe a cluster in ``root`` (not created yet: see :meth:`create`)."""
        self.bindir = bindir
        self.data = root / "data"
        self.sockets = root / "sockets"
        self.log = root / "server.log"
        self.as_owner = as_owner
        self.port = 0

    @property
    def url(self) -> str:
        """The superuser's URL of the cluster's ``postgres`` database, over TCP."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        done = subprocess.run(
            self.as_owner(list(command)), check=False, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{shlex.join(command)} exited with {done.returncode}:\n"
                f"{done.stdout}{done.stderr}\nserver log:\n{log}"
            )

    def pg_ctl(self, *args: str) -> None:
        """Run ``pg_ctl -D <data> -w`` with ``args`` as the cluster's owner."""
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
            "-w", "-t", PG_CTL_WAIT, *args,
        )  # fmt: skip

    def create(self) -> None:
        """initdb (trust authentication, UTF8) and set the port and the socket directory."""
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
            "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync",
        )  # fmt: skip
        self._run("mkdir", "-m", "0700", str(self.sockets))

    def start(self, attempts: int = 3) -> None:
        """Start on a free port (another one if that port was taken in the meantime)."""
        for attempt in range(attempts):
            self.port = free_port()
            settings = {
                "listen_addresses": "'127.0.0.1'",
                "port": str(self.port),
                "unix_socket_directories": f"'{self.sockets}'",
                "max_connections": "30",
                "shared_buffers": "16MB",
            }
            conf = self.data / "postgresql.auto.conf"
            conf.write_text("".join(f"{key} = {value}\n" for key, value in settings.items()))
            try:
                self.pg_ctl("start")
                return
            except RuntimeError:
                if attempt == attempts - 1:
                    raise

    def restart(self) -> None:
        """``pg_ctl restart -m fast -w``: every connection is terminated."""
        self.pg_ctl("restart", "-m", "fast")

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m <mode> -w``."""
        self.pg_ctl("stop", "-m", mode)

    def running(self) -> bool:
        """Whether the postmaster runs (``pg_ctl status``)."""
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "status")
        except RuntimeError:
            return False
        return True


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateServer]:
    """A private cluster for this module, always stopped (and removed) afterwards."""
    bindir = server_bindir()
    if bindir is None:
        _unavailable("no PostgreSQL server binaries (initdb, pg_ctl, postgres) were found")
        raise AssertionError("unreachable")
    as_owner, owner = owner_command()
    if owner is None:
        root = tmp_path_factory.mktemp("pg_restart")
        cleanup: Callable[[], None] = lambda: None  # noqa: E731
    else:
        # pytest's temporary directories are private to root (mode 0700 up to
        # /tmp/pytest-of-root), where the server's user cannot reach: use a directory
        # of its own in the system's temporary directory, removed afterwards.
        root = Path(tempfile.mkdtemp(prefix="jp_pg_restart_"))
        entry = pwd.getpwnam(owner)
        os.chown(root, entry.pw_uid, entry.pw_gid)

        def cleanup() -> None:
            shutil.rmtree(root, ignore_errors=True)

    cluster = PrivateServer(bindir, root, as_owner)
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            cluster.stop("immediate")
        cleanup()


@pytest.fixture
def deadline(server: PrivateServer) -> Iterator[None]:
    """Fail the test after TEST_DEADLINE seconds, stopping the cluster to unblock it."""
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        with contextlib.suppress(RuntimeError):
            server.stop("immediate")

    timer = threading.Timer(TEST_DEADLINE, expire)
    timer.daemon = True
    timer.start()
    faulthandler.dump_traceback_later(TEST_DEADLINE + 120, exit=True)
    try:
        yield
    finally:
        timer.cancel()
        faulthandler.cancel_dump_traceback_later()
    if expired.is_set():
        pytest.fail(f"the test ran past its {TEST_DEADLINE:.0f} s deadline (a call hung)")
    if not server.running():
        server.start()


@pytest.fixture
def store(
    server: PrivateServer, deadline: None, request: pytest.FixtureRequest
) -> Iterator[PostgresAdapter]:
    """A store in a fresh schema of the private cluster, with short timeouts, two pooled."""
    schema = "jp_restart_" + re.sub(r"\W", "_", request.node.name)[:40]
    adapter = open_store(
        f"{server.url}?schema={schema}&connect_timeout={CONNECT_TIMEOUT}"
        f"&statement_timeout={STATEMENT_TIMEOUT}&min_size=2&max_size=4"
    )
    assert isinstance(adapter, PostgresAdapter)
    yield adapter
    adapter.close()
    with contextlib.suppress(StorageError):
        PostgresAdapter.destroy_store(f"{server.url}?schema={schema}")


def timed(call: Callable[[], T]) -> tuple[T | StorageError, float]:
    """``call()``'s result, or the StorageError it raised, and how long it took.

    Any other exception (a raw psycopg error, say) propagates and fails the test.
    """
    started = time.monotonic()
    try:
        result: T | StorageError = call()
    except StorageError as error:
        result = error
    took = time.monotonic() - started
    if isinstance(result, StorageError):
        assert type(result) is StorageError, f"not exactly StorageError: {result!r}"
    return result, took


def summary(outcome: object) -> str:
    """``outcome`` for the log: the error, or that the call succeeded."""
    return repr(outcome) if isinstance(outcome, StorageError) else "succeeded"


def message(index: int, text: str = "") -> Message:
    """Message ``m<index>`` of room ``r``."""
    return Message(
        id=f"m{index:03d}",
        room_id="r",
        sender_id="u",
        role="user",
        metadata={"text": text or f"#{index}"},
    )


def fill(store: PostgresAdapter, count: int) -> list[Message]:
    """Save room ``r``, ``count`` messages, a bridge config and a routing policy."""
    store.save_room(Room(id="r", type="group", name="before the restart"))
    saved = [store.save_message(message(index)) for index in range(count)]
    store.save_bridge_config(BridgeConfig(id="bridge_1", adapter_module="x"))
    store.save_routing_policy(RoutingPolicy(room_id="r", revision=3))
    return saved


def check_filled(store: PostgresAdapter, saved: list[Message]) -> None:
    """Everything :func:`fill` saved is there, unchanged."""
    assert store.get_room("r").name == "before the restart"
    assert store.get_messages("r", limit=len(saved) + 50) == saved
    assert store.get_bridge_config("bridge_1").adapter_module == "x"
    assert store.get_routing_policy("r").revision == 3


def test_a_restart_keeps_the_data_and_costs_at_most_the_call_in_flight(
    server: PrivateServer, store: PostgresAdapter, warm_up: Callable[[PostgresAdapter], None]
) -> None:
    saved = fill(store, 20)
    warm_up(store)
    started = time.monotonic()
    server.restart()
    LOG.info("pg_ctl restart -m fast -w took %.2f s", time.monotonic() - started)

    # Every pooled connection is dead: the first call is a read, retried on a fresh one.
    first, took = timed(lambda: store.get_messages("r", limit=100))
    LOG.info("first read after the restart: %s after %.2f s", summary(first), took)
    assert took < CALL_BOUND * 2 + SLACK
    if not isinstance(first, StorageError):
        assert first == saved
    # Every following call works, reads and writes.
    check_filled(store, saved)
    extra = store.save_message(message(100, "after the restart"))
    assert store.get_message("m100") == extra
    store.delete_bridge_config("bridge_1")
    with pytest.raises(NotFound):
        store.get_bridge_config("bridge_1")
    assert store.get_messages("r", limit=100) == [*saved, extra]


def test_writes_racing_a_restart_are_neither_lost_duplicated_nor_corrupted(
    server: PrivateServer, store: PostgresAdapter, warm_up: Callable[[PostgresAdapter], None]
) -> None:
    saved = fill(store, 5)
    warm_up(store)
    written: dict[str, Message] = {}
    failed: dict[str, Message] = {}
    failed_after_restart: list[str] = []
    crashed: list[BaseException] = []
    latencies: list[float] = []
    flowing = threading.Barrier(3)
    restarted = threading.Event()

    def write(first: int) -> None:
        try:
            write_until_restarted(first)
        except BaseException as error:  # reported by the test, not lost in the thread
            crashed.append(error)
            restarted.set()
            flowing.abort()

    def write_until_restarted(first: int) -> None:
        # Write before, during and after the restart; stop three writes after it.
        after = 0
        for index in range(first, first + 1000):
            if index == first + 3:
                flowing.wait()  # writes are flowing: the restart may begin
            started_after = restarted.is_set()
            after += started_after
            if after > 3:
                return
            record = message(index, f"racing the restart, #{index} " + "x" * 200)
            outcome, took = timed(functools.partial(store.save_message, record))
            latencies.append(took)
            assert took < CALL_BOUND * 2 + SLACK
            if isinstance(outcome, StorageError):
                failed[record.id] = record
                if started_after:
                    failed_after_restart.append(record.id)
            else:
                assert outcome == record
                written[record.id] = record

    writers = [threading.Thread(target=write, args=(first,)) for first in (100, 500)]
    for writer in writers:
        writer.start()
    try:
        flowing.wait()
        server.restart()
    finally:
        restarted.set()
        for writer in writers:
            writer.join()
    if crashed:
        raise crashed[0]
    LOG.info(
        "racing writes: %d succeeded, %d raised StorageError, the slowest took %.2f s",
        len(written),
        len(failed),
        max(latencies),
    )
    # Once the restart is over, each writer loses at most the call that met the dead
    # connection (an upsert is retried, so usually none).
    assert len(failed_after_restart) <= len(writers)

    # A non-repeatable call right after the restart: one StorageError at most.
    outcome, _ = timed(lambda: store.delete_bridge_config("bridge_1"))
    if isinstance(outcome, StorageError):
        with contextlib.suppress(NotFound):
            store.delete_bridge_config("bridge_1")
    with pytest.raises(NotFound):
        store.get_bridge_config("bridge_1")

    stored = store.get_messages("r", limit=5000)
    ids = [stored_message.id for stored_message in stored]
    assert len(ids) == len(set(ids)), "a message was stored twice"
    by_id = {stored_message.id: stored_message for stored_message in stored}
    assert stored[: len(saved)] == saved
    for record in written.values():
        assert by_id[record.id] == record
    for record in failed.values():
        # A write whose outcome is unknown either happened entirely or not at all.
        assert by_id.get(record.id, record) == record
    assert set(by_id) <= {m.id for m in saved} | set(written) | set(failed)
    assert store.raw_index()["row_counts"]["messages"] == len(stored)
    # Calls work again: the failed writes can be repeated, and are stored once.
    for record in failed.values():
        assert store.save_message(record) == record
    assert len(store.get_messages("r", limit=5000)) == (len(saved) + len(written) + len(failed))


def test_a_stopped_server_raises_storage_error_promptly_and_calls_work_once_it_is_back(
    server: PrivateServer, store: PostgresAdapter, warm_up: Callable[[PostgresAdapter], None]
) -> None:
    saved = fill(store, 10)
    warm_up(store)
    server.stop("immediate")

    for call in (
        lambda: store.get_room("r"),
        lambda: store.save_message(message(50)),
        lambda: store.delete_routing_policy("r"),
    ):
        outcome, took = timed(call)
        LOG.info("call with the server stopped: %s after %.2f s", summary(outcome), took)
        assert isinstance(outcome, StorageError)
        assert took < CALL_BOUND * 2 + SLACK

    started = time.monotonic()
    server.pg_ctl("start")
    LOG.info("pg_ctl start -w took %.2f s", time.monotonic() - started)
    first, took = timed(lambda: store.get_room("r"))
    LOG.info("first call after the start: %s after %.2f s", summary(first), took)
    assert not isinstance(first, StorageError), first
    # The crash recovery of ``-m immediate`` kept every committed write.
    check_filled(store, saved)
    record = store.save_message(message(51, "after the start"))
    assert store.get_message("m051") == record
    assert store.get_messages("r", limit=100) == [*saved, record]


def test_health_check_answers_false_promptly_while_the_server_is_stopped(
    server: PrivateServer, store: PostgresAdapter, warm_up: Callable[[PostgresAdapter], None]
) -> None:
    """Contract 9.0 and issue 13: ``health_check`` is ``SELECT 1`` through the pool with
    a short timeout; a stopped server gives ``ok=False`` (never an exception) within
    seconds, without the password, and ``ok=True`` again once it is back."""
    warm_up(store)
    assert store.health_check().ok is True
    server.stop("immediate")
    started = time.monotonic()
    health = store.health_check()
    took = time.monotonic() - started
    LOG.info("health_check with the server stopped: %s after %.2f s", health, took)
    assert health.ok is False
    assert health.detail
    # Within connect_timeout: the base probe waited for the pool's whole timeout
    # (connect_timeout + statement_timeout, 40 s by default).
    assert took < CONNECT_TIMEOUT + 1.0
    server.pg_ctl("start")
    assert store.health_check().ok is True
