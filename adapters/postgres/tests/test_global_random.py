"""The adapter leaves the global ``random`` state alone (applications and tests seed it)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable

# Run in a fresh interpreter: in the whole suite, threads that earlier tests left behind
# (other libraries' pools, hypothesis) may draw from global random while this test runs,
# which says nothing about this adapter.
_SCRIPT = textwrap.dedent(
    """
    import random, sys
    from jido_persistence import open_store
    from jido_persistence.models import Room

    random.seed(1234)
    before = random.getstate()
    store = open_store(sys.argv[1])
    try:
        for index in range(20):
            store.save_room(Room(id=f"r{index}", type="group"))
        assert len(store.list_rooms(limit=50)) == 20
    finally:
        store.close()
    if random.getstate() != before:
        sys.exit("the global random state was drawn from")
    """
)


def test_opening_using_and_closing_a_store_draws_nothing_from_global_random(
    fresh_url: Callable[..., str],
) -> None:
    """psycopg's pool jitters connection expiry with ``random.random()`` from its worker
    threads; the adapter's pool draws from its own generator instead."""
    url = fresh_url(min_size="3", max_size="4")
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, url],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
