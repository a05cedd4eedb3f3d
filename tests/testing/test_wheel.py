"""`pip install` of our wheel, in a fresh virtualenv, gives `mock-entra` and the `entra` fixture,
and neither needs the Trakstar clone (its package is removed from the install to prove it)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = """
def test_my_sp_gets_a_signed_response(entra):
    app = entra.add_app(name="My SP", identifier="urn:my-sp",
                        reply_url="https://sp.example.com/acs")
    user = entra.add_user("pat@contoso.com", password="Passw0rd!")
    entra.assign(user, app)
    assert entra.response(app, user)
    assert app.login_url.endswith("/saml2")
"""


def sh(*argv: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=600, cwd=cwd, check=False
    )
    assert done.returncode == 0, f"{argv}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_the_wheel_installs_the_console_script_and_the_plugin(tmp_path: Path) -> None:
    source = tmp_path / "src"  # a copy without the venv and caches: what `pip wheel .` reads
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "*cache*", "instance", "*.egg-info", "build"
        ),
    )
    sh(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path / "dist", source)
    [wheel] = (tmp_path / "dist").glob("entra_sso_harness-*.whl")
    venv = tmp_path / "venv"
    sh(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    sh(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel, "pytest")
    site = Path(
        sh(
            python, "-c", "import flask, pathlib; print(pathlib.Path(flask.__file__).parents[1])"
        ).strip()
    )
    shutil.rmtree(site / "sp")  # the Trakstar clone: not needed by the mock, the CLI or the plugin

    assert "serve" in sh(venv / "bin" / "mock-entra", "--help")
    project = tmp_path / "their-project"
    project.mkdir()
    (project / "test_their_sp.py").write_text(EXAMPLE)
    out = sh(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert "1 passed" in out
