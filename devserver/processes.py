"""Start an app as a child process, wait until it answers, stop it cleanly."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


class StartError(RuntimeError):
    """An app exited or never answered; the message carries the end of its log."""


def wait_for_http(
    url: str, deadline: float, process: subprocess.Popen[bytes] | None = None
) -> bool:
    """True once `url`'s server answers any HTTP request; False when `process` has exited or
    the deadline (a `time.monotonic()` value) has passed."""
    parts = urlsplit(url)
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=1)
        try:
            conn.request("GET", parts.path or "/")
            conn.getresponse().read()
            return True
        except OSError:
            time.sleep(0.01)  # a poll interval (a refused loopback connect costs ~0.1 ms)
        finally:
            conn.close()  # also when a starting server resets the connection
    return False


@dataclass(kw_only=True)
class App:
    name: str
    argv: Sequence[str]
    url: str
    log_path: Path
    env: Mapping[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log_start: int = 0  # where this run's lines begin in the (appended) log

    def start(self) -> None:
        self._check_port_free()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.log_start = log.tell()
        self.process = subprocess.Popen(
            [sys.executable, *self.argv],
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def _check_port_free(self) -> None:
        """Otherwise the readiness poll would be answered by whatever already listens there."""
        port = urlsplit(self.url).port or 80
        with socket.socket() as sock:
            # As the server binds (werkzeug sets SO_REUSEADDR): a port left in TIME_WAIT by the
            # last run is free for it, only a listener makes it busy.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError as exc:
                raise StartError(
                    f"{self.name}: port {port} of {self.url} is already in use ({exc.strerror}); "
                    "is another `make run` running? Stop it, or choose other URLs with "
                    "SP_URL=… IDP_URL=…"
                ) from exc

    def wait_ready(self, deadline: float) -> None:
        """Poll until the app answers any HTTP request (no fixed sleeps)."""
        if not wait_for_http(self.url, deadline, self.process):
            if self.process is not None and self.process.poll() is not None:
                raise StartError(
                    f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            raise StartError(f"{self.name} did not answer on {self.url}:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def notices(self) -> list[str]:
        """This run's lines the app addressed to the person starting it (`sp: note: …`)."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(self.log_start)
                text = log.read().decode(errors="replace")
        except OSError:
            return []
        return [line for line in text.splitlines() if line.startswith("sp: note: ")]

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def start_all(apps: Sequence[App], *, timeout: float = 30.0) -> None:
    """Start every app at once (they import in parallel), then wait for each."""
    deadline = time.monotonic() + timeout
    try:
        for app in apps:
            app.start()
        for app in apps:
            app.wait_ready(deadline)
    except BaseException:
        stop_all(apps)
        raise


def stop_all(apps: Sequence[App]) -> None:
    for app in apps:
        app.stop()


def free_port() -> int:
    """A port nothing listens on right now, on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def both_apps(
    *, sp_url: str, idp_url: str, log_dir: Path, env: Mapping[str, str], test_mode: bool = False
) -> tuple[App, App]:
    """The mock Entra ID and the Trakstar clone (seeded), started exactly as `make run` does."""
    env = {"SP_URL": sp_url, "IDP_URL": idp_url, **env}
    if test_mode:
        env["SP_TEST_MODE"] = "1"  # the SP's time travel (sp/test_clock.py)
    idp = App(
        name="mock Entra ID",
        argv=["-m", "mock_idp", *(["--test-mode"] if test_mode else [])],
        url=idp_url,
        env=env,
        log_path=log_dir / "mock_idp.log",
    )
    sp = App(
        name="Trakstar clone",
        argv=["-m", "sp", "serve", "--seed"],
        url=sp_url,
        env=env,
        log_path=log_dir / "sp.log",
    )
    return idp, sp
