"""`make run STEP=1`, as docs/tracer.md shows it: both apps, the tracer on, step mode on."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from devserver.processes import free_port

ROOT = Path(__file__).resolve().parents[2]


def read_until(process: subprocess.Popen[str], marker: str, timeout: float) -> str:
    """The output up to `marker`, or an assertion error with what came before."""
    assert process.stdout is not None
    stdout = process.stdout
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        try:
            seen += lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
    assert marker in seen, seen
    return seen


@pytest.mark.docs_command("make run STEP=1")
def test_make_run_step_1_starts_with_the_tracer_and_step_mode_on(tmp_path: Path) -> None:
    idp_url = f"http://127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "SP_URL": f"http://localhost:{free_port()}",
        "IDP_URL": idp_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sp.sqlite3'}",
    }
    process = subprocess.Popen(
        ["make", "run", "STEP=1"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        banner = read_until(process, "Ctrl-C stops both.", timeout=90)
        assert f"SAML tracer            {idp_url}/trace/  (step mode on:" in banner
        with urllib.request.urlopen(f"{idp_url}/trace/", timeout=10) as response:
            page = response.read().decode()
        assert "Step mode is on" in page
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        if process.stdout is not None:
            process.stdout.close()
