"""Rules every response of the mock follows, whatever view made it.

- Host: only the host name of the mock's configured URL and the loopback names are answered
  (400 otherwise), so a DNS-rebinding page cannot read the test-mode API or a trace.
- No framing (X-Frame-Options and CSP frame-ancestors): a hidden frame cannot drive the admin
  center. Entra's auto-post page needs no exception: it is a top-level page that posts itself.
- X-Content-Type-Options: nosniff, so a download is never run as a page.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Flask, Response, abort, request

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def host_name(host_header: str) -> str:
    """`Host` without its port, brackets off an IPv6 literal, lower case."""
    return (urlsplit(f"//{host_header}").hostname or "").lower()


def allowed_hosts(base_url: str) -> frozenset[str]:
    own = (urlsplit(base_url).hostname or "").lower()
    return LOOPBACK_NAMES | ({own} if own else set())


def install(app: Flask, base_url: str) -> None:
    allowed = allowed_hosts(base_url)

    @functools.lru_cache(maxsize=64)  # a few Host values in practice; bounded all the same
    def known(host: str) -> bool:
        return host_name(host) in allowed

    @app.before_request
    def only_known_hosts() -> None:
        if not known(request.host):
            abort(400, description="This host name is not one this mock Entra ID answers to.")

    @app.after_request
    def security_headers(response: Response) -> Response:
        # A view's own value wins (setdefault); the names present are looked up once, as
        # each `setdefault` of a missing header costs a raised and caught KeyError.
        present = {name.lower() for name, _ in response.headers}
        for name, value in HEADERS.items():
            if name.lower() not in present:
                response.headers.add(name, value)
        return response
