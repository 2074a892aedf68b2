"""SIGKILL rounds: a writer killed mid-burst, again and again, loses no acknowledged write
and leaves a file that passes SQLite's integrity check, with either ``synchronous``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from jido_persistence_conformance._support import burst_then_kill
from jido_persistence_sqlite.adapter import SQLiteAdapter

ROUNDS = 3
ACKNOWLEDGED = 30


@pytest.mark.parametrize("synchronous", ["full", "normal"])
def test_sigkill_rounds_keep_every_acknowledged_write(store_path: Path, synchronous: str) -> None:
    url = f"sqlite:///{store_path}?synchronous={synchronous}"
    SQLiteAdapter(path=str(store_path)).close()
    for round_ in range(ROUNDS):
        acknowledged, errors = burst_then_kill(url, ACKNOWLEDGED)
        assert len(acknowledged) >= ACKNOWLEDGED, f"round {round_}: writer died early\n{errors}"
        with SQLiteAdapter(path=str(store_path)) as store:
            stored = {m.id for m in store.get_messages("room:burst", limit=10**6)}
            missing = [m for m in acknowledged if m not in stored]
            assert not missing, f"round {round_}: {len(missing)} acknowledged writes lost"
        with sqlite3.connect(store_path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
