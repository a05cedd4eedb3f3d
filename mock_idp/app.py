"""`create_app`: the mock Entra ID as a Flask app, its tenant and keys loaded once."""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from datetime import UTC, datetime

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from mock_idp.config import IdpConfig
from mock_idp.faults import runtime as faults
from mock_idp.state import IdpState
from mock_idp.tenant import Tenant, load_tenant
from mock_idp.views import errors, federation, home, portal_blueprints, saml2
from mock_idp.views import trace as tracer


def create_app(config: IdpConfig | None = None, *, tenant: Tenant | None = None) -> Flask:
    config = config or IdpConfig.from_env()
    if not config.api_token:  # never an open automation API
        config = replace(config, api_token=secrets.token_urlsafe(32))
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=config.secret_key or "mock-idp-tests-only",
        SESSION_COOKIE_NAME="idp_session",  # distinct from the SP's: cookies ignore ports
        # Like Entra's own session cookies: SameSite=None, so an AuthnRequest POSTed cross-site
        # (HTTP-POST binding) still finds the session (reuse, IsPassive). None needs Secure.
        SESSION_COOKIE_SAMESITE="None" if config.secure_cookies else "Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,
    )
    if tenant is None:
        tenant = load_tenant(
            config.tenant_file, substitutions=config.substitutions(), now=datetime.now(UTC)
        )
    app.extensions["mock_idp"] = IdpState(config=config, tenant=tenant)

    csrf = CSRFProtect(app)
    for blueprint in (home.bp, saml2.bp, federation.bp):
        app.register_blueprint(blueprint)
    # The SP posts AuthnRequests cross-site (HTTP-POST binding): no form token is possible.
    csrf.exempt(saml2.saml2_post)
    portal_blueprints.register(app, csrf)  # admin center, My Apps, automation API
    errors.register_error_pages(app)
    # The fault catalogue; its control API and Scenario menu exist in test mode only.
    faults.install(app, app.extensions["mock_idp"])
    if config.trace:  # the SAML tracer (/trace/) and its recording hooks; step mode needs it
        tracer.install(app)
    logging.getLogger("mock_idp").setLevel(logging.INFO)
    return app
