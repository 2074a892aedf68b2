"""The ``jido-persistence`` command: ``adapters`` and ``which``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from jido_persistence import registry
from jido_persistence.cli import main
from jido_persistence.models import Room, RoomType
from jido_persistence.registry import PLUGINS_ENV, STRICT_ENV, URL_ENV


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No URL, strictness or filter from the caller's environment; fresh discovery."""
    for name in (URL_ENV, STRICT_ENV, PLUGINS_ENV):
        monkeypatch.delenv(name, raising=False)
    registry.reset_registry()
    yield
    registry.reset_registry()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_adapters_json_lists_memory_with_distribution_and_capabilities() -> None:
    code, output = run("adapters", "--json")
    assert code == 0, output
    data = json.loads(output)
    memory = next(record for record in data["adapters"] if record["name"] == "memory")
    assert memory["distribution"] == "jido-persistence"
    assert memory["version"]
    assert memory["schemes"] == ["memory"]
    assert memory["reference"] == "jido_persistence.memory:MemoryAdapter"
    assert memory["status"] == "ok"
    assert memory["error"] is None
    assert memory["capabilities"] == {
        "ingress_subscriptions": True,
        "ingest": True,
        "enumeration": True,
        "retention": True,
        "durable": False,
        "multi_process": False,
        "native_async": False,
        "transactions": True,
    }
    assert isinstance(data["plugin_errors"], list)


def test_adapters_json_lists_every_bundled_adapter() -> None:
    data = json.loads(run("adapters", "--json")[1])
    by_name = {record["name"]: record for record in data["adapters"]}
    assert by_name["postgres"]["aliases"] == ["postgresql"]
    assert by_name["postgres"]["schemes"] == ["postgresql", "postgres"]
    for name in ("tinydb", "duckdb", "postgres", "sqlite"):
        assert by_name[name]["distribution"] == f"jido-persistence-{name}"
        assert by_name[name]["status"] in {"ok", "error"}


def test_adapters_table() -> None:
    code, output = run("adapters")
    assert code == 0, output
    assert "memory" in output
    assert "memory://" in output


def test_which_with_an_argument() -> None:
    code, output = run("which", "memory://")
    assert code == 0, output
    assert "target:   memory://" in output
    assert "argument" in output
    assert "adapter:  memory" in output
    assert "store:    opened and closed again" in output


def test_which_from_the_environment_redacts_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(URL_ENV, "postgresql://bob:s3cret@db.example/chat?schema=bot")
    _, output = run("which", "--json")
    assert "s3cret" not in output
    record = json.loads(output)
    assert record["target"] == "postgresql://bob:***@db.example/chat?schema=bot"
    assert record["source"] == "environment"
    assert URL_ENV in record["reason"]
    assert record["adapter"]["name"] == "postgres"


def test_which_default() -> None:
    _, output = run("which", "--json")
    record = json.loads(output)
    assert record["target"] == "tinydb:///jido_persistence.json"
    assert record["source"] == "default"
    assert record["adapter"]["name"] == "tinydb"
    assert record["adapter"]["distribution"] == "jido-persistence-tinydb"


def test_which_shows_url_options_and_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(URL_ENV, f"tinydb:///{tmp_path}/chat.json?durability=flush")
    code, output = run("which", "--json")
    assert code == 0, output
    record = json.loads(output)
    assert record["options"] == {"path": f"{tmp_path}/chat.json", "durability": "flush"}
    assert record["defaults"]["compact_on_close"] is True
    assert "does not exist yet" in record["store"]
    assert list(tmp_path.iterdir()) == []  # which creates nothing


# --- issue 13, finding 6: which opens the store, copy refuses a missing source -----


def test_which_refuses_an_option_that_open_store_refuses(tmp_path: Path) -> None:
    code, output = run("which", f"tinydb:///{tmp_path}/chat.json?fsync=0")
    assert code == 1
    assert "unknown option(s) fsync" in output
    code, output = run("which", "--no-connect", f"tinydb:///{tmp_path}/chat.json?fsync=0")
    assert code == 1


def test_which_opens_the_store_and_reports_why_it_cannot(tmp_path: Path) -> None:
    store = tmp_path / "chat.json"
    with registry.open_store(f"tinydb:///{store}") as opened:
        opened.save_room(Room(id="r", type=RoomType.GROUP))
    code, output = run("which", f"tinydb:///{store}")
    assert code == 0, output
    assert "store:    opened and closed again" in output
    store.write_bytes(store.read_bytes().replace(b'"id":"r"', b'"id":"s"'))
    code, output = run("which", f"tinydb:///{store}")
    assert code == 1
    assert "damaged snapshot" in output
    assert str(store) in output


def test_which_an_unreachable_server_exits_1_unless_told_not_to_connect() -> None:
    url = "postgresql://bob:s3cret@127.0.0.1:1/chat?connect_timeout=2"
    code, output = run("which", url)
    assert code == 1
    assert "s3cret" not in output
    assert "cannot open the store" in output
    code, output = run("which", "--no-connect", url)
    assert code == 0, output
    assert "store:    not opened (--no-connect)" in output
    assert "the URL gives no ?schema=, so the store is the schema 'jido_persistence'" in output


def test_a_file_url_with_two_slashes_suggests_three_or_four(tmp_path: Path) -> None:
    code, output = run("which", "tinydb://chat.json")
    assert code == 1
    assert "'chat.json' was read as a host name" in output
    assert "tinydb:///chat.json" in output
    assert "four" in output
    assert "Field required" not in output


def test_copy_refuses_a_missing_source_before_creating_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "target.json"
    code, output = run("copy", "tinydb:///none.json", f"tinydb:///{target}")
    assert code == 1
    assert "SOURCE does not exist" in output
    assert "nothing was created" in output
    assert list(tmp_path.iterdir()) == []


def test_which_an_unknown_adapter_fails_with_the_known_names() -> None:
    code, output = run("which", "duckbd")
    assert code == 1
    assert "did you mean 'duckdb'?" in output
    assert "memory" in output


def test_which_json_failure_exits_1_with_the_error() -> None:
    code, output = run("which", "--json", "nosuch://bob:s3cret@h/db")
    assert code == 1
    record = json.loads(output)
    assert record["adapter"] is None
    assert "nosuch" in record["error"]
    assert "s3cret" not in output


def test_which_a_blank_target_is_an_error() -> None:
    code, output = run("which", " ")
    assert code == 1
    assert "non-empty str" in output


def test_strict_mode_failures_are_reported_not_tracebacks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(STRICT_ENV, "1")
    code, output = run("adapters")
    assert code in {0, 1}
    assert "Traceback" not in output


def test_help_lists_the_builtin_commands() -> None:
    code, output = run("--help")
    assert code == 0, output
    assert "adapters" in output
    assert "which" in output


def test_version() -> None:
    code, output = run("--version")
    assert code == 0
    assert "version" in output
