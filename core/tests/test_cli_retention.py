"""``jido-persistence prune`` and ``erase``: reports, dry runs that change nothing, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from jido_persistence import open_store
from jido_persistence._cli_retention import parse_duration
from jido_persistence.cli import main
from jido_persistence.models import Message, Participant, Room, RoomType

OLD = datetime(2000, 1, 1, tzinfo=UTC)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A TinyDB store: rooms a (3 old, 2 new messages) and b (1 old), participant p."""
    target = f"tinydb:///{tmp_path / 'chat.json'}"
    now = datetime.now(UTC)
    with open_store(target) as store:
        store.save_participant(Participant(id="p", type="human"))
        for room_id in ("a", "b"):
            store.save_room(Room(id=room_id, type=RoomType.GROUP, inserted_at=OLD))
        for number, (room_id, at) in enumerate(
            [("a", OLD), ("a", OLD), ("a", None), ("a", now), ("a", now), ("b", OLD)]
        ):
            store.save_message(
                Message(
                    id=f"m{number}",
                    room_id=room_id,
                    sender_id="p" if number % 2 else "q",
                    role="user",
                    inserted_at=at,
                    updated_at=at,
                    metadata={"n": number},
                )
            )
    return target


def reads(url: str) -> str:
    with open_store(url) as store:
        return json.dumps(
            {
                room: [m.model_dump(mode="json") for m in store.get_messages(room, limit=99)]
                for room in ("a", "b")
            }
            | {"participants": [p.id for p in store.directory_search("participant", {})]},
            sort_keys=True,
        )


def test_prune_dry_run_reports_and_changes_nothing(url: str) -> None:
    before = reads(url)
    result = run("prune", url, "--older-than", "90d", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would remove 4 message(s)" in result.output
    assert "dry run: nothing was changed" in result.output
    assert reads(url) == before


def test_prune_removes_what_each_limit_condemns_and_reports_it(url: str) -> None:
    result = run("prune", url, "--older-than", "30d", "--keep-last", "1", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["messages"], report["by_room"], report["rooms"]) == (5, {"a": 4, "b": 1}, 2)
    assert report["dry_run"] is False
    assert json.loads(reads(url))["a"][0]["id"] == "m4"
    again = json.loads(run("prune", url, "--older-than", "30d", "--json").output)
    assert again["messages"] == 0


def test_prune_only_the_rooms_named(url: str) -> None:
    result = run("prune", url, "--keep-last", "0", "--room", "b")
    assert result.exit_code == 0, result.output
    assert "removed 1 message(s)" in result.output
    assert len(json.loads(reads(url))["a"]) == 5


def test_prune_needs_a_limit_and_a_valid_duration(url: str) -> None:
    assert run("prune", url).exit_code == 2
    bad = run("prune", url, "--older-than", "ninety days")
    assert bad.exit_code == 2
    assert "not a duration" in bad.output
    assert run("prune", url, "--keep-last", "-1").exit_code == 2


def test_erase_reports_counts_and_a_second_run_erases_nothing(url: str) -> None:
    first = run("erase", url, "p", "--redact", "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {
        "mode": "redact",
        "participants": 1,
        "messages": 3,
        "keys": 0,
    }
    redacted = json.loads(reads(url))["a"]
    assert [m["metadata"] for m in redacted if m["sender_id"] == "p"] == [{}, {}]
    second = run("erase", url, "p", "--redact")
    assert "0 participant record(s), 0 external-id key(s), 0 message(s) redacted" in second.output
    assert "nothing held this participant" in second.output
    deleted = run("erase", url, "p")
    assert "3 message(s) deleted" in deleted.output


def test_a_store_that_cannot_open_exits_1_with_the_reason(tmp_path: Path) -> None:
    result = run("prune", "nosuchadapter://x", "--keep-last", "1")
    assert result.exit_code == 1
    assert "cannot prune" in result.output
    assert run("erase", "nosuchadapter://x", "p").exit_code == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90d", timedelta(days=90)),
        ("12h", timedelta(hours=12)),
        ("2w3d", timedelta(days=17)),
        ("1h30m", timedelta(minutes=90)),
        ("45s", timedelta(seconds=45)),
        (" 7D ", timedelta(days=7)),
        ("0s", timedelta(0)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "90", "d", "-1d", "1.5d", "3y", "1d 2h", "1dd"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(click.BadParameter):
        parse_duration(text)
