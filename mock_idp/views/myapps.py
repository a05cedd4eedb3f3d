"""My Apps: a signed-in user's tiles, the User access URL of each app, and IdP-initiated SSO.

A tile launches its app as Entra does (docs/reference/entra.md §8): to the Sign on URL when there is
one (the SP then starts an SP-initiated sign-in); otherwise an unsolicited Response to the default
Reply URL, with the configured Relay State and no InResponseTo.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from mock_idp import signin
from mock_idp.protocol import errors
from mock_idp.sessions import PendingSignIn
from mock_idp.state import IdpState, get_state
from mock_idp.tenant import EnterpriseApp, User
from mock_idp.views import answer, browser

bp = Blueprint("myapps", __name__, url_prefix="/myapps")


def signed_in_user(state: IdpState) -> User | None:
    """The end user of the mock's SSO session, while the account exists and is enabled."""
    signed_in = browser.read(state.tenant).user
    return None if signed_in is None else state.tenant.users[signed_in.object_id]


def unsolicited(app: EnterpriseApp) -> PendingSignIn:
    """The sign-in Entra answers with no AuthnRequest: to the default Reply URL."""
    if app.require_signed_requests:
        raise errors.RequestNotSigned(
            f"The application '{app.app_id}'({app.name}) requires signed requests: "
            "IdP-initiated sign-in (Test this application, My Apps) is disabled for it."
        )
    if not app.reply_urls:
        raise errors.NoReplyAddress(
            f"The application '{app.app_id}'({app.name}) has no reply address configured: "
            "add a Reply URL in its Basic SAML Configuration."
        )
    return PendingSignIn(app_id=app.app_id, acs_url=app.reply_urls[0])


def idp_initiated(state: IdpState, app: EnterpriseApp) -> Response | str:
    """IdP-initiated SSO (My Apps, Test this application): the same core step as SP-initiated;
    the user signs in on Entra's pages first if need be."""
    g.signin_attempt = signin.Attempt(app_id=app.app_id)
    pending = replace(unsolicited(app), correlation_id=answer.new_guid())
    return answer.apply(signin.start(answer.context(), browser.read(state.tenant), pending))


def tiles(state: IdpState, user: User) -> list[EnterpriseApp]:
    """Apps that are enabled, visible to users, and assigned to this user (or a group of theirs)."""
    shown = [
        a for a in state.tenant.apps.values() if a.enabled and a.visible and a.is_assigned(user)
    ]
    return sorted(shown, key=lambda a: a.name.casefold())


@bp.get("/")
def index() -> Response | str:
    state = get_state()
    user = signed_in_user(state)
    if user is None:
        return _sign_in(url_for("myapps.index"))
    return render_template(
        "myapps/apps.html", tenant=state.tenant, user=user, apps=tiles(state, user)
    )


@bp.get("/signin/<name>/<app_id>")
def launch(name: str, app_id: str) -> Response | str:
    """The User access URL: `/myapps/signin/{name}/{appId}?tenantId={tenant}`."""
    state = get_state()
    app = state.tenant.apps.get(app_id)
    if app is None:
        abort(404, description=f"No application with ID '{app_id}' in this tenant.")
    if signed_in_user(state) is None:
        return _sign_in(request.full_path)
    if app.sign_on_url:
        return redirect(app.sign_on_url)
    return idp_initiated(state, app)


@bp.post("/signout")
def sign_out() -> Response:
    browser.write(replace(browser.read(get_state().tenant), user=None, progress=None))
    return redirect(url_for("myapps.index"))


def _sign_in(after: str) -> Response:
    """Entra's sign-in pages, then back here (a stale app sign-in must not be resumed)."""
    current = browser.read(get_state().tenant)
    browser.write(replace(current, pending=None, progress=None, after_sign_in=after))
    return redirect(url_for("saml2.sign_in", tenant=get_state().tenant.tenant_id))
