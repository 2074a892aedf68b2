"""docs/writing-an-adapter.md documents every hook and class attribute the kit uses.

The names are read from the kit's own source (attribute uses, ``getattr`` literals and
the runtime-checkable ``Supports...`` protocols it tests for), so a hook the kit starts
calling fails here until the guide documents it; the three test hooks of contract
section 8 must appear with their exact signature and kind, and ``raw_index()``'s fields
and row-count names as the code defines them.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Final

import jido_persistence
from jido_persistence import PersistenceAdapter, RawIndex
from jido_persistence.callbacks import CALLBACKS
from jido_persistence.memory import MemoryAdapter

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "writing-an-adapter.md"
KIT = ROOT / "conformance" / "src" / "jido_persistence_conformance"

NOT_ADAPTER_NAMES: Final = frozenset(
    {
        # pytest items, reports, functions and xdist nodes
        "callspec",
        "cls",
        "function",
        "obj",
        "originalname",
        "workeroutput",
        "workerinput",
        "wasxfail",
        "__module__",
        "__qualname__",
        "__func__",
        # the kit's own markers and hypothesis internals
        "__jido_conformance__",
        "_hypothesis_internal_use_settings",
        "_url",
        "context",
    }
)
"""``getattr`` literals in the kit that do not read the adapter (pytest, hypothesis, the
kit's own objects).  A new literal fails the test until it is documented or listed."""

TEST_HOOKS: Final = {
    "fresh_store_url": (
        "@classmethod fresh_store_url(cls, directory: Path, unique: str) -> str \\| None"
    ),
    "destroy_store": "@classmethod destroy_store(cls, url: str) -> None",
    "raw_index": "instance method `raw_index(self) -> RawIndex`",
}
"""The test hooks of contract section 8, as the guide's table must show them."""


def _kit_names() -> tuple[set[str], set[str]]:
    """(attribute names the kit's source uses, literals it passes to getattr)."""
    attributes: set[str] = set()
    literals: set[str] = set()
    for path in KIT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                attributes.add(node.attr)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"getattr", "hasattr"}
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                literals.add(node.args[1].value)
    return attributes, literals


def _protocol_methods() -> set[str]:
    """The methods of the optional runtime-checkable surfaces core exports."""
    names: set[str] = set()
    for name in jido_persistence.__all__:
        value = getattr(jido_persistence, name)
        if name.startswith("Supports") and inspect.isclass(value):
            names |= {member for member in vars(value) if not member.startswith("_")}
    return names


def _documented(name: str, text: str) -> bool:
    return f"`{name}" in text


def test_every_adapter_name_the_kit_uses_is_documented() -> None:
    """Each public adapter attribute, protocol method or getattr'd name the kit uses."""
    text = GUIDE.read_text(encoding="utf-8")
    attributes, literals = _kit_names()
    surface = {name for name in dir(PersistenceAdapter) if not name.startswith("_")}
    surface |= _protocol_methods()
    used = (surface & (attributes | literals)) - set(CALLBACKS)
    used |= literals - NOT_ADAPTER_NAMES - surface
    assert {"fresh_store_url", "destroy_store", "raw_index"} <= used, sorted(used)
    missing = sorted(name for name in used if not _documented(name, text))
    assert not missing, f"docs/writing-an-adapter.md does not document: {missing}"


def test_the_test_hooks_are_documented_with_their_signature_and_kind() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    for documented in TEST_HOOKS.values():
        assert documented in text, f"the guide's hook table does not show {documented!r}"
    for hook in ("fresh_store_url", "destroy_store"):
        assert isinstance(inspect.getattr_static(PersistenceAdapter, hook), classmethod), hook
        parameters = list(inspect.signature(getattr(PersistenceAdapter, hook)).parameters)
        shown = TEST_HOOKS[hook].split("(", 1)[1].split(")", 1)[0]
        assert [part.split(":")[0].strip() for part in shown.split(",")][1:] == parameters
    assert list(inspect.signature(MemoryAdapter.raw_index).parameters) == ["self"]


def test_every_raw_index_field_and_row_count_name_is_documented() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    with MemoryAdapter() as store:
        tables = list(store.raw_index()["row_counts"])
    missing = [name for name in [*RawIndex.__annotations__, *tables] if f"`{name}`" not in text]
    assert not missing, f"docs/writing-an-adapter.md does not name: {missing}"
    counts = text.split("`row_counts` must hold exactly these names", 1)[1].split("\n\n", 1)[0]
    assert [name for name in tables if f"`{name}`" not in counts] == []
