"""Benchmarks with real processes, over HTTP and in a real browser, each against a peer run
alongside: the IdP's signed responses per second, a warm sign-in (HTTP and browser), and the
cold start. Loopback only; every load and wait is bounded."""

from __future__ import annotations

import base64
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench import web
from bench.stats import Goal, Row, paired, ratio_row
from devserver.processes import App, both_apps, free_port, start_all, stop_all

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ENV = {"SP_SECRET_KEY": "bench", "MOCK_IDP_SECRET_KEY": "bench"}


def _urls() -> tuple[str, str]:
    return f"http://localhost:{free_port()}", f"http://127.0.0.1:{free_port()}"


def _dev_apps(logs: Path) -> tuple[App, App, str, str]:
    """Both apps exactly as `make run` starts them (Werkzeug, threaded, the tracer on)."""
    sp_url, idp_url = _urls()
    env = {**ENV, "MOCK_IDP_TRACE": "1",
           "DATABASE_URL": f"sqlite:///{logs / f'sp-{time.monotonic_ns()}.sqlite3'}"}  # fmt: skip
    idp, sp = both_apps(sp_url=sp_url, idp_url=idp_url, log_dir=logs, env=env)
    return idp, sp, sp_url, idp_url


def _chain_apps(logs: Path) -> tuple[list[App], str]:
    sp_port, idp_port = free_port(), free_port()
    sp_url, idp_url = f"http://127.0.0.1:{sp_port}", f"http://127.0.0.1:{idp_port}"
    chain = "bench.peers.chain"
    apps = [
        App(name="chain SP", argv=["-m", chain, "sp", str(sp_port), idp_url], url=sp_url,
            log_path=logs / "chain-sp.log"),
        App(name="chain IdP", argv=["-m", chain, "idp", str(idp_port), sp_url], url=idp_url,
            log_path=logs / "chain-idp.log"),
    ]  # fmt: skip
    return apps, sp_url


def _chain_http(sp_url: str) -> Callable[[], None]:
    def run() -> None:
        client = web.browser()
        page = client.get(f"{sp_url}/login", timeout=web.TIMEOUT)  # 3 hops to the form
        form = web.form_of(web.expect(page, 200))
        home = client.post(form.action, data=form.fields, timeout=web.TIMEOUT)  # ACS → /home
        if "signed in" not in home.text:
            raise web.FlowError("the trivial chain did not sign in")

    return run


def _warm_sign_in(sp_url: str, mock_cookie: str, mock_host: str) -> Callable[[], None]:
    """A browser with a live session at the mock and none at the SP: Sign on URL → /saml2 (the
    auto-post form at once) → ACS → dashboard. Should the mock send a new session cookie, each
    run hands it to the next, as a browser would."""
    cookie = [mock_cookie]

    def run() -> None:
        client = web.browser()
        client.cookies.set("idp_session", cookie[0], domain=mock_host, path="/")
        saml2 = client.get(web.start_at_sp(client, sp_url), allow_redirects=False,
                           timeout=web.TIMEOUT)  # fmt: skip
        form = web.form_of(web.expect(saml2, 200))  # 200 at once: the mock's session is live
        response = web.post_to_sp(client, form)
        if response.status_code != 303 or not web.signed_in(client, sp_url):
            raise web.FlowError(f"ACS answered {response.status_code}: {response.text[:300]}")
        cookie[0] = client.cookies.get("idp_session", domain=mock_host) or cookie[0]
        client.close()

    return run


def http_sign_in() -> Row:
    logs = web.folder()
    idp, sp, sp_url, idp_url = _dev_apps(logs)
    chain, chain_sp = _chain_apps(logs)
    start_all([idp, sp, *chain], timeout=60)
    try:
        first = web.browser()
        web.full_sign_in(first, sp_url)  # the cold one: signs in at the mock
        cookie = first.cookies.get("idp_session", domain="127.0.0.1")
        assert cookie
        result = paired("ours", _warm_sign_in(sp_url, cookie, "127.0.0.1"),
                        "5 requests, two trivial Flask apps", _chain_http(chain_sp),
                        rounds=7, repeat=5)  # fmt: skip
    finally:
        stop_all([idp, sp, *chain])
    return ratio_row(
        result,
        "warm HTTP sign-in (Sign on URL → /saml2 → ACS → dashboard) vs the same hops between "
        "two trivial Flask apps",
        Goal("<=", 2.5, "≤ 2.5×"),
    )


def browser_sign_in() -> Row:
    from playwright.sync_api import sync_playwright

    logs = web.folder()
    idp, sp, sp_url, _idp_url = _dev_apps(logs)
    chain, chain_sp = _chain_apps(logs)
    start_all([idp, sp, *chain], timeout=60)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
            ours_context, floor_context = browser.new_context(), browser.new_context()
            ours_page, floor_page = ours_context.new_page(), floor_context.new_page()
            ours_page.goto(f"{sp_url}/auth/saml/?namespace=contoso")  # cold: sign in once
            ours_page.get_by_label("Email, phone, or Skype").fill(web.UPN)
            ours_page.get_by_role("button", name="Next").click()
            ours_page.get_by_label("Password").fill(web.PASSWORD)
            ours_page.get_by_role("button", name="Sign in").click()
            ours_page.wait_for_selector("#kmsiForm, #whoami")
            if ours_page.locator("#kmsiForm").count():  # "Stay signed in?": Yes
                ours_page.get_by_role("button", name="Yes").click()
            ours_page.wait_for_url(f"{sp_url}/dashboard")

            def ours() -> None:
                ours_context.clear_cookies(domain="localhost")  # signed out at the SP only
                ours_page.goto(f"{sp_url}/auth/saml/?namespace=contoso")
                ours_page.wait_for_url(f"{sp_url}/dashboard")
                assert "Signed in as" in ours_page.inner_text("#whoami")

            def floor() -> None:
                floor_context.clear_cookies()
                floor_page.goto(f"{chain_sp}/login")
                floor_page.wait_for_url(f"{chain_sp}/home")
                assert "signed in" in floor_page.inner_text("body")

            result = paired("ours", ours, "3 redirects + auto-POST, trivial apps", floor,
                            rounds=7, repeat=4)  # fmt: skip
            browser.close()
    finally:
        stop_all([idp, sp, *chain])
    return ratio_row(
        result,
        "browser sign-in, warm context, vs a 3-redirect + auto-POST browser floor",
        Goal("<=", 2.5, "≤ 2.5×"),
    )


def cold_start() -> Row:
    """`make run`'s two apps from process start to both answering vs a minimal Flask app's
    first 200 (`app.run`, the same server). The apps' bytecode is compiled first, as `make
    setup` leaves it (where PYTHONDONTWRITEBYTECODE is set, Python would not write it)."""
    import compileall

    for package in ("sp", "mock_idp", "serving", "devserver", "certs", "bench"):
        compileall.compile_dir(web.ROOT / package, quiet=1)
    logs = web.folder()

    def harness() -> None:
        idp, sp, _sp_url, _idp_url = _dev_apps(logs)
        start_all([idp, sp], timeout=60)
        stop_all([idp, sp])

    def minimal() -> None:
        port = free_port()
        app = App(name="minimal Flask", argv=["-m", "bench.peers.chain", "minimal", str(port)],
                  url=f"http://127.0.0.1:{port}", log_path=logs / "minimal.log")  # fmt: skip
        start_all([app], timeout=30)
        stop_all([app])

    result = paired("ours", harness, "minimal Flask app", minimal, rounds=5, repeat=1)
    return ratio_row(
        result,
        "cold start: both apps answering vs a minimal Flask app's first 200",
        Goal("<=", 3.0, "≤ 3×"),
    )


def idp_throughput(seconds: int = 4, rounds: int = 3) -> Row:
    """Signed responses per second over HTTP, both under gunicorn -w 2, wrk -c 4 on loopback:
    the mock answering an AuthnRequest for a signed-in user vs the minimal prototype."""
    from bench.inprocess import authn_request_url

    logs = web.folder()
    sp_url, idp_url = _urls()
    store = {"MOCK_IDP_STORE": str(logs / "mock-store.sqlite3")}
    mock = web.mock_app(sp_url, idp_url, logs, workers=2, env={**ENV, **store})
    prototype = web.prototype_app(logs, workers=2)
    start_all([mock, prototype], timeout=60)
    try:
        ours_url = authn_request_url(sp_url, idp_url)
        peer_url = prototype.url + ours_url.removeprefix(idp_url)
        _check_signed(web.browser().get(peer_url, timeout=web.TIMEOUT).text)
        ours_rates, peer_rates, ratios = [], [], []
        for _ in range(rounds):
            peer = web.wrk(peer_url, cookies=[], seconds=seconds, connections=4)
            # Four browsers signed in afresh each round, each on its own connection.
            sessions = [_mock_session(ours_url) for _ in range(4)]
            ours = web.wrk(ours_url, cookies=sessions, seconds=seconds, connections=4)
            if ours.not_200 or peer.not_200:
                raise RuntimeError(f"answers other than 200: ours {ours.not_200}, "
                                   f"peer {peer.not_200}")  # fmt: skip
            ours_rates.append(ours.requests_per_s)
            peer_rates.append(peer.requests_per_s)
            ratios.append(ours.requests_per_s / peer.requests_per_s)
    finally:
        stop_all([mock, prototype])
    ours_median, ratio = statistics.median(ours_rates), statistics.median(ratios)
    return web_row(ours_median, statistics.median(peer_rates), ratio)


def _mock_session(saml2_url: str) -> str:
    """A browser signed in at the mock whose next AuthnRequest is answered at once (checked)."""
    client = web.browser()
    web.sign_in_at_mock(client, saml2_url)
    _check_signed(web.expect(client.get(saml2_url, timeout=web.TIMEOUT), 200).text)
    cookie = client.cookies.get("idp_session", domain="127.0.0.1") or ""
    client.close()
    return cookie


def web_row(ours: float, peer: float, ratio: float) -> Row:
    return Row(
        "IdP: signed responses/s over HTTP, gunicorn -w 2, vs a minimal Flask + signxml app",
        f"{ours:,.0f}/s",
        f"{peer:,.0f}/s",
        ratio,
        Goal(">=", 0.8, "≥ 0.8× the prototype and ≥ 1,000/s"),
        extra_ok=ours >= 1000,
    )


def _check_signed(page: str) -> None:
    """The answer is an auto-post page carrying one signed assertion (checked, not assumed)."""
    from lxml import etree

    from sp.saml import signature_backend

    fields = dict(web._FIELD.findall(page))
    root = etree.fromstring(base64.b64decode(fields["SAMLResponse"]))
    assertion = root.find("{urn:oasis:names:tc:SAML:2.0:assertion}Assertion")
    assert assertion is not None
    cert = (web.ROOT / "certs" / "idp-signing.crt").read_bytes()
    signature_backend.verify(
        etree.tostring(root),
        cert,
        node_name="urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
        node_id=str(assertion.get("ID")),
    )
