"""Reading docs/own-sp.md: its code blocks, so tests run exactly what the page shows."""

from __future__ import annotations

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "own-sp.md"


def code_block(language: str, containing: str = "") -> str:
    """The first ```language block of the page that contains `containing`."""
    for block in re.findall(rf"```{language}\n(.*?)```", PAGE.read_text(), flags=re.S):
        if containing in block:
            return str(block)
    raise LookupError(f"docs/own-sp.md has no {language} block containing {containing!r}")


def commands() -> list[str]:
    return [
        line[2:]
        for block in re.findall(r"```console\n(.*?)```", PAGE.read_text(), flags=re.S)
        for line in block.splitlines()
        if line.startswith("$ ")
    ]
