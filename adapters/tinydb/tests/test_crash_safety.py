"""A writer killed with SIGKILL at random points loses no acknowledged write.

Writers are forked from the test process (already importing everything), so each of
the many runs costs only its writes; the lock test (test_processes.py) covers
independently started interpreters.
"""

from __future__ import annotations

import os
import random
import signal
from pathlib import Path
from typing import Any, NoReturn

import pytest

from jido_persistence.models import Message, Participant
from jido_persistence_tinydb import TinyDBAdapter
from jido_persistence_tinydb._files import journal_path

RUNS = 20
WRITERS_PER_RUN = 3


def _writer(path: Path, start: int, acknowledgements: int) -> NoReturn:
    """Write forever, printing each id once its write returned; never returns."""
    try:
        store = TinyDBAdapter(path=path, compact_min_bytes=3000, compact_ratio=0.5)
        number = start
        while True:
            store.save_message(
                Message(
                    id=f"m{number}",
                    room_id="room:1",
                    sender_id="user:1",
                    role="user",
                    content=[{"type": "text", "text": f"message {number} \u00e9\u4e2d"}],
                )
            )
            if number % 7 == 0:
                store.get_or_create_participant_by_external_id(
                    "slack", f"U{number}", {"type": "human", "id": f"p{number}"}
                )
            os.write(acknowledgements, f"m{number}\n".encode())
            number += 1
    finally:
        os._exit(1)


def _run_writer(path: Path, start: int, count: int) -> list[str]:
    """Fork a writer, read ``count`` acknowledgements, SIGKILL it at once."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        _writer(path, start, write_end)
    os.close(write_end)
    acknowledged: list[str] = []
    with os.fdopen(read_end, "r") as stream:
        for line in stream:
            acknowledged.append(line.strip())
            if len(acknowledged) >= count:
                break
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status), f"the writer exited early with status {status}"
    assert len(acknowledged) == count
    return acknowledged


@pytest.mark.parametrize("run", range(RUNS))
def test_every_acknowledged_write_survives_sigkill(tmp_path: Path, run: int, helpers: Any) -> None:
    """Each run kills writers after random numbers of acknowledged writes.

    Writers compact often (small thresholds), so kills also land inside compactions.
    The writers of a run share one file: each reopens what the killed one left.
    """
    rng = random.Random(run)
    path = tmp_path / "store.json"
    acknowledged: list[str] = []
    for writer in range(WRITERS_PER_RUN):
        acknowledged += _run_writer(path, writer * 10_000, rng.randint(1, 150))
    with helpers.open(path) as store:
        for message_id in acknowledged:
            number = int(message_id[1:])
            found = store.get_message(message_id)
            assert found.content == helpers.message(number).content
            if number % 7 == 0:
                participant = store.get_participant(f"p{number}")
                assert participant == Participant.model_validate(
                    {**participant.model_dump(), "external_ids": {"slack": f"U{number}"}}
                )
        stored = [m.id for m in store.get_messages("room:1", limit=100_000)]
        assert set(acknowledged) <= set(stored)
        assert len(stored) == len(set(stored))
        assert store.raw_index()["row_counts"]["messages"] == len(stored)
        store.save_message(helpers.message(10**6))
    with helpers.open(path) as store:
        assert store.get_message(f"m{10**6}").id == f"m{10**6}"
    assert journal_path(path).stat().st_size == 0
