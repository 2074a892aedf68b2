"""``jido-persistence export``, ``import`` and ``copy``: what they write and their exit codes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from jido_persistence import open_store
from jido_persistence.cli import main
from jido_persistence.models import BridgeConfig, Message, Room, RoomType

pytest.importorskip("jido_persistence_tinydb")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _fill(url: str) -> None:
    with open_store(url) as store:
        store.save_room(Room(id="r", type=RoomType.GROUP))
        store.create_room_binding("gone", "slack", "b", "C1")
        store.save_message(
            Message(
                id="m",
                room_id="r",
                sender_id="p",
                role="user",
                external_id="E",
                metadata={"channel": "slack", "bridge_id": "b"},
            )
        )
        store.save_onboarding({"onboarding_id": "o", "step": 1})
        store.save_bridge_config(
            BridgeConfig(id="bc", adapter_module="m", credentials={"token": "s3cret"})
        )


def test_export_then_import_then_export_is_identical(tmp_path: Path) -> None:
    source, target = f"tinydb:////{tmp_path}/a.json", f"tinydb:////{tmp_path}/b.json"
    _fill(source)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    code, output = run("export", source, str(first))
    assert code == 0, output
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert b"s3cret" in first.read_bytes()
    code, output = run("import", target, str(first), "--verify")
    assert code == 0, output
    assert "verified" in output
    code, output = run("export", target, str(second))
    assert code == 0, output
    assert first.read_bytes().split(b"\n")[1:] == second.read_bytes().split(b"\n")[1:]
    header = json.loads(first.read_bytes().split(b"\n")[0])
    assert header["source_adapter"] == "tinydb"


def test_import_refuses_a_nonempty_store_and_writes_nothing(tmp_path: Path) -> None:
    source, target = f"tinydb:////{tmp_path}/a.json", f"tinydb:////{tmp_path}/b.json"
    _fill(source)
    file = tmp_path / "x.jsonl"
    assert run("export", source, str(file))[0] == 0
    with open_store(target) as store:
        store.save_onboarding({"onboarding_id": "mine"})
    code, output = run("import", target, str(file))
    assert code == 1
    assert "not empty" in output
    with open_store(target) as store:
        assert store.list_rooms() == []
    code, output = run("import", target, str(file), "--into-nonempty")
    assert code == 0, output
    assert "not merged:" in output  # the stale binding key
    with open_store(target) as store:
        assert store.get_room("r").id == "r"


def test_a_damaged_file_is_refused_with_its_line_and_nothing_is_imported(tmp_path: Path) -> None:
    source, target = f"tinydb:////{tmp_path}/a.json", f"tinydb:////{tmp_path}/b.json"
    _fill(source)
    file = tmp_path / "x.jsonl"
    assert run("export", source, str(file))[0] == 0
    lines = file.read_bytes().split(b"\n")
    lines[3] = lines[3][:-5]
    file.write_bytes(b"\n".join(lines))
    code, output = run("import", target, str(file))
    assert code == 1
    assert "line 4" in output
    assert "nothing was imported" in output
    with open_store(target) as store:
        assert store.list_rooms() == []
        assert store.list_onboardings() == []


def test_a_newer_format_is_refused_on_line_1(tmp_path: Path) -> None:
    file = tmp_path / "x.jsonl"
    header = {
        "format": "jido-persistence-export",
        "format_version": 99,
        "contract_version": "9.9",
        "source_adapter": "x",
        "exported_at": "2030-01-01T00:00:00Z",
    }
    file.write_text(json.dumps(header) + "\n")
    code, output = run("import", f"tinydb:////{tmp_path}/b.json", str(file))
    assert code == 1
    assert "line 1" in output
    assert "format_version 99" in output


def test_export_refuses_a_missing_store_and_without_credentials_strips_them(
    tmp_path: Path,
) -> None:
    file = tmp_path / "x.jsonl"
    code, output = run("export", f"tinydb:////{tmp_path}/none.json", str(file))
    assert code == 1
    assert "does not exist" in output
    assert list(tmp_path.iterdir()) == []
    source = f"tinydb:////{tmp_path}/a.json"
    _fill(source)
    assert run("export", source, str(file), "--without-credentials")[0] == 0
    assert b"s3cret" not in file.read_bytes()
    code, output = run("export", source, str(file))
    assert code == 1
    assert "exists" in output


def test_copy_verifies_and_refuses_what_it_must(tmp_path: Path) -> None:
    source, target = f"tinydb:////{tmp_path}/a.json", f"tinydb:////{tmp_path}/b.json"
    code, output = run("copy", f"tinydb:////{tmp_path}/none.json", target)
    assert code == 1
    assert "SOURCE does not exist" in output
    _fill(source)
    code, output = run("copy", source, target, "--verify")
    assert code == 0, output
    assert "verified" in output
    code, output = run("copy", source, target)
    assert code == 1
    assert "not empty" in output
    other = f"tinydb:////{tmp_path}/c.json"
    with open_store(other) as store:
        store.save_onboarding({"onboarding_id": "mine"})
    code, output = run("copy", source, other, "--into-nonempty", "--verify")
    assert code == 3  # merged: the target holds one more onboarding flow than was sent
    assert "differs: onboarding: 1 records, then 2" in output


@pytest.mark.parametrize("into_nonempty", [False, True])
def test_a_file_cut_at_a_line_boundary_is_refused_and_nothing_is_imported(
    tmp_path: Path, into_nonempty: bool
) -> None:
    source, target = f"tinydb:////{tmp_path}/a.json", f"tinydb:////{tmp_path}/b.json"
    _fill(source)
    file = tmp_path / "x.jsonl"
    assert run("export", source, str(file))[0] == 0
    lines = file.read_bytes().split(b"\n")
    assert lines[-1] == b""
    file.write_bytes(b"\n".join(lines[:-3]) + b"\n")  # the last record and the trailer
    if into_nonempty:
        with open_store(target) as store:
            store.save_onboarding({"onboarding_id": "mine"})
    options = ["--into-nonempty"] if into_nonempty else []
    code, output = run("import", target, str(file), *options)
    assert code == 1
    assert f"line {len(lines) - 2}" in output
    assert "without its trailer" in output
    with open_store(target) as store:
        assert store.list_rooms() == []
        assert [flow["onboarding_id"] for flow in store.list_onboardings()] == (
            ["mine"] if into_nonempty else []
        )
