"""Trakstar's SSO endpoints: `/auth/saml/` (Sign on URL) and `/auth/saml/callback` (ACS)."""

from __future__ import annotations

import secrets

from flask import Blueprint, g, redirect, request
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from sp import acs_checks, sessions, sso, web_session
from sp.db import get_db
from sp.members import Member
from sp.saml import errors, tracker
from sp.sessions import SsoSession
from sp.state import get_state

bp = Blueprint("auth", __name__)


@bp.get("/auth/saml/")
def sign_on() -> Response:
    return _start(request.args.get("namespace"), request.args.get("next"))[0]


@bp.post("/account/link-microsoft")
@login_required
def link_microsoft() -> Response:
    """ "Link your Microsoft account": an SP-initiated sign-in whose result binds to the person
    of this session (a password holder is never claimed by a first assertion otherwise)."""
    response, request_id = _start(current_user.namespace, "/dashboard")
    sessions.remember_link_request(get_db(), web_session.token() or "", request_id)
    return response


def _start(namespace: str | None, return_to: str | None) -> tuple[Response, str]:
    """Redirect to Entra with a new AuthnRequest bound to this browser; and its ID."""
    state = get_state()
    cookie = tracker.cookie_name(state.config.secure_cookies)
    browser_key = request.cookies.get(cookie) or tracker.new_browser_key()
    login = sso.start(
        get_db(),
        state.clients,
        state.config,
        namespace=namespace,
        browser_key=browser_key,
        return_to=return_to,
        now=state.clock(),
    )
    response = redirect(login.url)
    # SameSite=None: the cookie must ride along on Entra's cross-site POST to the ACS.
    response.set_cookie(
        cookie,
        browser_key,
        max_age=state.config.pending_ttl_seconds,
        secure=state.config.secure_cookies,
        httponly=True,
        samesite="None",
        path="/",
    )
    return response, login.request_id


@bp.post("/auth/saml/callback")
def callback() -> Response:
    trace = acs_checks.Trace(attempt_id=secrets.token_hex(6))
    g.sso_attempt_id = trace.attempt_id  # a refusal's page shows this id, and links its checks
    signed_in = _finish(trace, *_posted_response())
    person = signed_in.person  # as this sign-in found it: active, in this organisation
    member = Member(
        id=person.id,
        email=person.email,
        name=person.name,
        namespace=signed_in.namespace,
        is_admin=person.is_admin,
        active=True,
    )
    web_session.sign_in(
        member,
        sso=SsoSession(
            namespace=signed_in.namespace,
            name_id=signed_in.name_id,
            session_index=signed_in.session_index,
            claims=signed_in.claims,
            attempt_id=trace.attempt_id,
        ),
    )
    return redirect(signed_in.return_to, code=303)


def _finish(
    trace: acs_checks.Trace, saml_response: str | None, refused: errors.SsoError | None
) -> sso.SignedIn:
    """`sso.finish`, its checks saved under the attempt id whatever the outcome."""
    state, db = get_state(), get_db()
    outcome = "error"
    try:
        signed_in = sso.finish(
            db,
            state.clients,
            state.config,
            namespace=request.args.get("namespace"),
            saml_response=saml_response,
            refused=refused,
            browser_key=request.cookies.get(tracker.cookie_name(state.config.secure_cookies)),
            now=state.clock(),
            trace=trace,
        )
        outcome = "signed-in"
        return signed_in
    except errors.SsoError as error:
        outcome = type(error).__name__
        raise
    finally:
        if trace.organisation_id is not None:  # an unknown namespace has no one to show it to
            acs_checks.save(
                db,
                trace,
                organisation_id=trace.organisation_id,
                person_id=trace.person_id if outcome == "signed-in" else None,
                outcome=outcome,
                now=state.clock(),
            )


def _posted_response() -> tuple[str | None, errors.SsoError | None]:
    """The SAMLResponse field, or why the body is refused (after the pending request is spent)."""
    if request.mimetype != "application/x-www-form-urlencoded":
        return None, errors.MalformedResponse(f"ACS body of type {request.mimetype!r}")
    try:
        values = request.form.getlist("SAMLResponse")
    except RequestEntityTooLarge:
        return None, errors.OversizedResponse(f"POST body of {request.content_length} bytes")
    if len(values) > 1:
        return None, errors.MalformedResponse(f"{len(values)} SAMLResponse fields")
    return (values[0] if values else None), None
