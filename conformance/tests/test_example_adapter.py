"""The minimal adapter of docs/writing-an-adapter.md passes the whole kit."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from jido_persistence_conformance import AdapterConformance, ClassStoreFactory, StoreFactory
from jido_persistence_conformance._support import INGRESS_SKIP_REASON

DOCS = Path(__file__).parents[2] / "docs" / "writing-an-adapter.md"


class TestExampleAdapterConformance(AdapterConformance):
    """The docs' DictAdapter keeps the contract (it leaves the ingress trio out)."""

    @pytest.fixture
    def store_factory(self, sibling: Callable[[str], ModuleType]) -> StoreFactory:
        """Fresh DictAdapter instances."""
        return ClassStoreFactory(sibling("example_adapter").DictAdapter)


def test_docs_show_the_tested_adapter(sibling: Callable[[str], ModuleType]) -> None:
    """The adapter printed in the guide is exactly the file the kit runs on."""
    source = Path(sibling("example_adapter").__file__ or "").read_text()
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    assert source in blocks, "docs/writing-an-adapter.md must show example_adapter.py verbatim"


def test_ingress_reason_is_the_contracts() -> None:
    """The skip reason the docs promise is the one the kit uses."""
    assert INGRESS_SKIP_REASON in DOCS.read_text()
