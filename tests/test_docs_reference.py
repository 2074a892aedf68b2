"""The API reference (docs/reference/) documents every public name of ``jido_persistence``.

A name counts as documented when some ``::: dotted.path`` directive of a reference page
resolves to the very object ``jido_persistence.<name>`` is, so a re-export documented
under its defining module (``jido_persistence.models.Room``) counts and a directive for
a name that no longer exists is caught too (mkdocs --strict fails on it as well).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import jido_persistence

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "reference"
DIRECTIVE = re.compile(r"^:::\s+(\S+)\s*$", re.MULTILINE)


def directives(pages: dict[str, str]) -> list[str]:
    """Every ``::: path`` of the given pages (name -> Markdown text), in page order."""
    return [path for text in pages.values() for path in DIRECTIVE.findall(text)]


def resolve(path: str) -> object:
    """The object a mkdocstrings identifier names: the longest importable module, then getattr."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            target = getattr(target, attribute)
        return target
    raise ModuleNotFoundError(path)


def undocumented(names: list[str], pages: dict[str, str]) -> list[str]:
    """The names of ``jido_persistence`` that no directive of ``pages`` documents."""
    documented = [resolve(path) for path in directives(pages)]
    return [
        name
        for name in names
        if not any(getattr(jido_persistence, name) is item for item in documented)
    ]


def reference_pages() -> dict[str, str]:
    return {page.name: page.read_text(encoding="utf-8") for page in REFERENCE.glob("*.md")}


def test_every_public_name_is_in_the_reference() -> None:
    missing = undocumented(sorted(jido_persistence.__all__), reference_pages())
    assert not missing, (
        f"jido_persistence.__all__ names missing from docs/reference/*.md: {missing}; "
        "add a '::: jido_persistence.<name>' directive (or one on its defining module's path)"
    )


def test_every_directive_resolves() -> None:
    for path in directives(reference_pages()):
        resolve(path)  # raises for a name that is gone


def test_a_missing_name_is_reported() -> None:
    pages = {"one.md": "::: jido_persistence.models.Room\n\n::: jido_persistence.open_store\n"}
    assert undocumented(["Room", "open_store", "Message"], pages) == ["Message"]


def test_a_module_directive_documents_no_member_by_itself() -> None:
    assert undocumented(["Room"], {"m.md": "::: jido_persistence.models\n"}) == ["Room"]


def test_a_directive_for_a_missing_name_fails() -> None:
    with pytest.raises(AttributeError):
        resolve("jido_persistence.models.NoSuchModel")


AUDIENCES = {"application API", "adapter-author toolkit", "command line"}
MODULE_ROW = re.compile(r"^\| `(jido_persistence(?:\.\w+)?)` \| ([^|]+?) \|", re.MULTILINE)
CORE = Path(jido_persistence.__file__).resolve().parent


def audiences(text: str) -> dict[str, str]:
    """The ``Modules by audience`` table of the reference index: module -> audience."""
    return dict(MODULE_ROW.findall(text))


def public_modules() -> set[str]:
    """Every module and subpackage of ``jido_persistence`` whose name has no leading ``_``."""
    found = {"jido_persistence"}
    for path in CORE.iterdir():
        name = path.stem if path.suffix == ".py" else path.name
        is_module = path.suffix == ".py" or (path / "__init__.py").exists()
        if is_module and not name.startswith("_"):
            found.add(f"jido_persistence.{name}")
    return found


def test_every_public_core_module_has_an_audience() -> None:
    table = audiences((REFERENCE / "index.md").read_text(encoding="utf-8"))
    missing = sorted(public_modules() - set(table))
    assert not missing, (
        f"core modules missing from 'Modules by audience' in docs/reference/index.md: "
        f"{missing}; add a row (application API, adapter-author toolkit or command line), "
        "or give the module a leading underscore if it is private"
    )
    assert not set(table) - public_modules(), "the table names modules that do not exist"
    assert set(table.values()) <= AUDIENCES, set(table.values()) - AUDIENCES


def test_the_audience_table_parser_reads_rows() -> None:
    text = "| `jido_persistence.models` | application API | records |\n| other | x | y |\n"
    assert audiences(text) == {"jido_persistence.models": "application API"}
