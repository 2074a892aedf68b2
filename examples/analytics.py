"""Analytics over a DuckDB store: who talks most, when, and in which rooms.

Run it: ``python examples/analytics.py [DUCKDB_URL]``.  Without a URL it builds a
small sample store (three rooms, a week of messages from a Telegram <-> Slack bridge)
in a temporary directory; with ``duckdb:////path/to/chat.duckdb`` it reads your own
store (opened as usual: the store stays writable by this process only, see the DuckDB
adapter's README).

Everything here goes through jido-persistence: the records are written with the
ordinary callbacks, and read back with ``jido_persistence_duckdb.analytics``, which
queries the adapter's documented, always-current views (``messages``, ``rooms``,
``participants``, ...) read-only, and exports every view to Parquet for pandas, polars
or a warehouse.  Needs ``jido-persistence-duckdb``.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jido_persistence import Message, open_store
from jido_persistence.models import MessageRole, TextPart
from jido_persistence_duckdb import DuckDBAdapter, analytics

START = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)  # a Monday


def build_sample(store: DuckDBAdapter) -> int:
    """A week of bridged chat: rooms and people by platform ids, then messages."""
    rooms = {
        "ops": store.get_or_create_room_by_external_binding(
            "telegram", "bot-1", -100123, {"type": "group", "name": "Ops"}
        ),
        "general": store.get_or_create_room_by_external_binding(
            "slack", "T01", "C01", {"type": "channel", "name": "#general"}
        ),
        "random": store.get_or_create_room_by_external_binding(
            "slack", "T01", "C02", {"type": "channel", "name": "#random"}
        ),
    }
    people = {
        name: store.get_or_create_participant_by_external_id(
            channel, uid, {"type": "human", "identity": {"name": name}}
        )
        for name, channel, uid in (
            ("Alice", "telegram", 42),
            ("Bob", "slack", "U02"),
            ("Chidi", "slack", "U03"),
        )
    }
    # (day, room, sender, text): Alice runs ops, Bob talks everywhere, Chidi on Fridays.
    plan = [
        (day, room, sender, f"{sender} in {room}, day {day}, #{n}")
        for day in range(7)
        for room, sender, count in (
            ("ops", "Alice", 4),
            ("general", "Bob", 2),
            ("random", "Bob", 1),
            ("random", "Chidi", 4 if day == 4 else 0),
        )
        for n in range(count)
    ]
    for number, (day, room, sender, text) in enumerate(plan):
        store.save_message(
            Message(
                room_id=rooms[room].id,
                sender_id=people[sender].id,
                role=MessageRole.USER,
                content=[TextPart(text=text)],
                inserted_at=START + timedelta(days=day, minutes=number),
            )
        )
    return len(plan)


def report(store: DuckDBAdapter, export_to: Path) -> dict[str, object]:
    """Print the figures and return them (the tests check the sample's)."""
    names = dict(analytics.query(store, "SELECT id, name FROM participants").rows)
    busiest = analytics.busiest_senders(store, limit=3)
    print("busiest senders:")
    for sender in busiest:
        print(f"  {names.get(sender.sender_id, sender.sender_id):<8} {sender.messages:>4}")

    per_day = analytics.message_counts_per_room_and_day(store)
    print(f"room-days with traffic: {len(per_day)}")

    weekday = analytics.query(
        store,
        "SELECT dayname(inserted_at AT TIME ZONE 'UTC') AS weekday, count(*) AS messages "
        "FROM messages WHERE inserted_at IS NOT NULL "
        "GROUP BY weekday ORDER BY messages DESC, weekday LIMIT 1",
    )
    print(f"busiest weekday: {weekday.rows[0][0]} ({weekday.rows[0][1]} messages)")

    by_room = analytics.query(
        store,
        "SELECT r.name, count(*) FROM messages m JOIN rooms r ON r.id = m.room_id "
        "GROUP BY r.name ORDER BY count(*) DESC, r.name",
    )
    print("messages per room:", ", ".join(f"{name} {count}" for name, count in by_room.rows))

    files = analytics.export_parquet(store, export_to)
    print(f"exported {len(files)} views to {export_to} (messages: {files['messages'].name})")
    return {
        "busiest": [(names[s.sender_id], s.messages) for s in busiest],
        "weekday": weekday.rows[0],
        "by_room": by_room.rows,
        "views": sorted(files),
    }


def main(argv: list[str]) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as scratch:
        url = argv[1] if len(argv) > 1 else f"duckdb:////{scratch}/chat.duckdb"
        with open_store(url) as store:
            assert isinstance(store, DuckDBAdapter), f"{url} is not a DuckDB store"
            if len(argv) <= 1:
                print(f"sample store: {build_sample(store)} messages")
            return report(store, Path(scratch) / "parquet")


if __name__ == "__main__":
    figures = main(sys.argv)
    if len(sys.argv) <= 1:  # the sample's figures are known: check them
        assert figures["busiest"] == [("Alice", 28), ("Bob", 21), ("Chidi", 4)], figures
        assert figures["weekday"] == ("Friday", 11), figures
        assert figures["by_room"] == [("Ops", 28), ("#general", 14), ("#random", 11)], figures
