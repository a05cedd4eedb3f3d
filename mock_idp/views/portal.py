"""The admin center: its sign-in (the tenant's `[admin]` account), its guard and its home page.

The admin's session (`mock_idp.admin_sessions`, its own SameSite=Lax cookie) is separate from
an end user's SSO session (`session["user"]`): signing in here signs nobody in to an application.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from mock_idp import admin_sessions, lockout
from mock_idp.admin.errors import AdminError
from mock_idp.protocol.errors import AccountLocked
from mock_idp.state import get_state
from mock_idp.tenant import Tenant

bp = Blueprint("portal", __name__, url_prefix="/admin")
BAD_CREDENTIALS = "Your account or password is incorrect."
ADMIN_LOCKOUT = "lockout-admin"  # the admin's smart-lockout counter in the shared store


def signed_in_admin() -> str | None:
    """The admin's UPN while it is still the tenant's admin (a reset may change it)."""
    tenant = get_state().tenant
    upn = admin_sessions.current_upn()
    if upn and tenant.admin_upn and upn == tenant.admin_upn.casefold():
        return str(upn)
    return None


def require_admin() -> Response | None:
    """`before_request` of every admin center blueprint except the sign-in pages."""
    if signed_in_admin() is None:
        return redirect(url_for("portal.sign_in", next=request.full_path.rstrip("?")))
    return None


def new_guid() -> str:
    """A lowercase GUID from the mock's ID source (Entra IDs are `_` + GUID)."""
    return get_state().new_id().lstrip("_")


@contextmanager
def changing() -> Iterator[Tenant]:
    """The tenant, locked while a view changes it."""
    tenant = get_state().tenant
    with tenant.lock:
        yield tenant


def page(template_name: str, /, status: int = 200, **context: Any) -> tuple[str, int]:
    state = get_state()
    body = render_template(
        template_name, state=state, tenant=state.tenant, admin=signed_in_admin(), **context
    )
    return body, status


def refused(template_name: str, error: AdminError, /, **context: Any) -> tuple[str, int]:
    """The page being edited again, with what was entered and why it was refused."""
    return page(template_name, error.status, error=error, **context)


def done(message: str, endpoint: str, **values: Any) -> Response:
    """Entra's notification after a change, then the page that shows its result."""
    flash(message)
    return redirect(url_for(endpoint, **values))


@bp.get("/signin")
def sign_in() -> tuple[str, int]:
    return page("portal/signin.html", login="", next=_next_path(), error=None)


@bp.post("/signin")
def sign_in_post() -> Response | tuple[str, int]:
    tenant = get_state().tenant
    login = request.form.get("login", "").strip()
    password = request.form.get("passwd", "")
    upn_ok = bool(tenant.admin_upn) and login.casefold() == tenant.admin_upn.casefold()
    password_ok = hmac.compare_digest(password.encode(), tenant.admin_password.encode())
    if upn_ok:  # the admin's password is guarded by the same smart lockout as everyone's
        state, policy = (
            get_state(),
            lockout.Policy(
                threshold=tenant.lockout_threshold, duration_seconds=tenant.lockout_duration_seconds
            ),
        )
        counter = lockout.Counter.from_json(state.store.get(ADMIN_LOCKOUT, "admin"))
        try:
            lockout.check(counter, now=state.clock(), login=login)
        except AccountLocked as locked:
            return page("portal/signin.html", 429, login=login, next=_next_path(),
                        error=locked.prompt)  # fmt: skip
        counter = (
            lockout.succeeded()
            if password_ok
            else lockout.failed(counter, policy, password, now=state.clock())
        )
        state.store.put(ADMIN_LOCKOUT, "admin", counter.to_json())
    if not (upn_ok and password_ok):
        return page(
            "portal/signin.html", 401, login=login, next=_next_path(), error=BAD_CREDENTIALS
        )
    admin_sessions.start(tenant.admin_upn.casefold())
    return redirect(_next_path() or url_for("portal.home"))


@bp.post("/signout")
def sign_out() -> Response:
    admin_sessions.end()
    return redirect(url_for("portal.sign_in"))


@bp.get("/")
def home() -> Response | tuple[str, int]:
    return require_admin() or page("portal/home.html")


def _next_path() -> str:
    """Only a path on this host: a sign-in must never redirect elsewhere."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return ""
    return target
