"""The commands of the quick starts (docs/index.md, own-sp.md, trainer.md, ci.md), run as shown."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from devserver.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"


def shell(command: str, env: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """The documented line, through bash, from the checkout, as a reader would type it."""
    return subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=False, **kwargs,  # type: ignore[call-overload]
    )  # fmt: skip


@pytest.mark.docs_command(".venv/bin/flask --app sp org reset fabrikam --yes")
def test_the_trainers_reset_starts_fabrikam_over(sp_app: Flask, tmp_path: Path) -> None:
    """The seeded clone (in-process) and the documented line (a real shell) share the database."""
    cli = sp_app.test_cli_runner()
    added = cli.invoke(args=["people", "add", "fabrikam", "B.Simon@contoso.com", "--name",
                             "Britta Simon", "--active"])  # fmt: skip
    assert added.exit_code == 0, added.output
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'sp.sqlite3'}"}

    result = shell(".venv/bin/flask --app sp org reset fabrikam --yes", env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("fabrikam: ")
    people = cli.invoke(args=["people", "list", "fabrikam"]).output
    assert "admin@fabrikam.com" in people
    assert "B.Simon@contoso.com" not in people


@pytest.mark.docs_command(
    "scripts/system-deps.sh python3-venv xmlsec1 chromium chromium-headless-shell curl jq"
)
def test_the_ci_prerequisites_are_all_there_after_the_script() -> None:
    result = shell(
        "scripts/system-deps.sh python3-venv xmlsec1 chromium chromium-headless-shell curl jq",
        {**os.environ},
    )

    assert result.returncode == 0, result.stderr
    for tool in ("xmlsec1", "curl", "jq"):
        assert subprocess.run(["bash", "-c", f"command -v {tool}"], check=False).returncode == 0


def test_without_root_the_script_names_what_to_install_and_installs_nothing(
    tmp_path: Path,
) -> None:
    """A developer's machine: no curl or jq, not root. Nothing is run with apt-get."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "python3"):  # the system's, not a version manager's shim
        (bin_dir / tool).symlink_to(shutil.which(tool, path="/usr/bin:/bin") or sys.executable)
    (bin_dir / "id").write_text("#!/bin/bash\necho 1000\n")
    (bin_dir / "apt-get").write_text(f"#!/bin/bash\ntouch {tmp_path / 'apt-ran'}\n")
    for stub in ("id", "apt-get"):
        (bin_dir / stub).chmod(0o755)

    result = subprocess.run(
        [str(bin_dir / "bash"), str(ROOT / "scripts" / "system-deps.sh"), "python3-venv", "curl",
         "jq"], env={"PATH": str(bin_dir)}, capture_output=True, text=True, timeout=30,
        check=False,
    )  # fmt: skip

    assert result.returncode == 1
    assert "Install them with: sudo apt-get install curl jq" in result.stderr
    assert not (tmp_path / "apt-ran").exists()


def _lines(stream: object) -> Iterator[str]:
    yield from iter(stream.readline, "")  # type: ignore[attr-defined]


@pytest.mark.docs_command("make run")
def test_make_run_prints_the_banner_serves_both_apps_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    sp_url, idp_url = f"http://localhost:{free_port()}", f"http://127.0.0.1:{free_port()}"
    env = {**os.environ, "SP_URL": sp_url, "IDP_URL": idp_url,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'sp.sqlite3'}"}  # fmt: skip
    run = subprocess.Popen(
        ["bash", "-c", "make run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in _lines(run.stdout):
            lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    banner: list[str] = []
    try:
        deadline = time.monotonic() + 90
        while not any("Ctrl-C stops both." in line for line in banner):
            banner.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
        text = "".join(banner)

        assert f"{sp_url}/auth/saml/?namespace=contoso" in text
        assert "B.Simon@contoso.com / Passw0rd!" in text
        assert "admin@fabrikam.com / Adm1n-Passw0rd!" in text  # the tutorial's administrator
        assert f"{idp_url}/admin/" in text
        with urllib.request.urlopen(f"{sp_url}/login", timeout=10) as page:
            assert "Sign in with SSO" in page.read().decode()
    finally:
        os.killpg(run.pid, signal.SIGINT)  # Ctrl-C in the terminal: the whole foreground group
        run.wait(timeout=30)
    reader.join(timeout=30)  # everything printed until the end of the output
    rest = []
    while not lines.empty():
        rest.append(lines.get())
    assert run.stdout is not None
    run.stdout.close()

    assert "Stopping both apps" in "".join(rest)
    for url in (f"{sp_url}/login", f"{idp_url}/admin/"):
        with pytest.raises(urllib.error.URLError, match="[Rr]efused"):
            urllib.request.urlopen(url, timeout=5)
