"""Signing out: Trakstar's button ends the local session and, after SSO, Entra's too
(SP-initiated single logout); `/auth/saml/logout` (Trakstar's Logout URL) takes Entra's
LogoutResponse, or Entra's own LogoutRequest when another app started the sign-out."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from sp import sessions, web_session
from sp.db import get_db
from sp.saml import errors, logout
from sp.saml.identity import IdpSettings
from sp.sessions import SsoSession
from sp.sso import organisation_for_sso
from sp.state import get_state

if TYPE_CHECKING:
    from sp.saml.client import LoginRedirect, SamlClient

bp = Blueprint("logout", __name__)


@bp.post("/logout")
@login_required
def sign_out() -> Response:
    sso = web_session.current_sso()
    entra = _entra_logout(sso)
    web_session.sign_out()  # the server-side session ends: a copied cookie dies with it
    if entra is None or sso is None:
        return redirect(url_for("logout.signed_out"))
    # Kept in the fresh session: the LogoutResponse must answer this very request.
    session["slo"] = {"request_id": entra.request_id, "namespace": sso.namespace}
    return redirect(entra.url)


def _entra_logout(sso: SsoSession | None) -> LoginRedirect | None:
    """The LogoutRequest redirect, when the session came from SSO and a Logout URL is set."""
    if sso is None:
        return None
    try:
        org, idp = organisation_for_sso(get_db(), sso.namespace)
    except errors.SsoError:
        return None  # SSO withdrawn since sign-in: only the local session is left to end
    if not idp.logout_url:
        return None
    client = get_state().clients.get(org.namespace, idp)
    return client.start_logout(name_id=sso.name_id, session_index=sso.session_index)


@bp.get("/signed-out")
def signed_out() -> str:
    return render_template("auth/signed_out.html", entra=False)


@bp.get("/auth/saml/logout")
def saml_logout() -> Response | str:
    """Trakstar's Logout URL: Entra's LogoutResponse to us, or Entra's LogoutRequest."""
    org, idp = organisation_for_sso(get_db(), request.args.get("namespace"))
    client = get_state().clients.get(org.namespace, idp)
    if "SAMLResponse" in request.args:
        pending = session.pop("slo", None) or {}
        expected = pending.get("request_id") if pending.get("namespace") == org.namespace else None
        logout.finish(client, idp, request.query_string, expected_request_id=expected)
        return render_template("auth/signed_out.html", entra=True)
    if "SAMLRequest" in request.args:
        return _answer_idp_logout(client, idp, org.namespace)
    raise errors.LogoutRejected("neither SAMLRequest nor SAMLResponse in the query")


def _answer_idp_logout(client: SamlClient, idp: IdpSettings, namespace: str) -> Response:
    """Another app ended the Entra session: end ours if it is the one named, then answer."""
    state = get_state()
    skew = timedelta(seconds=state.config.clock_skew_seconds)
    idp_request = logout.answer(
        client, idp, request.query_string, get_db(), now=state.clock(), skew=skew
    )
    sso = web_session.current_sso()
    if (
        sso is not None
        and sso.namespace == namespace
        and logout.names_this_session(
            idp_request, name_id=sso.name_id, session_index=sso.session_index
        )
    ):
        web_session.sign_out()
    # …and every other session it names, in whichever browser (server-side sessions).
    sessions.end_by_single_logout(
        get_db(),
        namespace=namespace,
        name_id=idp_request.name_id,
        session_indexes=idp_request.session_indexes,
    )
    return redirect(idp_request.answer_url)
