"""`/{tenant}/saml2` and the sign-in pages: Entra's sign-in and sign-out, step by step.

Errors are raised, never rendered here: `views/errors.py` turns each AADSTS error into Entra's
error page, the sign-in step shown again, or an error Response posted to the ACS.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from mock_idp import request_checks, slo, sso
from mock_idp.faults import runtime as faults
from mock_idp.protocol import errors
from mock_idp.protocol.authn_request import decode_post, decode_redirect
from mock_idp.protocol.claims import PASSWORD_METHOD
from mock_idp.protocol.logout import message_type
from mock_idp.sessions import PendingSignIn, SignedInUser, signed_in_as
from mock_idp.state import IdpState, get_state

bp = Blueprint("saml2", __name__)


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
    if "SAMLResponse" in request.args and "SAMLRequest" not in request.args:
        return _logout_answered(state)
    received = request_checks.Received(
        xml=decode_redirect(request.args.get("SAMLRequest")),
        binding="redirect",
        raw_query=request.query_string,
        relay_state=request.args.get("RelayState"),
        login_hint=request.args.get("login_hint", ""),
    )
    if message_type(received.xml) == "LogoutRequest":
        return _logout(state, received)
    return _continue(state, request_checks.receive(state.tenant, received))


@bp.post("/<tenant>/saml2")
def saml2_post(tenant: str) -> Response | str:
    """HTTP-POST binding: AuthnRequests only (a POSTed LogoutRequest is 75005, as Entra)."""
    state = tenant_state(tenant)
    received = request_checks.Received(
        xml=decode_post(request.form.get("SAMLRequest")),
        binding="post",
        relay_state=request.form.get("RelayState"),
        login_hint=request.args.get("login_hint", ""),
    )
    return _continue(state, request_checks.receive(state.tenant, received))


def _continue(state: IdpState, pending: PendingSignIn) -> Response | str:
    """Reuse the mock's session unless ForceAuthn; IsPassive never shows a page."""
    session["pending"] = pending.to_session()
    signed_in = sso.current_user(state.tenant, session.get("user"))
    if sso.reuse_session(pending, signed_in):
        assert signed_in is not None  # reuse_session says so
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
    user = sso.find_user(state.tenant, request.form.get("login", "").strip())
    return render_template("password.html", tenant=state.tenant, login=user.upn, error=None)


@bp.post("/<tenant>/login/password")
def sign_in_password(tenant: str) -> Response | str:
    state = tenant_state(tenant)
    form = request.form
    user = sso.authenticate(state.tenant, form.get("login", ""), form.get("passwd", ""))
    faults.choose(form.get("scenario"))  # test mode's Scenario menu; ignored otherwise
    if user.mfa:
        session["mfa"] = user.object_id  # password done; the second factor is next
        return render_template("mfa.html", tenant=state.tenant, login=user.upn, error=None)
    return _signed_in(state, user.object_id, (PASSWORD_METHOD,))


@bp.post("/<tenant>/login/mfa")
def sign_in_mfa(tenant: str) -> Response | str:
    state = tenant_state(tenant)
    user = state.tenant.users.get(session.get("mfa", ""))
    if user is None:
        return redirect(url_for("saml2.sign_in", tenant=state.tenant.tenant_id))
    methods = sso.verify_code(user, request.form.get("otc", ""))
    session.pop("mfa", None)
    return _signed_in(state, user.object_id, methods)


def _signed_in(state: IdpState, object_id: str, methods: tuple[str, ...]) -> Response | str:
    previous = sso.current_user(state.tenant, session.get("user"))
    signed_in = signed_in_as(previous, object_id, now=state.clock(), methods=methods)
    session["user"] = signed_in.to_session()
    return _issue(state, signed_in)


def _issue(state: IdpState, signed_in: SignedInUser) -> Response | str:
    data = session.pop("pending", None)
    pending = PendingSignIn.from_session(data) if data else None
    app = state.tenant.apps.get(pending.app_id) if pending else None
    user = state.tenant.users.get(signed_in.object_id)
    if pending is None or app is None or user is None:  # signed in, but no request to answer
        return redirect(session.pop("after_sign_in", None) or url_for("home.index"))  # My Apps
    sso.admit(app, user, pending, signed_in)
    form = sso.issue(
        state.tenant,
        app,
        user,
        pending,
        signed_in,
        now=state.clock(),
        new_id=state.new_id,
        deliver=faults.delivery_for(app.app_id),  # Entra's own unless a fault case is chosen
    )
    session["user"] = signed_in.joined(form.participant).to_session()
    return render_template("post.html", form=form)


def _logout(state: IdpState, received: request_checks.Received) -> Response | str:
    """An SP's LogoutRequest: once accepted, the session ends, whatever happens next (ED-slo)."""
    signed_in = sso.current_user(state.tenant, session.get("user"))
    chain = slo.begin(state.tenant, received, signed_in)
    for key in ("user", "pending", "mfa"):
        session.pop(key, None)
    return _logout_next(state, chain)


def _logout_answered(state: IdpState) -> Response | str:
    xml = decode_redirect(request.args.get("SAMLResponse"))
    data = session.get("slo")
    chain = slo.answered(slo.LogoutChain.from_session(data) if data else None, xml)
    return _logout_next(state, chain)


def _logout_next(state: IdpState, chain: slo.LogoutChain) -> Response | str:
    step = slo.next_step(state.tenant, chain, now=state.clock(), new_id=state.new_id)
    if step.chain is None:
        session.pop("slo", None)
    else:
        session["slo"] = step.chain.to_session()
    if step.url is None:
        return render_template("signed_out.html", tenant=state.tenant)
    return redirect(step.url)
