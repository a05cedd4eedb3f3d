"""`pip install .` (which builds our wheel and installs it) in a fresh virtualenv gives
`mock-entra` and the `entra` fixture, and neither needs the Trakstar clone (its package is
removed from the install to prove it). The example test is the one docs/own-sp.md shows.

Installing our ~40 dependencies again took most of this test's time, so the fresh virtualenv
sees them already installed: exactly the distributions our wheel requires, found by following
`Requires-Dist` from our own metadata in this checkout's venv, linked into one folder that a
`.pth` file adds, with pip and pytest (the reader's own tools) and their console scripts. pip
checks the dependencies against the requirements ("Requirement already satisfied"), and
anything undeclared stays missing, as in a fresh install. Our own packages are not among them:
they come from the wheel `pip install .` builds, with its build isolation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.docs.own_sp import code_block

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "entra-sso-harness"


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


def required_by(name: str) -> dict[str, metadata.Distribution]:
    """The installed distributions `name` needs at run time, transitively: its requirements
    without its own extras, with the extras they name (`psycopg[binary]`)."""
    found: dict[str, metadata.Distribution] = {}
    done: set[tuple[str, str]] = set()
    todo = [(name, "")]
    while todo:
        wanted, extra = todo.pop()
        dist = metadata.distribution(wanted)
        key = canonicalize_name(dist.metadata["Name"])
        if (key, extra) in done:
            continue
        done.add((key, extra))
        found[key] = dist
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": extra}):
                todo += [(requirement.name, e) for e in ("", *requirement.extras)]
    return found


def link_installed(dists: list[metadata.Distribution], folder: Path) -> None:
    """Each distribution's top-level files and folders (and its .dist-info), linked."""
    folder.mkdir()
    for dist in dists:
        for file in dist.files or []:
            top = file.parts[0]
            if top == ".." or top.endswith(".pth") or top == "__pycache__":
                continue  # scripts (our venv's bin/), path hooks
            link = folder / top
            if not link.exists():
                link.symlink_to(Path(str(dist.locate_file(top))))


def fresh_venv(path: Path, deps: Path, tools: list[metadata.Distribution]) -> None:
    """A new virtualenv whose site-packages also reads `deps`, with the console scripts of
    `tools` (linked into `deps` like the dependencies) written as pip writes them."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", path], check=True, timeout=60)
    site = next((path / "lib").glob("python3*/site-packages"))
    (site / "installed-dependencies.pth").write_text(f"{deps}\n")
    for tool in tools:
        for entry in tool.entry_points.select(group="console_scripts"):
            module, _, function = entry.value.partition(":")
            script = path / "bin" / entry.name
            script.write_text(
                f"#!{path / 'bin' / 'python'}\nimport sys\nfrom {module} import {function}\n"
                f"sys.exit({function}())\n"
            )
            script.chmod(0o755)


@pytest.mark.docs_command("pip install .")
@pytest.mark.docs_command("mock-entra --help")
@pytest.mark.docs_command("pytest test_my_sp.py")
def test_pip_install_gives_the_console_script_and_the_plugin(tmp_path: Path) -> None:
    source = tmp_path / "clone"  # what a clone holds: no venv, no caches
    ignored = (".venv", ".git", "*cache*", "instance", "*.egg-info", "build", "site")
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*ignored))
    needed = required_by(PROJECT)
    del needed[PROJECT]
    tools = [metadata.distribution("pip"), metadata.distribution("pytest")]  # what they bring
    deps = tmp_path / "installed-dependencies"
    link_installed([*needed.values(), *tools, *required_by("pytest").values()], deps)
    venv = tmp_path / "venv"
    fresh_venv(venv, deps, tools)

    installed = sh("pip install .", cwd=source, venv=venv).splitlines()
    version = metadata.version(PROJECT)
    assert f"Successfully installed {PROJECT}-{version}" in installed  # only the wheel built here
    site = next((venv / "lib").glob("python3*/site-packages"))
    shutil.rmtree(site / "sp")  # the Trakstar clone: not needed by the mock, CLI or plugin

    assert "serve" in sh("mock-entra --help", cwd=tmp_path, venv=venv)
    project = tmp_path / "their-project"
    project.mkdir()
    (project / "test_my_sp.py").write_text(code_block("python", "def test_my_sp_gets"))
    assert "1 passed" in sh("pytest test_my_sp.py", cwd=project, venv=venv)
