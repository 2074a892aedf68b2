"""docs/guide/data-model.md describes every model, field and enum value of the models.

Each pydantic model of ``jido_persistence.models.__all__`` has a section (a heading
naming it, or a row of the content-part table) that names every one of its fields;
each enum has a row listing all of its values.  A field, model or value added to the
code without the page fails here.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path

from pydantic import BaseModel

from jido_persistence import models

PAGE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "data-model.md"


def section(text: str, name: str) -> str | None:
    """The text under the heading ```` `name` ```` up to the next heading, or its table row."""
    heading = re.search(rf"^#+ `{name}`\n(.*?)(?=^#|\Z)", text, re.MULTILINE | re.DOTALL)
    if heading:
        return heading.group(1)
    row = re.search(rf"^\| `{name}` \|.*$", text, re.MULTILINE)
    return row.group(0) if row else None


def missing_fields(model: type[BaseModel], text: str) -> list[str]:
    """The fields of ``model`` its section does not name (all of them without a section)."""
    found = section(text, model.__name__)
    return [f for f in model.model_fields if found is None or f"`{f}" not in found]


def public_models() -> list[type[BaseModel]]:
    items = (getattr(models, name) for name in models.__all__)
    return [item for item in items if isinstance(item, type) and issubclass(item, BaseModel)]


def test_every_model_field_is_described() -> None:
    text = PAGE.read_text(encoding="utf-8")
    gaps = {m.__name__: missing_fields(m, text) for m in public_models()}
    assert not {name: fields for name, fields in gaps.items() if fields}


def test_every_enum_value_is_listed() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for name in models.__all__:
        item = getattr(models, name)
        if isinstance(item, type) and issubclass(item, enum.Enum):
            row = section(text, name)
            assert row is not None, f"enum {name} has no row"
            assert all(f"`{member.value}`" in row for member in item), f"{name}: a value is missing"


def test_a_missing_field_is_reported() -> None:
    class Sample(BaseModel):
        kept: int
        added: int

    assert missing_fields(Sample, "## `Sample`\n\n| `kept` | int |\n") == ["added"]
    assert missing_fields(Sample, "nothing here") == ["kept", "added"]
