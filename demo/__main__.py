"""`python -m demo` (`make demo`): the seed tutorial from an empty tenant, as a storyboard.

Starts both apps on free loopback ports (an empty Entra tenant, a new Trakstar database, the
tracer on), walks the tutorial in Chromium (headless; HEADED=1 to watch) and writes an offline
HTML page with one screenshot per step to `instance/storyboard/` (or `--out`).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from demo.storyboard import Storyboard
from demo.walk import CAPTIONS, Detours, Target, walk
from devserver.processes import ROOT, StartError, both_apps, free_port, start_all, stop_all
from e2e.conftest import CHROMIUM_FLAGS, system_chromium

DEFAULT_OUT = ROOT / "instance" / "storyboard"
EMPTY_TENANT = ROOT / "mock_idp" / "tenants" / "empty.toml"
TITLE = "Trakstar and Microsoft Entra ID: single sign-on, step by step"
SUMMARY = (
    "The seed tutorial walked from an empty tenant by make demo: every step as a screenshot, "
    "the AuthnRequest and the Response decoded and annotated as they travel, the final claims."
)


def storyboard(
    browser: Browser, target: Target, out: Path, downloads: Path, detours: Detours | None = None
) -> Path:
    """Walk the tutorial against running apps and write the storyboard; the page's path."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    board = Storyboard(folder=out, captions=CAPTIONS)
    walk(browser, target, board, downloads=downloads, detours=detours)
    return board.write(title=TITLE, summary=SUMMARY)


def run(out: Path, *, headed: bool) -> Path:
    """Start both apps (empty tenant, new database, tracer on), then `storyboard`."""
    with tempfile.TemporaryDirectory(prefix="demo-") as scratch:
        folder = Path(scratch)
        target = Target(
            sp_url=f"http://localhost:{free_port()}",
            idp_url=f"http://127.0.0.1:{free_port()}",
            database=folder / "sp.sqlite3",
        )
        apps = both_apps(
            sp_url=target.sp_url,
            idp_url=target.idp_url,
            log_dir=folder,
            env={
                "DATABASE_URL": f"sqlite:///{target.database}",
                "MOCK_IDP_TENANT": str(EMPTY_TENANT),
                "MOCK_IDP_TRACE": "1",
                "MOCK_IDP_STEP": "",
                "SP_SECRET_KEY": secrets.token_hex(16),
                "MOCK_IDP_SECRET_KEY": secrets.token_hex(16),
            },
        )
        start_all(apps)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=system_chromium(headless=not headed),
                    headless=not headed,
                    args=CHROMIUM_FLAGS,
                )
                try:
                    return storyboard(browser, target, out, downloads=folder)
                finally:
                    browser.close()
        finally:
            stop_all(apps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="storyboard folder")
    args = parser.parse_args(argv)
    headed = os.environ.get("HEADED", "") in ("1", "true", "yes")
    started = time.monotonic()
    try:
        page = run(args.out, headed=headed)
    except StartError as exc:
        print(f"make demo: {exc}", file=sys.stderr)
        return 1
    files = list(args.out.iterdir())
    size = sum(f.stat().st_size for f in files)
    print(
        f"make demo: storyboard {page} ({len(files)} files, {size / 1e6:.1f} MB) "
        f"in {time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
