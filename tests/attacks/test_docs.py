"""docs/faults.md carries the generated catalogue table, and it is current."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mock_idp.faults.__main__ import main
from mock_idp.faults.catalogue import CATALOGUE
from mock_idp.faults.describe import markdown_table, with_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "faults.md"


def test_the_table_in_docs_matches_the_catalogue() -> None:
    text = DOC.read_text(encoding="utf-8")

    assert with_table(text, markdown_table(CATALOGUE)) == text, (
        "docs/faults.md is stale: run `python -m mock_idp.faults --update docs/faults.md`"
    )
    assert all(f"| `{case.name}` |" in text for case in CATALOGUE)
    assert f"any of {len(CATALOGUE)} named" in text  # the prose counts them too


def test_the_command_line_rewrites_only_the_table(tmp_path: Path) -> None:
    copy = tmp_path / "faults.md"
    copy.write_text(with_table(DOC.read_text(encoding="utf-8"), "| stale |\n"))

    assert main(["--update", str(copy)]) == 0
    assert copy.read_text(encoding="utf-8") == DOC.read_text(encoding="utf-8")


def test_a_file_without_markers_is_an_error_not_a_rewrite(tmp_path: Path) -> None:
    plain = tmp_path / "plain.md"
    plain.write_text("no markers here\n")

    assert main(["--update", str(plain)]) == 2
    assert plain.read_text() == "no markers here\n"


@pytest.mark.docs_command(".venv/bin/python -m mock_idp.faults")
def test_the_documented_command_prints_the_table_of_the_page() -> None:
    root = DOC.parents[1]
    result = subprocess.run(
        ["bash", "-c", ".venv/bin/python -m mock_idp.faults"], cwd=root, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == markdown_table(CATALOGUE).strip()
    assert result.stdout.strip() in DOC.read_text(encoding="utf-8")
