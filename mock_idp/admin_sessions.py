"""The admin center's session: its own cookie, kept server-side, never sent cross-site.

The end user's SSO cookie must be SameSite=None (Entra's sign-in works from any SP's site); the
admin's must not, or a hidden frame on any page could reset the tenant or delete users. So the
admin session is a separate `idp_admin` cookie (SameSite=Lax, HttpOnly) naming a record in the
store; signing out deletes the record, so a copy of the cookie is dead too.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response, after_this_request, request

from mock_idp.state import get_state

COOKIE = "idp_admin"
KIND = "admin_session"
LIFETIME = timedelta(hours=8)


def current_upn() -> str | None:
    """The UPN this browser signed in to the admin center as, while its session lives."""
    token = request.cookies.get(COOKIE, "")
    if not token:
        return None
    state = get_state()
    record = state.store.get(KIND, token, now=state.clock())
    return str(record["upn"]) if isinstance(record, dict) else None


def start(upn: str) -> None:
    """Sign this browser in as `upn`: a fresh token (any earlier one of this browser ends)."""
    state = get_state()
    _forget(request.cookies.get(COOKIE, ""))
    token = state.tokens.token_urlsafe(32)
    state.store.put(KIND, token, {"upn": upn}, expires=state.clock() + LIFETIME)
    secure = state.config.secure_cookies

    @after_this_request
    def set_cookie(response: Response) -> Response:
        response.set_cookie(COOKIE, token, httponly=True, secure=secure, samesite="Lax", path="/")
        return response


def end() -> None:
    """Sign out: the server forgets the session, so every copy of the cookie is dead."""
    _forget(request.cookies.get(COOKIE, ""))

    @after_this_request
    def delete_cookie(response: Response) -> Response:
        response.delete_cookie(COOKIE, path="/")
        return response


def end_all() -> None:
    """Every admin session ends (the admin's password or UPN changed, or the tenant reset)."""
    get_state().store.clear(KIND)


def _forget(token: str) -> None:
    if token:
        get_state().store.delete(KIND, token)
