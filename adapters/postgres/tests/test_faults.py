"""Faults: killed connections, timeouts, unreachable servers, closed stores, passwords."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql

from jido_persistence import open_store
from jido_persistence.errors import NotFound, StorageError, StoreClosed
from jido_persistence.models import BridgeConfig, Message, Room, RoutingPolicy
from jido_persistence.urls import StoreUrl
from jido_persistence_postgres.adapter import PostgresAdapter

PASSWORD = "hunter2secret"


def terminate_backends(server_url: str, application_name: str) -> int:
    """Kill every server process of ``application_name`` from another connection."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = %s AND pid <> pg_backend_pid()",
            (application_name,),
        ).fetchall()
    return len(rows)


@pytest.fixture
def named_store(
    fresh_url: Callable[..., str],
) -> Iterator[tuple[PostgresAdapter, str]]:
    """A store whose connections carry a unique application_name, with two pooled."""
    name = "jp_fault_" + uuid.uuid4().hex[:8]
    store = open_store(fresh_url(application_name=name, min_size="2", max_size="4"))
    assert isinstance(store, PostgresAdapter)
    yield store, name
    store.close()


def test_killed_connections_cost_at_most_one_error_then_calls_work(
    server_url: str,
    named_store: tuple[PostgresAdapter, str],
    warm_up: Callable[[PostgresAdapter], None],
) -> None:
    store, name = named_store
    store.save_room(Room(id="r", type="group"))
    warm_up(store)
    assert terminate_backends(server_url, name) >= 1
    errors = 0
    for index in range(6):
        try:
            store.save_message(Message(id=f"m{index}", room_id="r", sender_id="u", role="user"))
        except StorageError:
            errors += 1
    assert errors <= 1
    assert store.get_room("r").id == "r"
    assert [m.id for m in store.get_messages("r")][-1] == "m5"


def test_a_call_that_must_not_be_repeated_fails_once_then_calls_work(
    server_url: str,
    named_store: tuple[PostgresAdapter, str],
    warm_up: Callable[[PostgresAdapter], None],
) -> None:
    store, name = named_store
    config = BridgeConfig(id="bridge_1", adapter_module="x")
    store.save_bridge_config(config)
    warm_up(store)
    assert terminate_backends(server_url, name) >= 1
    # delete_bridge_config answers NotFound on a repeat, so it is never retried
    # blindly after a lost connection: it fails (StorageError) or succeeds.
    failure: StorageError | None = None
    try:
        store.delete_bridge_config("bridge_1")
    except StorageError as error:
        failure = error
    if failure is not None:
        assert isinstance(failure.__cause__, psycopg.OperationalError)
        store.delete_bridge_config("bridge_1")
    with pytest.raises(NotFound):
        store.get_bridge_config("bridge_1")


def test_a_statement_blocked_past_the_statement_timeout_raises_storage_error(
    server_url: str, fresh_url: Callable[..., str]
) -> None:
    url = fresh_url(statement_timeout="0.2")
    # Create the schema first without the timeout: opening a fresh schema waits for the
    # database-wide migration lock, which other stores' migrations may hold for longer.
    open_store(url, statement_timeout=30.0).close()
    with open_store(url) as store:
        store.save_room(Room(id="r", type="group"))
        schema = PostgresAdapter.url_options(StoreUrl.parse(url))["schema"]
        with psycopg.connect(server_url) as blocker:
            blocker.execute(
                sql.SQL("LOCK TABLE {}.rooms IN ACCESS EXCLUSIVE MODE").format(
                    sql.Identifier(str(schema))
                )
            )
            with pytest.raises(StorageError, match="statement timeout"):
                store.save_room(Room(id="r", type="direct"))
            blocker.rollback()
        assert store.get_room("r").type == "group"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/test?connect_timeout=2",
        f"postgresql://postgres:{PASSWORD}@/test?host=/nonexistent/socket/dir",
        f"postgresql://postgres@127.0.0.1:1/test?password={PASSWORD}",
        # Unroutable: the connect timeout (2 s) ends the attempt if the network does not.
        f"postgresql://postgres:{PASSWORD}@10.255.255.1:5432/test?connect_timeout=2",
    ],
)
def test_an_unreachable_server_is_a_storage_error_without_the_password(url: str) -> None:
    with pytest.raises(StorageError) as raised:
        open_store(url)
    error = raised.value
    shown = [str(error), repr(error), *getattr(error, "__notes__", [])]
    cause = error.__cause__
    while cause is not None:
        shown += [str(cause), repr(cause)]
        cause = cause.__cause__
    for text in shown:
        assert PASSWORD not in text


def test_reprs_of_an_open_store_never_show_the_password(
    server_url: str, fresh_url: Callable[..., str], missing_requirement: Callable[[str], NoReturn]
) -> None:
    # Trust authentication ignores the password, so the store opens with it.
    url = fresh_url().replace("postgresql://postgres@", f"postgresql://postgres:{PASSWORD}@")
    if "postgres@" not in server_url:
        missing_requirement("the test URL does not have the form postgresql://postgres@...")
    with open_store(url) as store:
        for text in (repr(store), str(store), repr(store.options), str(store.options)):
            assert PASSWORD not in text
        assert "***" in repr(store)


def test_a_closed_store_raises_store_closed_and_closes_twice(store: PostgresAdapter) -> None:
    store.close()
    store.close()
    with pytest.raises(StoreClosed):
        store.get_room("r")
    with pytest.raises(StoreClosed):
        store.raw_index()


def test_calls_running_while_the_store_closes_complete_or_raise_store_closed(
    store: PostgresAdapter,
) -> None:
    store.save_room(Room(id="r", type="group"))
    outcomes: list[str] = []
    started = threading.Barrier(5)

    def call() -> None:
        started.wait()
        for _ in range(20):
            try:
                store.get_room("r")
                outcomes.append("ok")
            except StoreClosed:
                outcomes.append("closed")

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    started.wait()
    store.close()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()
    assert len(outcomes) == 80
    assert set(outcomes) <= {"ok", "closed"}


def wait_until_blocked(server_url: str, application_name: str) -> None:
    """Return once a backend of ``application_name`` waits for a lock (polls the server)."""
    deadline = time.monotonic() + 30
    with psycopg.connect(server_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE application_name = %s AND wait_event_type = 'Lock'",
                (application_name,),
            ).fetchone()
            if row and row[0]:
                return
    pytest.fail("the call never reached the server")


@pytest.mark.parametrize("repeatable", [False, True], ids=["delete", "save"])
def test_a_connection_killed_during_a_call_costs_at_most_that_call(
    server_url: str, named_store: tuple[PostgresAdapter, str], repeatable: bool
) -> None:
    store, name = named_store
    store.save_routing_policy(RoutingPolicy(room_id="r"))
    schema = str(store.options.schema)
    outcome: list[BaseException | None] = []

    def call() -> None:
        try:
            if repeatable:
                store.save_routing_policy(RoutingPolicy(room_id="r", revision=2))
            else:
                store.delete_routing_policy("r")
            outcome.append(None)
        except StorageError as error:
            outcome.append(error)

    with psycopg.connect(server_url) as blocker:
        blocker.execute(
            sql.SQL("LOCK TABLE {}.routing_policies IN ACCESS EXCLUSIVE MODE").format(
                sql.Identifier(schema)
            )
        )
        worker = threading.Thread(target=call)
        worker.start()
        wait_until_blocked(server_url, name)
        assert terminate_backends(server_url, name) >= 1
        blocker.rollback()
        worker.join(timeout=60)
    assert not worker.is_alive()
    assert len(outcome) == 1
    if repeatable:
        # An upsert is safe to repeat: it is retried once on a fresh connection.
        assert outcome[0] is None
        assert store.get_routing_policy("r").revision == 2
    else:
        # A delete that answers NotFound on a repeat is not retried blindly.
        assert isinstance(outcome[0], StorageError)
        store.delete_routing_policy("r")
        with pytest.raises(NotFound):
            store.get_routing_policy("r")
