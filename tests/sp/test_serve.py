"""`python -m sp serve --workers N`: the SP under gunicorn on PostgreSQL, against the mock under
gunicorn, over real HTTP on loopback. Every worker shares the database (pending requests,
replay cache) and one secret key; a replayed response is refused whichever worker it reaches."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench import web
from devserver.processes import App, free_port, start_all, stop_all
from tests.postgres import postgres_server, postgres_url  # noqa: F401

SERVE = "python -m sp serve --seed --workers 2"


@pytest.fixture
def served(postgres_url: str, tmp_path: Path) -> Iterator[str]:  # noqa: F811
    sp_url, idp_url = f"http://localhost:{free_port()}", f"http://127.0.0.1:{free_port()}"
    env = {"DATABASE_URL": postgres_url, "MOCK_IDP_STORE": str(tmp_path / "mock.sqlite3")}
    saved = os.environ.pop("SP_SECRET_KEY", None)  # the kept instance/secret_key, not a var
    apps: list[App] = [
        web.mock_app(sp_url, idp_url, tmp_path, workers=2, env=env),
        App(name="SP", argv=SERVE.split()[1:], url=sp_url, log_path=tmp_path / "sp.log",
            env={"SP_URL": sp_url, "IDP_URL": idp_url, **env}),
    ]  # fmt: skip
    try:
        start_all(apps, timeout=90)
        yield sp_url
    finally:
        stop_all(apps)
        if saved is not None:
            os.environ["SP_SECRET_KEY"] = saved


@pytest.fixture
def browsers() -> Iterator[Callable[[], web.Browser]]:
    """New scripted browsers, each closed (with its connections) at the end."""
    opened: list[web.Browser] = []

    def new() -> web.Browser:
        opened.append(web.browser())
        return opened[-1]

    yield new
    for browser in opened:
        browser.close()


@pytest.mark.docs_command("python -m sp serve --seed --workers 2")
def test_sign_ins_through_two_workers_and_every_replay_is_refused(
    served: str, browsers: Callable[[], web.Browser]
) -> None:
    for _ in range(4):
        browser = browsers()
        form = web.full_sign_in(browser, served)  # raises unless the dashboard greets us

        # Each request is a new connection: they spread over both workers, which share the
        # secret key (the session cookie works on every one) and the database.
        assert all(web.signed_in(browser, served) for _ in range(6))
        for replayer in (browser, browsers()):
            again = web.post_to_sp(replayer, form)
            assert again.status_code == 403 and "Single sign-on failed" in again.text
        assert not web.signed_in(browsers(), served)


def test_serve_refuses_a_bad_worker_count() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "sp", "serve", "--workers", "0"],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "SP_URL": f"http://localhost:{free_port()}", "SP_SECRET_KEY": "t",
             "DATABASE_URL": "sqlite:///" + str(Path(os.environ.get("TMPDIR", "/tmp")) / "w0.db")},
    )  # fmt: skip
    assert result.returncode == 2 and "--workers 0: choose 1 to 64" in result.stderr
