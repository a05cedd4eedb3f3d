"""`/{tenant}/saml2` and the sign-in pages: Entra's sign-in and sign-out, step by step.

What each step answers is decided in `mock_idp/signin.py`; `views/answer.py` renders it.

Errors are raised, never rendered here: `views/errors.py` turns each AADSTS error into Entra's
error page, the sign-in step shown again, or an error Response posted to the ACS.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, g, redirect, render_template, request, session
from werkzeug.wrappers import Response

from mock_idp import request_checks, signin, slo, sso
from mock_idp.faults import runtime as faults
from mock_idp.protocol import errors
from mock_idp.protocol.authn_request import decode_post, decode_redirect
from mock_idp.protocol.logout import is_logout_request
from mock_idp.sessions import BrowserSession, PendingSignIn
from mock_idp.state import IdpState, get_state
from mock_idp.views import answer, browser

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
    args = request.args
    if "SAMLResponse" in args and "SAMLRequest" not in args:
        return _logout_answered(state)
    received = request_checks.Received(
        xml=decode_redirect(args.get("SAMLRequest")),
        binding="redirect",
        raw_query=request.query_string,
        relay_state=args.get("RelayState"),
        login_hint=args.get("login_hint", ""),
    )
    if is_logout_request(received.xml):
        return _logout(state, received)
    g.signin_attempt = signin.Attempt()  # a sign-in: its failures go to the sign-in logs
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
    g.signin_attempt = signin.Attempt()
    return _continue(state, request_checks.receive(state.tenant, received))


def _continue(state: IdpState, pending: PendingSignIn) -> Response | str:
    """A validated request: the sign-in core decides (session reuse, IsPassive, sign-in pages)."""
    pending = replace(pending, correlation_id=answer.new_guid())
    return answer.apply(signin.start(answer.context(), browser.read(state.tenant), pending))


@bp.get("/<tenant>/login")
def sign_in(tenant: str) -> str:
    state = tenant_state(tenant)
    current = browser.read(state.tenant)
    hint = current.pending.login_hint if current.pending else ""
    return render_template("signin.html", tenant=state.tenant, login=hint, error=None)


@bp.post("/<tenant>/login")
def sign_in_username(tenant: str) -> str:
    """Username page → password page (Entra posts `loginfmt`; older forms `login`)."""
    state = tenant_state(tenant)
    g.signin_attempt = signin.attempt_of(browser.read(state.tenant), login=_typed_login())
    user = sso.find_user(state.tenant, _typed_login())
    return render_template("password.html", tenant=state.tenant, login=user.upn, error=None)


@bp.post("/<tenant>/login/password")
def sign_in_password(tenant: str) -> Response | str:
    state = tenant_state(tenant)
    current = browser.read(state.tenant)
    g.signin_attempt = signin.attempt_of(current, login=_typed_login())
    user = sso.find_user(state.tenant, _typed_login())
    faults.choose(request.form.get("scenario"))  # test mode's Scenario menu; ignored otherwise
    passwd = request.form.get("passwd", "")
    ctx = answer.context()
    return answer.apply(
        signin.password(ctx, current, user.upn, passwd, answer.counter_of(user.object_id))
    )


@bp.post("/<tenant>/login/mfa")
def sign_in_mfa(tenant: str) -> Response | str:
    state = tenant_state(tenant)
    code = request.form.get("otc", "")
    return answer.apply(signin.code(answer.context(), browser.read(state.tenant), code))


@bp.post("/<tenant>/kmsi")
def stay_signed_in(tenant: str) -> Response | str:
    """ "Stay signed in?": Yes (`idSIButton9`) or No (`idBtn_Back`)."""
    state = tenant_state(tenant)
    remember = request.form.get("LoginOptions") == "1"
    ctx = answer.context()
    return answer.apply(signin.stay_signed_in(ctx, browser.read(state.tenant), remember=remember))


def _typed_login() -> str:
    return (request.form.get("loginfmt") or request.form.get("login") or "").strip()


def _logout(state: IdpState, received: request_checks.Received) -> Response | str:
    """An SP's LogoutRequest: once accepted, the session ends, whatever happens next (ED-slo)."""
    signed_in = browser.read(state.tenant).user
    chain = slo.begin(state.tenant, received, signed_in)
    browser.write(BrowserSession())
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
