"""The README's quickstart runs, and its test command is the one ``.ci/run`` finds."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_the_quickstart_runs() -> None:
    quickstart = python_blocks()[0]
    assert 'open_store("memory://")' in quickstart
    exec(compile(quickstart, str(README), "exec"), {})


def test_the_readme_opens_with_the_fresh_machine_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    assert "pip install uv" in first_block
    assert "uv run jido-persistence check" in first_block
    assert re.search(r"^uv run pytest", text, re.MULTILINE)
