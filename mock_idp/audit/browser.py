"""A browser over plain HTTP: a cookie jar kept as Chromium keeps it, redirects followed only
between the SP and the mock, and forms submitted as they are.

Two browser rules matter for SAML and are kept: loopback `http://` is a secure context (so
`Secure` and `__Host-` cookies work on a developer's machine), and SameSite — a cross-site POST
(the mock's auto-post form to the ACS) carries no Lax or Strict cookie. Unspecified SameSite
counts as None, as Chromium does for a cookie younger than two minutes ("Lax+POST").
"""

from __future__ import annotations

import http.cookiejar
import ipaddress
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from mock_idp.audit.errors import AuditError

TIMEOUT = 15.0
MAX_REDIRECTS = 10
MAX_BODY = 4 * 1024 * 1024
USER_AGENT = "mock-entra-audit/1 (like Chromium; a SAML security audit)"


class Unreachable(AuditError):
    """Nothing answers at `url` (connection refused, timeout, unknown host)."""

    def __init__(self, url: str, reason: object) -> None:
        super().__init__(f"{origin(url)} does not answer ({reason})")
        self.url = url


@dataclass(frozen=True, kw_only=True, slots=True)
class Answer:
    url: str  # where the browser ended up
    status: int
    text: str
    first_status: int  # the status of the first request, before any redirect
    left_for: str | None = None  # a redirect to a host the audit does not follow


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def site(url: str) -> str:
    """Scheme and registrable part of the host (an approximation of the public suffix list)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        host = ".".join(host.split(".")[-2:])
    return f"{parts.scheme}://{host}"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class _Policy(http.cookiejar.DefaultCookiePolicy):
    """Browser rules the standard library lacks: loopback is secure, SameSite on cross-site."""

    def __init__(self) -> None:
        super().__init__()
        self.cross_site_method: str | None = None  # set for the request being sent

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        if cookie.secure and is_loopback(urlsplit(request.get_full_url()).hostname or ""):
            return True
        return bool(super().return_ok_secure(cookie, request))

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        if not super().return_ok(cookie, request):
            return False
        if self.cross_site_method is None:
            return True
        rest: dict[str, str] = getattr(cookie, "_rest", {})  # attributes it does not model
        same_site = next(
            (str(v).lower() for k, v in rest.items() if k.lower() == "samesite"), "none"
        )
        if same_site == "strict":
            return False
        return not (same_site == "lax" and self.cross_site_method != "GET")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """One browser profile: its cookie jar. `hosts` are the origins it may follow redirects to."""

    def __init__(self, origins: Iterable[str]) -> None:
        self.origins = {origin(o) for o in origins}
        self.policy = _Policy()
        self.jar = http.cookiejar.CookieJar(self.policy)
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def get(self, url: str, *, initiator: str | None = None, follow: bool = True) -> Answer:
        return self._navigate("GET", url, None, initiator=initiator, follow=follow)

    def post(
        self,
        url: str,
        fields: Iterable[tuple[str, str]],
        *,
        initiator: str | None = None,
        follow: bool = True,
    ) -> Answer:
        body = urlencode(list(fields)).encode()
        return self._navigate("POST", url, body, initiator=initiator, follow=follow)

    def _navigate(
        self, method: str, url: str, body: bytes | None, *, initiator: str | None, follow: bool
    ) -> Answer:
        first_status: int | None = None
        for _ in range(MAX_REDIRECTS + 1):
            cross = initiator is not None and site(initiator) != site(url)
            status, location, text = self._send(method, url, body, cross_site=cross)
            first_status = status if first_status is None else first_status
            if not (follow and location and status in (301, 302, 303, 307, 308)):
                return Answer(url=url, status=status, text=text, first_status=first_status)
            target = urljoin(url, location)
            if origin(target) not in self.origins:
                return Answer(
                    url=url, status=status, text=text, first_status=first_status, left_for=target
                )
            if status in (301, 302, 303) and method == "POST":
                method, body = "GET", None
            url = target
        raise AuditError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _send(
        self, method: str, url: str, body: bytes | None, *, cross_site: bool
    ) -> tuple[int, str | None, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "text/html,*/*"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        self.policy.cross_site_method = method if cross_site else None
        try:
            with self._opener.open(request, timeout=TIMEOUT) as reply:
                return reply.status, None, _text(reply.read(MAX_BODY), reply.headers)
        except urllib.error.HTTPError as reply:
            text = _text(reply.read(MAX_BODY), reply.headers)
            location = reply.headers.get("Location")
            reply.close()
            return reply.code, location, text
        except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise Unreachable(url, reason) from exc
        finally:
            self.policy.cross_site_method = None


def _text(raw: bytes, headers: Message) -> str:
    charset = headers.get_content_charset() or "utf-8"
    return raw.decode(charset, errors="replace")
