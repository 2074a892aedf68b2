"""Selection: ``open_store()`` precedence, names and URLs, and its error messages."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from importlib import metadata

import pytest

import jido_persistence
from jido_persistence import registry
from jido_persistence.errors import AdapterNotFound, ConfigurationError
from jido_persistence.memory import MemoryAdapter
from jido_persistence.registry import (
    DEFAULT_URL,
    PLUGINS_ENV,
    STRICT_ENV,
    URL_ENV,
    Registry,
    TargetSource,
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No URL, strictness or filter from the caller's environment; fresh discovery."""
    for name in (URL_ENV, STRICT_ENV, PLUGINS_ENV):
        monkeypatch.delenv(name, raising=False)
    registry.reset_registry()
    yield
    registry.reset_registry()


def core_only() -> Registry:
    """A registry that discovers only the core's own entry point (no bundled adapter)."""
    return Registry(
        entry_points=lambda: [
            ep
            for ep in metadata.entry_points(group=registry.ENTRY_POINT_GROUP)
            if ep.value == "jido_persistence.plugin"
        ]
    )


def test_the_argument_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(URL_ENV, "duckdb:///env.duckdb")
    assert registry.resolve_target("memory://") == ("memory://", TargetSource.ARGUMENT)


def test_the_environment_wins_over_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(URL_ENV, " duckdb:///env.duckdb ")
    assert registry.resolve_target() == ("duckdb:///env.duckdb", TargetSource.ENVIRONMENT)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_the_default_is_the_embedded_tinydb_file(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is not None:
        monkeypatch.setenv(URL_ENV, value)
    assert registry.resolve_target() == (DEFAULT_URL, TargetSource.DEFAULT)
    assert DEFAULT_URL == "tinydb:///jido_persistence.json"
    info, url = registry.select_adapter()
    assert info.name == "tinydb"
    assert info.distribution == "jido-persistence-tinydb"
    assert url is not None
    assert url.path == "jido_persistence.json"


def test_an_environment_argument_can_be_given_explicitly() -> None:
    environ = {URL_ENV: "memory://"}
    assert registry.resolve_target(None, environ) == ("memory://", TargetSource.ENVIRONMENT)


@pytest.mark.parametrize("target", ["", "  ", 42])
def test_a_blank_or_non_string_target_is_rejected(target: object) -> None:
    with pytest.raises(ConfigurationError, match="non-empty str"):
        registry.resolve_target(target)  # type: ignore[arg-type]


@pytest.mark.parametrize("target", ["memory", "memory://", "MEMORY://", "memory+anything://"])
def test_open_store_by_name_or_url(target: str) -> None:
    with registry.open_store(target) as store:
        assert isinstance(store, MemoryAdapter)


def test_open_store_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(URL_ENV, "memory://")
    with jido_persistence.open_store() as store:
        assert isinstance(store, MemoryAdapter)


def test_the_argument_is_used_even_when_the_environment_is_wrong(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(URL_ENV, "nosuch://")
    with registry.open_store("memory://") as store:
        assert isinstance(store, MemoryAdapter)


def test_a_name_takes_options_from_keywords_only() -> None:
    with pytest.raises(ConfigurationError, match="unknown option"):
        registry.open_store("memory", colour="blue")
    with pytest.raises(ConfigurationError, match="unknown option"):
        registry.open_store("memory://?colour=blue")


def test_the_postgres_alias_and_both_schemes_select_one_adapter() -> None:
    assert registry.get_adapter("postgresql").name == "postgres"
    assert registry.select_adapter("postgres://db/chat")[0].name == "postgres"
    assert registry.select_adapter("postgresql+psycopg://db/chat")[0].name == "postgres"


def test_adapter_not_found_lists_known_names_and_suggests_the_closest() -> None:
    with pytest.raises(AdapterNotFound) as info:
        registry.open_store("duckbd")
    message = str(info.value)
    assert "'duckbd'" in message
    assert "did you mean 'duckdb'?" in message
    for name in ("duckdb", "memory", "postgres", "postgresql", "sqlite", "tinydb"):
        assert name in info.value.known
        assert name in message


def test_adapter_not_found_says_what_to_install_for_a_bundled_adapter() -> None:
    with pytest.raises(AdapterNotFound) as info:
        core_only().open("duckdb:///chat.duckdb")
    message = str(info.value)
    assert "pip install jido-persistence-duckdb" in message
    assert info.value.distribution == "jido-persistence-duckdb"
    assert "memory" in message
    assert any("duckdb:///chat.duckdb" in note for note in info.value.__notes__)
    with pytest.raises(AdapterNotFound, match="pip install jido-persistence-postgres"):
        core_only().get("postgresql")
    with pytest.raises(AdapterNotFound, match="pip install jido-persistence-sqlite"):
        core_only().open("sqlite:///chat.sqlite3")


def test_an_unknown_scheme_is_adapter_not_found() -> None:
    with pytest.raises(AdapterNotFound, match=r"known adapters: .*memory"):
        registry.open_store("nosuch:///x")


def test_the_note_says_where_the_target_came_from(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(URL_ENV, "nosuch://bob:s3cret@host/db")
    with pytest.raises(AdapterNotFound) as info:
        registry.open_store()
    (note,) = info.value.__notes__
    assert URL_ENV in note
    assert "bob:***@host" in note
    assert "s3cret" not in note


@pytest.mark.parametrize(
    "target",
    [
        "nosuch://bob:s3cret@host/db",
        "memory://bob:s3cret@host/db#x",
        "memory://bob:s3cret@h?a=1&a=2",
    ],
)
def test_errors_never_show_the_password(target: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        registry.open_store(target)
    shown = "\n".join([str(info.value), repr(info.value), *info.value.__notes__])
    assert "s3cret" not in shown
    assert "***" in shown


def test_available_adapters_lists_the_bundled_ones_without_importing_backends() -> None:
    code = textwrap.dedent(
        """
        import sys
        import jido_persistence
        names = {info.name for info in jido_persistence.available_adapters()}
        assert {"memory", "tinydb", "duckdb", "postgres", "sqlite"} <= names, names
        backends = ("duckdb", "psycopg", "psycopg_pool", "tinydb")
        loaded = sorted(m for m in backends if m in sys.modules)
        assert not loaded, loaded
        adapters = [m for m in sys.modules if m.startswith("jido_persistence_")
                    and m.endswith(".adapter")]
        assert not adapters, adapters
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_the_exact_acceptance_one_liner() -> None:
    code = (
        "import jido_persistence, sys; jido_persistence.available_adapters(); "
        "assert 'duckdb' not in sys.modules"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_loaded_classes_are_cached() -> None:
    info = registry.get_adapter("memory")
    assert info.load() is info.load() is MemoryAdapter


def test_concurrent_first_use_discovers_once_and_loads_one_class() -> None:
    from concurrent.futures import ThreadPoolExecutor

    fresh = Registry()
    with ThreadPoolExecutor(max_workers=16) as pool:
        listings = list(pool.map(lambda _: fresh.adapters(), range(16)))
        classes = set(pool.map(lambda _: fresh.get("memory").load(), range(16)))
    assert all(listing == listings[0] for listing in listings)
    assert classes == {MemoryAdapter}
