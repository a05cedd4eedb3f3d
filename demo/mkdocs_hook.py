"""mkdocs hook: the docs' "Tutorial in pictures" page, generated from `make demo`'s storyboard.

`make demo` writes `instance/storyboard/` (git-ignored). When it is there, `make docs` copies its
screenshots into the site and writes the page from `storyboard.json`; on a clean clone the page
says how to generate them, so `mkdocs build --strict` passes either way and nothing is pasted.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parent.parent
STORYBOARD = Path(os.environ.get("STORYBOARD_DIR") or ROOT / "instance" / "storyboard")
PAGE = "tutorial-storyboard.md"
MARKER = "<!-- storyboard -->"
IMAGES = "tutorial-storyboard"  # the screenshots' folder in the site

MISSING = """!!! note "No screenshots yet"
    They are generated, not pasted: run `make demo` (about a minute), then `make docs`, and
    this page shows every step of the tutorial as it looked in the browser.
"""


def _manifest() -> dict[str, Any] | None:
    path = STORYBOARD / "storyboard.json"
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    steps = data.get("steps", [])
    if not all((STORYBOARD / step["image"]).is_file() for step in steps):
        return None  # a half-written storyboard: better none than broken images
    return data


def on_files(files: Files, config: MkDocsConfig) -> Files:
    data = _manifest()
    for step in data["steps"] if data else ():
        files.append(
            File.generated(
                config, f"{IMAGES}/{step['image']}", abs_src_path=str(STORYBOARD / step["image"])
            )
        )
    return files


def _table(title: str, rows: list[list[str]]) -> str:
    if not rows:
        return ""
    cells = [[c.replace("|", "\\|").replace("\n", " ") for c in row] for row in rows]
    head, *body = cells
    lines = [f"**{title}**", "", "| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines) + "\n"


def render(data: dict[str, Any] | None) -> str:
    if data is None:
        return MISSING
    parts = [data.get("summary", ""), ""]
    for step in data["steps"]:
        parts += [
            f"## {step['number']}. {step['title']}",
            "",
            step["caption"],
            "",
            f"![{step['title']}]({IMAGES}/{step['image']})",
            "",
            _table(step.get("table_title", ""), step.get("table") or []),
        ]
    return "\n".join(parts)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if page.file.src_uri != PAGE:
        return markdown
    return markdown.replace(MARKER, render(_manifest()))
