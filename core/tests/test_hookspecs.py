"""The registration hook is documented, and the bundled plugin modules use it as documented."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Sequence
from typing import Any

import pytest

from jido_persistence import hookspecs


def test_the_hook_documents_its_callback_signature() -> None:
    doc = inspect.getdoc(hookspecs.jido_persistence_register_adapters)
    assert doc is not None
    assert "register(" in doc
    parameters = inspect.signature(hookspecs.RegisterAdapter.__call__).parameters
    for name in parameters:
        if name != "self":
            assert f"{name}:" in doc, f"the hook's docstring does not document {name!r}"


def test_the_callback_protocol_matches_the_documented_signature() -> None:
    parameters = inspect.signature(hookspecs.RegisterAdapter.__call__).parameters
    assert list(parameters) == ["self", "name", "reference", "schemes", "description", "aliases"]
    keyword_only = [p.name for p in parameters.values() if p.kind is p.KEYWORD_ONLY]
    assert keyword_only == ["schemes", "description", "aliases"]


def test_the_hookspec_is_a_pluggy_hookspec_of_the_project() -> None:
    marker = getattr(hookspecs.jido_persistence_register_adapters, "jido_persistence_spec", None)
    assert marker is not None


class Recorder:
    """A ``register`` callback that records its calls."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self,
        name: str,
        reference: str,
        *,
        schemes: Sequence[str] = (),
        description: str = "",
        aliases: Sequence[str] = (),
    ) -> None:
        self.calls.append(
            {
                "name": name,
                "reference": reference,
                "schemes": list(schemes),
                "aliases": list(aliases),
                "description": description,
            }
        )


@pytest.mark.parametrize(
    ("module", "name", "reference", "schemes", "aliases"),
    [
        (
            "jido_persistence.plugin",
            "memory",
            "jido_persistence.memory:MemoryAdapter",
            ["memory"],
            [],
        ),
        (
            "jido_persistence_tinydb.plugin",
            "tinydb",
            "jido_persistence_tinydb.adapter:TinyDBAdapter",
            ["tinydb"],
            [],
        ),
        (
            "jido_persistence_duckdb.plugin",
            "duckdb",
            "jido_persistence_duckdb.adapter:DuckDBAdapter",
            ["duckdb"],
            [],
        ),
        (
            "jido_persistence_postgres.plugin",
            "postgres",
            "jido_persistence_postgres.adapter:PostgresAdapter",
            ["postgresql", "postgres"],
            ["postgresql"],
        ),
        (
            "jido_persistence_sqlite.plugin",
            "sqlite",
            "jido_persistence_sqlite.adapter:SQLiteAdapter",
            ["sqlite"],
            [],
        ),
    ],
)
def test_the_bundled_plugin_modules_register_one_lazy_reference(
    module: str, name: str, reference: str, schemes: list[str], aliases: list[str]
) -> None:
    plugin = importlib.import_module(module)
    recorder = Recorder()
    plugin.jido_persistence_register_adapters(register=recorder)
    (call,) = recorder.calls
    assert (call["name"], call["reference"], call["schemes"], call["aliases"]) == (
        name,
        reference,
        schemes,
        aliases,
    )
    assert call["description"]
