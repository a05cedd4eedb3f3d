"""HTTP plumbing for the live benchmarks: a scripted browser, the apps under gunicorn, wrk.

Everything talks to 127.0.0.1/localhost only, and every wait is bounded.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from devserver.processes import App, free_port

ROOT = Path(__file__).resolve().parent.parent
TENANT_ID = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
UPN = "B.Simon@contoso.com"
PASSWORD = "Passw0rd!"
TIMEOUT = 10.0
_FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')
_FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


class FlowError(AssertionError):
    """A sign-in step did not answer as a browser would expect."""


class Browser(requests.Session):
    """A cookie-keeping client. Secure cookies are sent to http://localhost and 127.0.0.1, as
    browsers send them to loopback (a secure context), so the apps' `__Host-` and SameSite=None
    cookies work without TLS. (requests would drop them: it rebuilds the jar per request.)"""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        response = super().request(*args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def browser() -> Browser:
    return Browser()


@dataclass(frozen=True)
class Form:
    action: str
    fields: dict[str, str]


def form_of(page: requests.Response) -> Form:
    action = _FORM_ACTION.search(page.text)
    if action is None:
        raise FlowError(f"{page.url}: no form in a {page.status_code} page: {page.text[:300]}")
    fields = {name: html.unescape(value) for name, value in _FIELD.findall(page.text)}
    return Form(urljoin(page.url, html.unescape(action.group(1))), fields)


def expect(response: requests.Response, status: int) -> requests.Response:
    if response.status_code != status:
        raise FlowError(f"{response.request.method} {response.url}: {response.status_code} "
                        f"{response.headers.get('Location', '')}, "
                        f"expected {status}: {response.text[:300]}")  # fmt: skip
    return response


def start_at_sp(client: requests.Session, sp_url: str) -> str:
    """GET the Sign on URL: the mock's /saml2 URL it redirects to."""
    response = client.get(f"{sp_url}/auth/saml/?namespace=contoso", allow_redirects=False,
                          timeout=TIMEOUT)  # fmt: skip
    return expect(response, 302).headers["Location"]


def sign_in_at_mock(client: requests.Session, saml2_url: str) -> Form:
    """The mock's answer to an AuthnRequest: with a session, the auto-post form at once;
    without one, the password pages first."""
    page = client.get(saml2_url, allow_redirects=False, timeout=TIMEOUT)
    if page.status_code == 302:
        login = expect(
            client.get(urljoin(saml2_url, page.headers["Location"]), timeout=TIMEOUT), 200
        )
        form = form_of(login)
        password = form.action + "/password"
        page = client.post(password, timeout=TIMEOUT, allow_redirects=False,
                           data={**form.fields, "login": UPN, "passwd": PASSWORD})  # fmt: skip
        if 'id="kmsiForm"' in page.text:  # "Stay signed in?": Yes, as most users answer
            kmsi = form_of(expect(page, 200))
            page = client.post(kmsi.action, data=kmsi.fields, timeout=TIMEOUT,
                               allow_redirects=False)  # fmt: skip
    form = form_of(expect(page, 200))
    if "SAMLResponse" not in form.fields:
        raise FlowError(f"{page.url}: a page without a SAMLResponse: {page.text[:300]}")
    return form


def post_to_sp(client: requests.Session, form: Form) -> requests.Response:
    return client.post(form.action, data=form.fields, allow_redirects=False, timeout=TIMEOUT)


def signed_in(client: requests.Session, sp_url: str) -> bool:
    page = client.get(f"{sp_url}/dashboard", allow_redirects=False, timeout=TIMEOUT)
    return page.status_code == 200 and "Signed in as" in page.text


def full_sign_in(client: requests.Session, sp_url: str) -> Form:
    """Sign on URL → mock → ACS → dashboard; the posted form, for replays."""
    form = sign_in_at_mock(client, start_at_sp(client, sp_url))
    response = post_to_sp(client, form)
    if response.status_code != 303:
        raise FlowError(f"ACS answered {response.status_code}: {response.text[:300]}")
    if not signed_in(client, sp_url):
        raise FlowError("the dashboard does not say who is signed in")
    return form


def folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="bench-"))


def sp_app(sp_url: str, idp_url: str, logs: Path, *, workers: int | None,
           env: Mapping[str, str]) -> App:  # fmt: skip
    serve = ["--workers", str(workers)] if workers else []
    return App(name="Trakstar clone", argv=["-m", "sp", "serve", "--seed", *serve], url=sp_url,
               env={"SP_URL": sp_url, "IDP_URL": idp_url, **env},
               log_path=logs / "sp.log")  # fmt: skip


def mock_app(sp_url: str, idp_url: str, logs: Path, *, workers: int,
             env: Mapping[str, str]) -> App:  # fmt: skip
    """The mock as users serve it: `mock-entra serve --workers N`."""
    port = str(urlsplit(idp_url).port)
    argv = ["-m", "mock_idp.cli", "serve", "--port", port, "--sp-url", sp_url, "--url", idp_url,
            "--workers", str(workers)]  # fmt: skip
    # The project's keys (certs/), which the SP's seed trusts, not a keys folder of its own.
    return App(name="mock Entra ID", argv=argv, url=idp_url,
               env={"CERTS_DIR": str(ROOT / "certs"), **env},
               log_path=logs / "mock_idp.log")  # fmt: skip


def prototype_app(logs: Path, *, workers: int) -> App:
    port = free_port()
    return App(name="Flask+signxml prototype",
               argv=["-m", "bench.peers.idp_prototype", str(port), "--workers", str(workers)],
               url=f"http://127.0.0.1:{port}", log_path=logs / "prototype.log")  # fmt: skip


@dataclass(frozen=True)
class WrkResult:
    requests_per_s: float
    not_200: int  # answers that were not the 200 page measured (a redirect counts too)
    cookies: tuple[str, ...]  # each connection's session cookie at the end, for the next run


# One wrk thread per connection, each with its own session cookie, taken from a Set-Cookie as a
# browser would (the mock sends one when the session's ID or persistence changes, and slides a
# persistent cookie hourly); every non-200 is counted, and each thread's last cookie is printed
# for the next run.
_WRK_SCRIPT = """
local cookies = {%s}
local threads = {}
local next_id = 1
function setup(thread)
  thread:set("cookie", cookies[next_id] or "")
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args) bad = 0 end
function request()
  if cookie ~= "" then
    return wrk.format("GET", nil, {Cookie = "idp_session=" .. cookie})
  end
  return wrk.format("GET")
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
  local set = headers["Set-Cookie"]
  if set then
    local value = set:match("idp_session=([^;]+)")
    if value then cookie = value end
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("NOT200 %%d\\n", total))
  for _, thread in ipairs(threads) do io.write("COOKIE " .. thread:get("cookie") .. "\\n") end
end
"""


def wrk(url: str, *, cookies: Sequence[str], seconds: int, connections: int) -> WrkResult:
    """wrk against one URL (loopback only), bounded in time; `cookies`: one mock session per
    connection (empty: no cookie)."""
    if not url.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise ValueError(f"{url}: load goes to loopback only")
    program = shutil.which("wrk")
    if program is None:
        raise RuntimeError("wrk is missing: `scripts/system-deps.sh wrk` installs it")
    script = Path(tempfile.mkdtemp(prefix="bench-wrk-")) / "sessions.lua"
    script.write_text(_WRK_SCRIPT % ", ".join(f'"{c}"' for c in cookies))
    argv = [program, f"-t{connections}", f"-c{connections}", f"-d{seconds}s", "-s", str(script)]
    out = subprocess.run([*argv, url], capture_output=True, text=True, timeout=seconds + 30,
                         check=True).stdout  # fmt: skip
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"NOT200 (\d+)", out)
    if rate is None or bad is None:
        raise RuntimeError(f"wrk said: {out}")
    renewed = tuple(re.findall(r"^COOKIE (\S*)$", out, flags=re.M))
    return WrkResult(float(rate.group(1)), int(bad.group(1)), renewed)
