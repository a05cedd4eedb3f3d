"""The one accessor of a browser's Entra session: `read` and `write` a typed `BrowserSession`.

Every view of the sign-in path (`/saml2`, the sign-in pages, My Apps, Test this application,
single logout) goes through here instead of reading `flask.session` keys itself. The session
user counts only while the account exists and is enabled, as in Entra.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import session
from flask.sessions import SessionMixin

from mock_idp.sessions import BrowserSession, PendingSignIn, SignedInUser, SignInProgress
from mock_idp.tenant import Tenant

KEYS = ("user", "pending", "progress", "after_sign_in")


def read(tenant: Tenant) -> BrowserSession:
    data = _session()
    return BrowserSession(
        user=_user(tenant, data.get("user")),
        pending=PendingSignIn.from_session(p) if isinstance(p := data.get("pending"), dict)
        else None,
        progress=SignInProgress.from_session(g) if isinstance(g := data.get("progress"), dict)
        else None,
        after_sign_in=data.get("after_sign_in") or None,
        persistent=bool(data.permanent),
    )  # fmt: skip


def write(browser: BrowserSession) -> None:
    values: dict[str, object | None] = {
        "user": browser.user.to_session() if browser.user else None,
        "pending": browser.pending.to_session() if browser.pending else None,
        "progress": browser.progress.to_session() if browser.progress else None,
        "after_sign_in": browser.after_sign_in,
    }
    data = _session()
    # Only what changed is written, so a request that changes nothing saves nothing.
    for key, value in values.items():
        if value is None:
            if key in data:
                data.pop(key)
        elif data.get(key) != value:
            data[key] = value
    # KMSI Yes: a cookie with an expiry (PERMANENT_SESSION_LIFETIME); No: a browser-session cookie.
    permanent = browser.persistent and browser.user is not None
    if data.permanent != permanent:
        data.permanent = permanent


def _session() -> SessionMixin:
    """The request's session itself, looked up once rather than through the proxy each time."""
    current: SessionMixin = session._get_current_object()  # type: ignore[attr-defined]
    return current


def _user(tenant: Tenant, data: object) -> SignedInUser | None:
    if not isinstance(data, Mapping) or not data:
        return None
    signed_in = SignedInUser.from_session(_as_dict(data))
    user = tenant.users.get(signed_in.object_id)
    return signed_in if user is not None and user.enabled else None


def _as_dict(data: Mapping[str, Any]) -> dict[str, Any]:
    return dict(data)
