"""`/{tenant}/saml2` and the sign-in pages: Entra's SP-initiated sign-in, step by step."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from mock_idp import sso
from mock_idp.protocol import errors
from mock_idp.protocol.authn_request import decode_post, decode_redirect
from mock_idp.state import IdpState, get_state

bp = Blueprint("saml2", __name__)

UNKNOWN_USER = (
    "This username may be incorrect. Make sure you typed it correctly. "
    "Otherwise, contact your admin."
)
BAD_PASSWORD = (
    "Your account or password is incorrect. If you don't remember your password, reset it now."
)


def tenant_state(tenant: str) -> IdpState:
    """The tenant in the path may be its ID or its domain, as with Entra."""
    state = get_state()
    if tenant.lower() not in (state.tenant.tenant_id, state.tenant.domain.lower()):
        raise errors.TenantNotFound(
            f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID "
            "and are signing into the correct cloud."
        )
    return state


@bp.get("/<tenant>/saml2")
def saml2_redirect(tenant: str) -> Response | str:
    state = tenant_state(tenant)
    xml = decode_redirect(request.args.get("SAMLRequest"))
    pending = sso.receive(
        state.tenant,
        xml,
        relay_state=request.args.get("RelayState"),
        login_hint=request.args.get("login_hint", ""),
    )
    return _continue(state, pending)


@bp.post("/<tenant>/saml2")
def saml2_post(tenant: str) -> Response | str:
    state = tenant_state(tenant)
    xml = decode_post(request.form.get("SAMLRequest"))
    pending = sso.receive(
        state.tenant,
        xml,
        relay_state=request.form.get("RelayState"),
        login_hint=request.args.get("login_hint", ""),
    )
    return _continue(state, pending)


def _continue(state: IdpState, pending: sso.PendingSignIn) -> Response | str:
    """Reuse the mock's session unless ForceAuthn; otherwise ask the user to sign in."""
    session["pending"] = pending.to_session()
    signed_in = _signed_in(state)
    if signed_in is not None and not pending.force_authn:
        return _issue(state, signed_in)
    return redirect(url_for("saml2.sign_in", tenant=state.tenant.tenant_id))


@bp.get("/<tenant>/login")
def sign_in(tenant: str) -> str:
    state = tenant_state(tenant)
    hint = session.get("pending", {}).get("login_hint", "")
    return render_template("signin.html", tenant=state.tenant, login=hint, error=None)


@bp.post("/<tenant>/login")
def sign_in_username(tenant: str) -> str:
    state = tenant_state(tenant)
    login = request.form.get("login", "").strip()
    try:
        user = sso.find_user(state.tenant, login)
    except errors.UserNotFound:
        return render_template("signin.html", tenant=state.tenant, login=login, error=UNKNOWN_USER)
    return render_template("password.html", tenant=state.tenant, login=user.upn, error=None)


@bp.post("/<tenant>/login/password")
def sign_in_password(tenant: str) -> Response | str:
    state = tenant_state(tenant)
    login = request.form.get("login", "")
    try:
        user = sso.authenticate(state.tenant, login, request.form.get("passwd", ""))
    except (errors.InvalidPassword, errors.UserNotFound):
        return render_template(
            "password.html", tenant=state.tenant, login=login, error=BAD_PASSWORD
        )
    signed_in = sso.SignedInUser(object_id=user.object_id, authn_instant=state.clock())
    session["user"] = signed_in.to_session()
    return _issue(state, signed_in)


def _signed_in(state: IdpState) -> sso.SignedInUser | None:
    data = session.get("user")
    if not data:
        return None
    signed_in = sso.SignedInUser.from_session(data)
    user = state.tenant.users.get(signed_in.object_id)
    return signed_in if user is not None and user.enabled else None


def _issue(state: IdpState, signed_in: sso.SignedInUser) -> Response | str:
    data = session.pop("pending", None)
    if not data:
        return redirect(url_for("home.index"))
    pending = sso.PendingSignIn.from_session(data)
    app = state.tenant.apps.get(pending.app_id)
    user = state.tenant.users.get(signed_in.object_id)
    if app is None or user is None:
        return redirect(url_for("home.index"))
    sso.authorize(app, user)
    form = sso.issue(
        state.tenant, app, user, pending, signed_in, now=state.clock(), new_id=state.new_id
    )
    return render_template("post.html", form=form)
