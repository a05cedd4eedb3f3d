"""Two guards around every SP response: only our own host names, and headers against framing.

Host: a DNS-rebinding page resolves its own name to 127.0.0.1 and then reads our pages as
same-origin; it cannot make the browser send our host name, so answering only the host of the
configured URL and the loopback names closes that door (a 400 otherwise, test mode included).

Headers: no page of Trakstar may be framed (a hidden iframe could drive Settings or People), no
response is content-sniffed, and no page sends its address to another site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from sp.config import LOOPBACK_HOSTS

CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def allowed_hosts(base_url: str) -> frozenset[str]:
    """The configured URL's host name and the loopback names, lowercase, without port."""
    return frozenset({(urlsplit(base_url).hostname or "").lower(), *LOOPBACK_HOSTS})


def host_name(host: str) -> str | None:
    """`Host` without its port (`[::1]:8000` → `::1`), or None when it does not parse."""
    try:
        return urlsplit(f"//{host}").hostname
    except ValueError:  # an unbalanced `[`
        return None


def install(app: Flask, base_url: str) -> None:
    hosts = allowed_hosts(base_url)

    @app.before_request
    def only_our_host_names() -> None:
        name = host_name(request.environ.get("HTTP_HOST") or request.environ.get("SERVER_NAME", ""))
        if name not in hosts:
            raise BadRequest(
                "This server answers only to its own address "
                f"({', '.join(sorted(h for h in hosts if h))})."
            )

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
