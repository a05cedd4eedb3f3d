"""Every command the docs show is run by a test.

A command is a line starting with `$ ` inside a ```` ```console ```` block of README.md or of a
page under docs/ (a line ending in `\\` continues on the next one; the command is then the lines
joined with newlines, exactly as written). A test carries it as
`@pytest.mark.docs_command("<the exact command>")`. The markers are found by parsing the test
sources (tests/ and e2e/) rather than by collecting them: it is fast, needs no browser or app,
and sees e2e tests that a `-m` filter or a missing Chromium would leave uncollected.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(\S*)")


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def console_commands(text: str) -> Iterator[tuple[int, str]]:
    """(line number, command) for each `$ ` line of each console block of a Markdown text."""
    fence: str | None = None
    console = False
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        match = FENCE.match(line)
        if fence is None and match:
            fence, console = match.group(2), match.group(3) == "console"
            continue
        if fence is not None and line.strip().startswith(fence) and not line.strip(" `~"):
            fence, console = None, False
            continue
        if not console or not line.lstrip().startswith("$ "):
            continue
        start = index
        parts = [line.lstrip()[2:]]
        while parts[-1].endswith("\\") and index < len(lines):
            parts.append(lines[index].strip())
            index += 1
        yield start, "\n".join(parts)


def documented() -> dict[str, list[str]]:
    """Each documented command, with where it appears (path:line)."""
    found: dict[str, list[str]] = {}
    for path in documents():
        for number, command in console_commands(path.read_text(encoding="utf-8")):
            found.setdefault(command, []).append(f"{path.relative_to(ROOT)}:{number}")
    return found


def marker_calls() -> Iterator[tuple[str, ast.Call]]:
    """Every `docs_command(...)` call in the test sources, with where (path:line)."""
    for path in sorted([*(ROOT / "tests").rglob("*.py"), *(ROOT / "e2e").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Call):
                continue
            if getattr(node.func, "attr", getattr(node.func, "id", None)) == "docs_command":
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node


def markers() -> dict[str, list[str]]:
    """Each command named by a `docs_command("…")` marker in the test sources, with where."""
    found: dict[str, list[str]] = {}
    for where, call in marker_calls():
        for arg in call.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, []).append(where)
    return found


def test_every_marker_names_its_command_as_one_literal_string() -> None:
    """The scan reads string literals only: a computed command would vouch for nothing."""
    unreadable = [
        where
        for where, call in marker_calls()
        if len(call.args) != 1
        or call.keywords
        or not isinstance(call.args[0], ast.Constant)
        or not isinstance(call.args[0].value, str)
    ]

    assert unreadable == [], "docs_command needs one literal string: " + ", ".join(unreadable)


def test_every_documented_command_is_run_by_a_test() -> None:
    carried = markers()
    missing = {cmd: where for cmd, where in documented().items() if cmd not in carried}

    assert not missing, "commands in the docs that no test carries as docs_command(...):\n" + (
        "\n".join(f"  {', '.join(where)}: $ {cmd}" for cmd, where in sorted(missing.items()))
    )


def test_every_marker_names_a_command_the_docs_show() -> None:
    """A marker whose command left the docs (or has a typo) would vouch for nothing."""
    shown = documented()
    stale = {cmd: where for cmd, where in markers().items() if cmd not in shown}

    assert not stale, "docs_command markers naming no command in the docs:\n" + "\n".join(
        f"  {', '.join(where)}: {cmd!r}" for cmd, where in sorted(stale.items())
    )


def test_commands_are_read_from_console_blocks_only() -> None:
    text = (
        "Intro `$ not this`\n\n```console\n$ make run\nprinted output\n$ curl -s \\\n"
        "    http://127.0.0.1:8001/\n```\n\n```bash\n$ not a console block\n```\n"
        "  ```console\n  $ indented in a list\n  ```\n"
    )

    assert list(console_commands(text)) == [
        (4, "make run"),
        (6, "curl -s \\\nhttp://127.0.0.1:8001/"),
        (14, "indented in a list"),
    ]


def test_the_meta_test_sees_markers_in_tests_and_e2e() -> None:
    assert "make docs" in markers()
