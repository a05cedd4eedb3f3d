"""Layering rules import-linter cannot express (its contracts live in pyproject.toml).

The protocol packages take `now` as an argument: a clock read there would make a response depend
on when it was built, and the deterministic mode and time travel could not reach it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL_PACKAGES = ["mock_idp/protocol", "sp/saml"]
CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "gmtime"),
    ("time", "localtime"),
}
# The xmlsec binding is libxmlsec1 in-process: only the SP's signature backend may load it.
XMLSEC_HOME = "sp/saml"


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def clock_reads(source: str) -> list[str]:
    """`datetime.now()`, `time.time()` … called anywhere in the module, with their line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if (name, node.func.attr) in CLOCK_READS:
                found.append(f"{name}.{node.func.attr}() on line {node.lineno}")
    return found


def imported_modules(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_clock_check_finds_each_form_of_clock_read() -> None:
    source = "import time\nfrom datetime import datetime\nx = datetime.now()\ny = time.time()\n"
    assert clock_reads(source) == ["datetime.now() on line 3", "time.time() on line 4"]
    assert clock_reads("import datetime\nz = datetime.datetime.utcnow()\n") == [
        "datetime.utcnow() on line 2"
    ]
    assert clock_reads("def f(now):\n    return now.isoformat()\n") == []


@pytest.mark.parametrize("package", PROTOCOL_PACKAGES)
def test_protocol_packages_read_no_clock(package: str) -> None:
    files = _python_files(package)
    assert files, f"{package} has no modules: is the list above out of date?"
    reads = {
        str(path.relative_to(ROOT)): found
        for path in files
        if (found := clock_reads(path.read_text()))
    }
    assert reads == {}, "take `now` as an argument instead"


def test_only_the_sps_signature_backend_imports_the_xmlsec_binding() -> None:
    importers = [
        str(path.relative_to(ROOT))
        for folder in ("sp", "mock_idp", "devserver", "certs", "bench")
        for path in _python_files(folder)
        if "xmlsec" in imported_modules(path.read_text())
    ]
    assert [p for p in importers if not p.startswith(XMLSEC_HOME + "/")] == []


def test_the_mock_has_no_async_view_or_hook() -> None:
    """The mock's Flask skips Flask's per-call check for coroutines (`mock_idp.app`): an async
    view or hook would be called without being awaited."""
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        for path in _python_files("mock_idp")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.AsyncFunctionDef)
    ]
    assert found == []
