"""docs/contract.md keeps in step with the kit.

* Every kit area (a module ``suite/<area>.py``) has a section ``{ #area-<area> }`` and
  every such section names an existing area.
* Every kit test is linked, from its area's section, by its API-reference identifier
  (``[...][jido_persistence_conformance.suite.<area>.<Class>.<test>]``), so each rule the
  kit checks is stated with the test that holds it; mkdocs --strict fails on a link to a
  test that no longer exists.
* The page's version is the kit's ``CONTRACT_VERSION``.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import jido_persistence_conformance
from jido_persistence_conformance.suite import AREAS

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "docs" / "contract.md"
SUITE = ROOT / "conformance" / "src" / "jido_persistence_conformance" / "suite"
SECTION = re.compile(r"^#+ .*\{ #area-([a-z_]+) \}\s*$", re.MULTILINE)


def area_sections(text: str) -> dict[str, str]:
    """Each ``{ #area-NAME }`` section's text (up to the next such section), by area."""
    parts = SECTION.split(text)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def kit_areas() -> list[str]:
    """The areas as the kit's files define them (not its ``AREAS`` list, which is checked too)."""
    return sorted(p.stem for p in SUITE.glob("*.py") if p.stem != "__init__")


def kit_tests(area: str) -> list[str]:
    """``<Class>.<test>`` of every test the area's module defines."""
    module = importlib.import_module(f"jido_persistence_conformance.suite.{area}")
    return [
        f"{name}.{test}"
        for name, cls in vars(module).items()
        if inspect.isclass(cls) and cls.__module__ == module.__name__
        for test in vars(cls)
        if test.startswith("test_")
    ]


def unlinked(area: str, tests: list[str], section: str) -> list[str]:
    """The tests that ``section`` does not link by their reference identifier."""
    prefix = f"jido_persistence_conformance.suite.{area}."
    return [test for test in tests if f"][{prefix}{test}]" not in section]


def test_every_area_has_a_section_and_every_section_an_area() -> None:
    sections = area_sections(CONTRACT.read_text(encoding="utf-8"))
    assert sorted(sections) == kit_areas(), "docs/contract.md area sections vs. suite/*.py"
    assert sorted(AREAS) == kit_areas(), "suite.AREAS vs. suite/*.py"


def test_every_kit_test_is_linked_from_its_area() -> None:
    sections = area_sections(CONTRACT.read_text(encoding="utf-8"))
    missing = [
        f"{area}: {test}"
        for area in kit_areas()
        for test in unlinked(area, kit_tests(area), sections.get(area, ""))
    ]
    assert not missing, (
        "kit tests without a rule in docs/contract.md; add '- <the rule> "
        "[`test`][jido_persistence_conformance.suite.<area>.<Class>.<test>]' to the "
        "area's section for each of: " + ", ".join(missing)
    )


def test_every_link_names_an_existing_kit_test() -> None:
    text = CONTRACT.read_text(encoding="utf-8")
    linked = re.findall(
        r"\]\[jido_persistence_conformance\.suite\.([a-z_]+)\.(\w+\.test_\w+)\]", text
    )
    existing = {(area, test) for area in kit_areas() for test in kit_tests(area)}
    stale = [f"{area}.{test}" for area, test in linked if (area, test) not in existing]
    assert not stale, f"docs/contract.md links kit tests that do not exist: {stale}"


def test_the_version_is_the_kits() -> None:
    version = re.search(r"\*\*Contract version: ([0-9.]+)\.\*\*", CONTRACT.read_text("utf-8"))
    assert version is not None
    assert version.group(1) == jido_persistence_conformance.CONTRACT_VERSION


def test_the_kits_groups_are_the_contracts() -> None:
    """CONTRACT_GROUPS (what the report lists) is core's table of optional groups."""
    from jido_persistence.callbacks import GROUP_FLAGS

    expected = {group.value: flag for group, flag in GROUP_FLAGS.items()}
    assert expected == jido_persistence_conformance.CONTRACT_GROUPS


def test_the_checks_report_what_is_wrong() -> None:
    text = "## A { #area-rooms }\n- x [t][jido_persistence_conformance.suite.rooms.R.test_a]\n"
    sections = area_sections(text)
    assert list(sections) == ["rooms"]
    assert unlinked("rooms", ["R.test_a", "R.test_b"], sections["rooms"]) == ["R.test_b"]
