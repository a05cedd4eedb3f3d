"""Benchmarks with real processes and a real browser: cold start and one full login."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stats import Result, paired
from devserver.processes import App, both_apps, free_port, start_all, stop_all

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _apps(folder: Path) -> list[App]:
    database = folder / f"sp-{time.monotonic_ns()}.sqlite3"
    idp, sp = both_apps(
        sp_url=f"http://localhost:{free_port()}",
        idp_url=f"http://127.0.0.1:{free_port()}",
        log_dir=folder,
        env={
            "DATABASE_URL": f"sqlite:///{database}",
            "SP_SECRET_KEY": "bench",
            "MOCK_IDP_SECRET_KEY": "bench",
        },
    )
    return [idp, sp]


def cold_start() -> Result:
    """Both apps from process start to answering vs a bare `python -c 'import flask'`."""
    folder = Path(tempfile.mkdtemp(prefix="bench-"))

    def harness() -> None:
        apps = _apps(folder)
        start_all(apps)
        stop_all(apps)

    def import_flask() -> None:
        subprocess.run([sys.executable, "-c", "import flask"], check=True)

    return paired(
        "both apps: start to ready",
        harness,
        "python -c 'import flask'",
        import_flask,
        rounds=5,
        repeat=1,
    )


def browser_login() -> Result:
    """One SP-initiated login in a fresh Chromium context vs opening one page in one."""
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    apps = _apps(folder)
    start_all(apps)
    sp_url = apps[1].url
    try:
        with sync_playwright() as pw:
            executable = shutil.which("chromium")
            browser = pw.chromium.launch(executable_path=executable, args=FLAGS)

            def login() -> None:
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{sp_url}/auth/saml/?namespace=contoso")
                page.get_by_label("Email, phone, or Skype").fill("B.Simon@contoso.com")
                page.get_by_role("button", name="Next").click()
                page.get_by_label("Password").fill("Passw0rd!")
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(f"{sp_url}/dashboard")
                assert "Signed in as" in page.inner_text("#whoami")
                context.close()

            def one_page() -> None:
                context = browser.new_context()
                context.new_page().goto(f"{sp_url}/login")
                context.close()

            result = paired(
                "browser: full SSO login, fresh context",
                login,
                "browser: one page, fresh context",
                one_page,
                rounds=5,
                repeat=4,
            )
            browser.close()
            return result
    finally:
        stop_all(apps)
