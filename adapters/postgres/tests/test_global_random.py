"""The adapter leaves the global ``random`` state alone (applications and tests seed it)."""

from __future__ import annotations

import random
from collections.abc import Callable

from jido_persistence import open_store
from jido_persistence.models import Room


def test_opening_using_and_closing_a_store_draws_nothing_from_global_random(
    fresh_url: Callable[..., str],
) -> None:
    """psycopg's pool jitters connection expiry with ``random.random()`` from its worker
    threads; the adapter's pool draws from its own generator instead."""
    random.seed(1234)
    before = random.getstate()
    store = open_store(fresh_url(min_size="3", max_size="4"))
    try:
        for index in range(20):
            store.save_room(Room(id=f"r{index}", type="group"))
        assert len(store.list_rooms(limit=50)) == 20
    finally:
        store.close()
    assert random.getstate() == before, "the global random state was drawn from"
