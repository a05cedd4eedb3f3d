"""`create_app`: the mock Entra ID as a Flask app, its tenant and keys loaded once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect

from mock_idp import http_policy, tenant_sync
from mock_idp.config import IdpConfig
from mock_idp.determinism import CLOCK_OFFSET, Clock, Tokens
from mock_idp.faults import runtime as faults
from mock_idp.server_sessions import ServerSessionInterface, session_id, session_record
from mock_idp.state import IdpState
from mock_idp.store import Store
from mock_idp.tenant import Tenant
from mock_idp.tenant_file import load_tenant
from mock_idp.views import errors, federation, harness_clock, home, portal_blueprints, saml2


class _MockFlask(Flask):
    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Every view and hook of the mock is synchronous (`tests/test_architecture.py` checks),
        so Flask's check of each one on every call (an `inspect` walk, ~9 a request) is skipped."""
        return func


def create_app(config: IdpConfig | None = None, *, tenant: Tenant | None = None) -> Flask:
    config = config or IdpConfig.from_env()
    app = _MockFlask(__name__)
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
    store = Store(config.store_path)
    clock, tokens = Clock(store, config.clock), Tokens(config.seed, store)
    if not config.api_token:  # never an open automation API
        config = replace(config, api_token=tokens.token_urlsafe(32))
    if tenant is None:
        tenant = load_tenant(
            config.tenant_file,
            substitutions=config.substitutions(),
            now=clock(),
            keys=config.key_folder(),
            new_guid=lambda: str(tokens.uuid4()),  # IDs the file leaves out: seeded too
        )
    if config.store_path is not None:
        # Several workers: one secret and one API token for all of them, chosen by the first.
        app.config["SECRET_KEY"] = store.setdefault(
            "config", "secret_key", app.config["SECRET_KEY"]
        )
        config = replace(
            config, api_token=store.setdefault("config", "api_token", config.api_token)
        )
    state = IdpState(
        config=config,
        tenant=tenant,
        store=store,
        clock=clock,
        new_id=tokens.entra_id,
        tokens=tokens,
    )
    app.extensions["mock_idp"] = state
    _per_request(app, state)
    # Server-side sessions: a sign-out ends every copy of the cookie (mock_idp/server_sessions).
    # The clock is read through the state, so a test that swaps or moves it expires sessions.
    app.session_interface = ServerSessionInterface(
        state.store, lambda: state.clock(), lambda: tokens.token_urlsafe(32)
    )
    http_policy.install(app, config.base_url)
    if config.store_path is not None:
        tenant_sync.TenantSync(state, config.store_path.with_suffix(".lock")).install(app)

    app.jinja_env.filters["web_url"] = home.web_url
    csrf = _csrf(app)
    for blueprint in (home.bp, saml2.bp, federation.bp):
        app.register_blueprint(blueprint)
    # The SP posts AuthnRequests cross-site (HTTP-POST binding): no form token is possible.
    csrf.exempt(saml2.saml2_post)
    portal_blueprints.register(app, csrf)  # admin center, My Apps, automation API
    errors.register_error_pages(app)
    federation.canonical_paths(app)  # Entra's endpoint paths match without regard to case
    # The fault catalogue; its control API and Scenario menu exist in test mode only.
    faults.install(app, app.extensions["mock_idp"])
    if config.test_mode:
        harness_clock.install(app)  # time travel: POST /_harness/clock
    if config.trace:  # the SAML tracer (/trace/) and its recording hooks; step mode needs it
        from mock_idp.views import trace as tracer  # not loaded when the tracer is off

        tracer.install(app)
    logging.getLogger("mock_idp").setLevel(logging.INFO)
    return app


def _csrf(app: Flask) -> CSRFProtect:
    """Flask-WTF's form tokens on every unsafe method (views and blueprints may be exempted).

    Flask-WTF's own hook looks up the view's exemptions before it looks at the method: on every
    GET, a sign-in's most common request. This hook asks for the method first; `protect` then
    applies the same exemptions and checks.
    """
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf = CSRFProtect(app)
    unsafe = app.config["WTF_CSRF_METHODS"]

    @app.before_request
    def csrf_protect() -> None:
        if app.config["WTF_CSRF_ENABLED"] and request.method in unsafe:
            csrf.protect(apply_exemptions=True)

    return csrf


def _per_request(app: Flask, state: IdpState) -> None:
    """Around the whole WSGI call, so that opening and saving the session take part too:

    - the records every request reads (the time-travel offset, the tenant's version, the
      browser's session) in one statement at its start, and its late writes (its sign-in log
      row, its session) in one transaction at its end, before the answer leaves: the
      browser's next request sees them (`Store.batch`);
    - one read of the time-travel offset per request instead of one per clock read (a test
      may swap `state.clock` for a plain callable: only our `Clock` is pinned).
    """
    inner = app.wsgi_app
    cookie_name = app.config["SESSION_COOKIE_NAME"]

    def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        clock = state.clock
        reads = [CLOCK_OFFSET, tenant_sync.VERSION]
        if sid := session_id(environ, cookie_name):
            reads.append(session_record(sid))
        with state.store.batch(reads=reads):
            if not isinstance(clock, Clock):
                return inner(environ, start_response)
            clock.pin()
            try:
                return inner(environ, start_response)
            finally:
                clock.unpin()

    app.wsgi_app = wsgi_app  # type: ignore[method-assign]
