"""SAML Signing Certificate: every certificate with its status, New Certificate, Make certificate
active, Delete, and the Signing Option and Signing Algorithm."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from werkzeug.wrappers import Response

from mock_idp.admin import token_signing
from mock_idp.admin.errors import AdminError
from mock_idp.certificates import three_years_after
from mock_idp.state import get_state
from mock_idp.tenant import EnterpriseApp
from mock_idp.views.portal import changing, done, page, refused, require_admin
from mock_idp.views.portal_apps import find_app

bp = Blueprint(
    "portal_certs", __name__, url_prefix="/admin/enterprise-apps/<app_id>/sso/saml/certificates"
)
bp.before_request(require_admin)
Page = tuple[str, int]
CERTS = "portal_certs.index"


@bp.get("")
def index(app_id: str) -> Page:
    return page("portal/certificates.html", **_context(find_app(app_id)))


@bp.post("/new")
def new_certificate(app_id: str) -> Response | Page:
    app, now = find_app(app_id), get_state().clock()
    try:
        expires = token_signing.parse_expiry(request.form.get("expires", ""))
        with changing():
            cert = token_signing.new_certificate(app, now=now, expires=expires)
    except AdminError as error:
        return refused("portal/certificates.html", error, **_context(app))
    return done(
        f"New certificate {cert.pair.thumbprint} saved as Inactive: select "
        "“Make certificate active” when the application trusts it.",
        CERTS,
        app_id=app.app_id,
    )


@bp.post("/<thumbprint>/activate")
def activate(app_id: str, thumbprint: str) -> Response | Page:
    app = find_app(app_id)
    try:
        with changing():
            cert = token_signing.activate(app, thumbprint)
    except AdminError as error:
        return refused("portal/certificates.html", error, **_context(app))
    return done(
        f"Certificate {cert.pair.thumbprint} is now Active: {app.name} must trust it.",
        CERTS,
        app_id=app.app_id,
    )


@bp.post("/<thumbprint>/delete")
def delete(app_id: str, thumbprint: str) -> Response | Page:
    app = find_app(app_id)
    try:
        with changing():
            cert = token_signing.delete(app, thumbprint)
    except AdminError as error:
        return refused("portal/certificates.html", error, **_context(app))
    return done(f"Certificate {cert.pair.thumbprint} deleted.", CERTS, app_id=app.app_id)


@bp.post("/signing")
def signing(app_id: str) -> Response | Page:
    app = find_app(app_id)
    try:
        with changing():
            token_signing.set_options(
                app,
                option=request.form.get("option", ""),
                algorithm=request.form.get("algorithm", ""),
            )
    except AdminError as error:
        return refused("portal/certificates.html", error, **_context(app))
    return done("Signing options saved.", CERTS, app_id=app.app_id)


def _context(app: EnterpriseApp) -> dict[str, Any]:
    now = get_state().clock()
    return {
        "app": app,
        "options": token_signing.SIGNING_OPTIONS,
        "algorithms": token_signing.ALGORITHMS,
        "default_expiry": three_years_after(now).date().isoformat(),
        "max_expiry": three_years_after(now).date().isoformat(),
        "min_expiry": now.date().isoformat(),
        "now": now,
    }
