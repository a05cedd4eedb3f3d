"""`pip install .` (which builds our wheel and installs it) in a fresh virtualenv gives
`mock-entra` and the `entra` fixture, and neither needs the Trakstar clone (its package is
removed from the install to prove it). The example test is the one docs/own-sp.md shows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.own_sp import code_block

ROOT = Path(__file__).resolve().parents[2]


def sh(command: str, *, cwd: Path, venv: Path) -> str:
    """One command line of the docs, in a shell whose PATH starts with the fresh venv."""
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=600, cwd=cwd, env=env,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{command}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.docs_command("pip install .")
@pytest.mark.docs_command("mock-entra --help")
@pytest.mark.docs_command("pytest test_my_sp.py")
def test_pip_install_gives_the_console_script_and_the_plugin(tmp_path: Path) -> None:
    source = tmp_path / "clone"  # what a clone holds: no venv, no caches
    ignored = (".venv", ".git", "*cache*", "instance", "*.egg-info", "build", "site")
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*ignored))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    sh("pip install -q --disable-pip-version-check pytest", cwd=tmp_path, venv=venv)

    sh("pip install .", cwd=source, venv=venv)
    site = next((venv / "lib").glob("python3*/site-packages"))
    shutil.rmtree(site / "sp")  # the Trakstar clone: not needed by the mock, CLI or plugin

    assert "serve" in sh("mock-entra --help", cwd=tmp_path, venv=venv)
    project = tmp_path / "their-project"
    project.mkdir()
    (project / "test_my_sp.py").write_text(code_block("python", "def test_my_sp_gets"))
    assert "1 passed" in sh("pytest test_my_sp.py", cwd=project, venv=venv)
