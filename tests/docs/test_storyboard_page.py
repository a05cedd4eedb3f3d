"""The docs' "Tutorial in pictures" page: generated from `make demo`'s storyboard when there is
one, a note saying how to make it when there is none; the strict build passes both ways."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16  # enough for mkdocs: it copies, never decodes


def build(site: Path, storyboard: Path) -> str:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "STORYBOARD_DIR": str(storyboard)}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return (site / "tutorial-storyboard.html").read_text(encoding="utf-8")  # plain .html pages


def test_the_page_shows_the_storyboards_steps_and_images(tmp_path: Path) -> None:
    board = tmp_path / "storyboard"
    board.mkdir()
    (board / "step-01.png").write_bytes(PNG)
    step = {
        "number": 1, "title": "Add Trakstar from the gallery", "caption": "Search, then add.",
        "image": "step-01.png", "table_title": "Final claims",
        "table": [["Claim", "Value"], ["NameID", "B.Simon@contoso.com"]],
    }  # fmt: skip
    manifest = {"title": "t", "summary": "The walk.", "steps": [step]}
    (board / "storyboard.json").write_text(json.dumps(manifest))

    page = build(tmp_path / "site", board)

    assert 'src="tutorial-storyboard/step-01.png"' in page and "Search, then add." in page
    assert "<td>B.Simon@contoso.com</td>" in page
    assert (tmp_path / "site" / "tutorial-storyboard" / "step-01.png").read_bytes() == PNG


def test_without_a_storyboard_the_page_says_how_to_make_one(tmp_path: Path) -> None:
    page = build(tmp_path / "site", tmp_path / "none")
    assert "No screenshots yet" in page and "make demo" in page
    assert "<img" not in page
