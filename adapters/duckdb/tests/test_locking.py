"""One read-write process per file: a second process gets StoreLocked naming the file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jido_persistence.errors import StoreLocked
from jido_persistence.models import Room
from jido_persistence_duckdb.adapter import DuckDBAdapter

_HOLDER = textwrap.dedent(
    """
    import sys
    from jido_persistence_duckdb.adapter import DuckDBAdapter
    store = DuckDBAdapter(path=sys.argv[1])
    print("ready", flush=True)
    sys.stdin.readline()
    store.close()
    """
)

_OPENER = textwrap.dedent(
    """
    import sys
    from jido_persistence.errors import StoreLocked
    from jido_persistence_duckdb.adapter import DuckDBAdapter
    try:
        DuckDBAdapter(path=sys.argv[1]).close()
    except StoreLocked as error:
        print("locked:", error, flush=True)
    else:
        print("opened", flush=True)
    """
)


def test_a_second_process_gets_store_locked(store_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(store_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLocked) as raised:
            DuckDBAdapter(path=str(store_path))
        assert str(store_path.resolve()) in str(raised.value)
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=60)
    # Once the holder is gone the file opens again.
    DuckDBAdapter(path=str(store_path)).close()


def test_this_process_holding_the_file_locks_out_another(store: DuckDBAdapter) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _OPENER, store.location],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.startswith("locked:")
    assert store.location in result.stdout


def test_two_instances_of_one_process_share_committed_writes(store_path: Path) -> None:
    room = Room(type="group")
    with (
        DuckDBAdapter(path=str(store_path)) as first,
        DuckDBAdapter(path=str(store_path)) as second,
    ):
        first.save_room(room)
        assert second.get_room(room.id) == room
        second.delete_room(room.id)
        assert first.list_rooms() == []


def test_capabilities_declare_a_durable_single_process_store(store: DuckDBAdapter) -> None:
    capabilities = store.capabilities
    assert capabilities.durable
    assert not capabilities.multi_process
    assert capabilities.ingress_subscriptions


def test_an_instance_with_incompatible_options_gets_store_locked(store_path: Path) -> None:
    with DuckDBAdapter(path=str(store_path), threads=1):
        with pytest.raises(StoreLocked) as raised:
            DuckDBAdapter(path=str(store_path), threads=2)
        assert str(store_path.resolve()) in str(raised.value)
