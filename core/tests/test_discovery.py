"""Entry-point discovery with real installed distributions written to a temporary site dir.

The site holds a good plugin, a plugin that fails to import, a plugin that takes
names already registered, a plugin whose hook raises, and CLI commands (one
broken).  A broken plugin must never break listing or the other adapters.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from jido_persistence import registry
from jido_persistence.cli import main
from jido_persistence.errors import ConfigurationError
from jido_persistence.registry import PLUGINS_ENV, STRICT_ENV, PluginLoadError

GOOD_PLUGIN = """
from jido_persistence.hookspecs import hookimpl

@hookimpl
def jido_persistence_register_adapters(register):
    register("goodstore", "jp_test_good_adapter:GoodAdapter", schemes=["good"],
             aliases=["good-alias"], description="A test adapter")
    register("halfstore", "jp_test_good_adapter:HalfAdapter")
    register("missingstore", "jp_test_good_adapter:NoSuchClass")
    register("nomodulestore", "jp_test_no_such_module:Adapter")
"""

GOOD_ADAPTER = """
from jido_persistence.adapter import AdapterOptions, PersistenceAdapter
from jido_persistence.memory import MemoryAdapter

class GoodAdapter(MemoryAdapter):
    class Options(AdapterOptions):
        path: str = ""
        mode: int = 0

    @classmethod
    def url_options(cls, url):  # the default of PersistenceAdapter, which MemoryAdapter overrides
        return PersistenceAdapter.url_options.__func__(cls, url)

class HalfAdapter(PersistenceAdapter):
    def _save_room(self, room):
        return room
"""

DUPLICATE_PLUGIN = """
from jido_persistence.hookspecs import hookimpl

@hookimpl
def jido_persistence_register_adapters(register):
    register("goodstore", "jp_test_dup_adapter:Other")
    register("memory", "jp_test_dup_adapter:Other")
    register("dupstore", "jp_test_dup_adapter:Other", schemes=["good", "dup"],
             aliases=["good-alias", "dup-alias"])
"""

RAISING_PLUGIN = """
from jido_persistence.hookspecs import hookimpl

@hookimpl
def jido_persistence_register_adapters(register):
    register("Bad Name", "x:Y")
"""

UNDECORATED_PLUGIN = """
def jido_persistence_register_adapters(register):
    register("undecorated", "x:Y")
"""

CLI_COMMANDS = """
import click

@click.command()
def hello():
    click.echo("hello from a plugin")
"""

SITE_MODULES = {
    "jp_test_good_plugin": GOOD_PLUGIN,
    "jp_test_good_adapter": GOOD_ADAPTER,
    "jp_test_broken_plugin": "import jp_test_module_that_does_not_exist\n",
    "jp_test_dup_plugin": DUPLICATE_PLUGIN,
    "jp_test_raising_plugin": RAISING_PLUGIN,
    "jp_test_undecorated_plugin": UNDECORATED_PLUGIN,
    "jp_test_cli": CLI_COMMANDS,
}


def write_distribution(
    site: Path, name: str, version: str, entry_points: Mapping[str, Mapping[str, str]]
) -> None:
    """Write an installed distribution: a ``*.dist-info`` with METADATA and entry points."""
    dist_info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    lines: list[str] = []
    for group, points in entry_points.items():
        lines.append(f"[{group}]")
        lines.extend(f"{key} = {value}" for key, value in points.items())
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def plugin_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A site directory on ``sys.path`` with the test distributions; discovery is reset."""
    site = tmp_path / "site"
    site.mkdir()
    for module, source in SITE_MODULES.items():
        (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    write_distribution(
        site,
        "jp-test-good",
        "1.0",
        {
            "jido_persistence": {"good": "jp_test_good_plugin"},
            "jido_persistence_cli": {"hello": "jp_test_cli:hello", "kaput": "jp_test_gone:kaput"},
        },
    )
    for name, version, entry_point, module in [
        ("jp-test-broken", "2.0", "broken", "jp_test_broken_plugin"),
        ("JP_Test.Dup", "3.0", "dup", "jp_test_dup_plugin"),
        ("jp-test-raising", "4.0", "raising", "jp_test_raising_plugin"),
        ("jp-test-undecorated", "5.0", "undecorated", "jp_test_undecorated_plugin"),
    ]:
        write_distribution(site, name, version, {"jido_persistence": {entry_point: module}})
    monkeypatch.delenv(STRICT_ENV, raising=False)
    monkeypatch.delenv(PLUGINS_ENV, raising=False)
    monkeypatch.syspath_prepend(str(site))
    registry.reset_registry()
    yield site
    registry.reset_registry()
    for module in [name for name in sys.modules if name.startswith("jp_test_")]:
        del sys.modules[module]


def names() -> set[str]:
    return {info.name for info in registry.available_adapters()}


def failures_by_distribution() -> dict[str | None, list[registry.PluginFailure]]:
    found: dict[str | None, list[registry.PluginFailure]] = {}
    for failure in registry.plugin_errors():
        found.setdefault(failure.distribution, []).append(failure)
    return found


@pytest.mark.usefixtures("plugin_site")
def test_a_real_distribution_is_discovered_without_importing_the_adapter() -> None:
    good = registry.get_adapter("goodstore")
    assert good.reference == "jp_test_good_adapter:GoodAdapter"
    assert good.distribution == "jp-test-good"
    assert good.version == "1.0"
    assert good.entry_point == "good"
    assert good.schemes == ("good",)
    assert good.aliases == ("good-alias",)
    assert good.description == "A test adapter"
    assert {"goodstore", "halfstore", "memory"} <= names()
    assert "jp_test_good_plugin" in sys.modules
    assert "jp_test_good_adapter" not in sys.modules


@pytest.mark.usefixtures("plugin_site")
def test_a_plugin_that_fails_to_import_is_recorded_and_skipped() -> None:
    (failure,) = failures_by_distribution()["jp-test-broken"]
    assert failure.version == "2.0"
    assert failure.entry_point == "broken"
    assert failure.value == "jp_test_broken_plugin"
    assert isinstance(failure.exception, ModuleNotFoundError)
    assert "jp_test_module_that_does_not_exist" in failure.error
    assert "ModuleNotFoundError" in failure.traceback
    assert "jp_test_broken_plugin" in failure.traceback
    assert "jp-test-broken 2.0" in str(failure)
    # The others keep working.
    assert {"goodstore", "memory"} <= names()
    assert registry.get_adapter("goodstore").load().__name__ == "GoodAdapter"


@pytest.mark.usefixtures("plugin_site")
def test_opening_the_name_of_a_broken_plugin_says_it_failed() -> None:
    with pytest.raises(ConfigurationError, match="installed but its plugin failed") as info:
        registry.open_store("broken")
    assert "jp-test-broken" in str(info.value)


@pytest.mark.usefixtures("plugin_site")
def test_a_hook_that_raises_is_recorded_against_its_plugin() -> None:
    (failure,) = failures_by_distribution()["jp-test-raising"]
    assert failure.entry_point == "raising"
    assert "register failed" in failure.error
    assert "invalid adapter name 'Bad Name'" in failure.error


@pytest.mark.usefixtures("plugin_site")
def test_a_plugin_without_a_hook_implementation_is_reported() -> None:
    (failure,) = failures_by_distribution()["jp-test-undecorated"]
    assert "defines no hook" in failure.error
    assert "hookimpl" in failure.error
    assert "undecorated" not in names()


@pytest.mark.usefixtures("plugin_site")
def test_duplicates_are_reported_and_the_first_registration_wins() -> None:
    errors = [failure.error for failure in failures_by_distribution()["JP_Test.Dup"]]
    assert any(
        "duplicate adapter name 'goodstore'" in e and "jp-test-good 1.0" in e for e in errors
    )
    assert any("duplicate adapter name 'memory'" in e and "jido-persistence" in e for e in errors)
    assert any("duplicate URL scheme 'good'" in e for e in errors)
    assert any("duplicate adapter name 'good-alias'" in e for e in errors)
    assert registry.get_adapter("memory").distribution == "jido-persistence"
    assert registry.get_adapter("goodstore").distribution == "jp-test-good"
    dup = registry.get_adapter("dupstore")
    assert (dup.schemes, dup.aliases) == (("dup",), ("dup-alias",))
    assert registry.select_adapter("good://")[0].name == "goodstore"
    assert registry.select_adapter("dup+driver://")[0].name == "dupstore"


def test_strict_mode_raises_naming_every_failed_plugin(
    plugin_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(STRICT_ENV, "1")
    registry.reset_registry()
    with pytest.raises(PluginLoadError) as info:
        registry.available_adapters()
    message = str(info.value)
    assert "jp-test-broken 2.0" in message
    assert "'broken'" in message
    assert "JP_Test.Dup" in message
    assert isinstance(info.value.__cause__, ModuleNotFoundError)
    assert len(info.value.failures) >= 3
    # It keeps raising: a strict run never works with a partial registry.
    with pytest.raises(PluginLoadError):
        registry.open_store("goodstore")


def test_the_plugins_filter_limits_distributions_by_normalized_name(
    plugin_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PLUGINS_ENV, " JP_Test.Good , jp.test-dup")
    registry.reset_registry()
    assert {"goodstore", "halfstore", "memory", "dupstore"} <= names()
    assert "tinydb" not in names()
    assert set(failures_by_distribution()) == {"JP_Test.Dup"}  # only conflicts, no import error
    with pytest.raises(ConfigurationError, match=PLUGINS_ENV):
        registry.open_store("broken")
    with pytest.raises(ConfigurationError, match=PLUGINS_ENV):
        registry.open_store("tinydb:///x.json")


def test_an_empty_plugins_filter_loads_only_the_core(
    plugin_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PLUGINS_ENV, "")
    registry.reset_registry()
    assert names() == {"memory"}
    assert registry.plugin_errors() == []


@pytest.mark.usefixtures("plugin_site")
def test_a_class_missing_callbacks_is_rejected_when_loaded() -> None:
    with pytest.raises(ConfigurationError) as info:
        registry.get_adapter("halfstore").load()
    message = str(info.value)
    assert "'halfstore'" in message
    assert "jp-test-good 1.0" in message
    assert "get_room" in message
    assert "save_room" not in message.rsplit("does not implement", maxsplit=1)[-1]


@pytest.mark.usefixtures("plugin_site")
def test_a_reference_that_does_not_resolve_names_the_plugin_and_cause() -> None:
    with pytest.raises(ConfigurationError, match="NoSuchClass") as info:
        registry.get_adapter("missingstore").load()
    assert isinstance(info.value.__cause__, AttributeError)
    with pytest.raises(ConfigurationError, match="jp_test_no_such_module") as info:
        registry.open_store("nomodulestore")
    assert isinstance(info.value.__cause__, ModuleNotFoundError)


@pytest.mark.usefixtures("plugin_site")
def test_url_query_options_are_overridden_by_keyword_options() -> None:
    store = registry.open_store("good:///data.db?mode=3")
    assert store.options.model_dump() == {"path": "data.db", "mode": 3}  # type: ignore[attr-defined]
    store = registry.open_store("good:///data.db?mode=3", mode=7)
    assert store.options.model_dump() == {"path": "data.db", "mode": 7}  # type: ignore[attr-defined]
    store = registry.open_store("good-alias", path="other.db")
    assert store.options.model_dump() == {"path": "other.db", "mode": 0}  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError, match="valid options: mode, path"):
        registry.open_store("goodstore", colour="blue")


@pytest.mark.usefixtures("plugin_site")
def test_cli_adapters_json_lists_good_broken_and_failed_plugins() -> None:
    result = CliRunner().invoke(main, ["adapters", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    adapters = {record["name"]: record for record in data["adapters"]}
    assert adapters["goodstore"]["status"] == "ok"
    assert adapters["goodstore"]["distribution"] == "jp-test-good"
    assert adapters["goodstore"]["capabilities"]["ingress_subscriptions"] is True
    assert adapters["halfstore"]["status"] == "error"
    assert "get_room" in adapters["halfstore"]["error"]
    assert adapters["halfstore"]["capabilities"] is None
    broken = [e for e in data["plugin_errors"] if e["distribution"] == "jp-test-broken"]
    assert broken[0]["entry_point"] == "broken"
    assert "ModuleNotFoundError" in broken[0]["traceback"]


@pytest.mark.usefixtures("plugin_site")
def test_cli_adapters_table_shows_failures_without_breaking() -> None:
    result = CliRunner().invoke(main, ["adapters"])
    assert result.exit_code == 0, result.output
    assert "goodstore" in result.output
    assert "jp_test_broken_plugin" in result.output


@pytest.mark.usefixtures("plugin_site")
def test_cli_plugin_commands_load_lazily_and_a_broken_one_is_reported() -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["--help"])
    assert listing.exit_code == 0, listing.output
    assert "hello" in listing.output
    assert "kaput" in listing.output
    hello = runner.invoke(main, ["hello"])
    assert (hello.exit_code, hello.output) == (0, "hello from a plugin\n")
    kaput = runner.invoke(main, ["kaput", "--any", "args"])
    assert kaput.exit_code == 1
    assert "failed to load" in kaput.output
    assert "jp-test-good" in kaput.output
    assert runner.invoke(main, ["adapters", "--json"]).exit_code == 0
