"""`create_app`: the Trakstar Perform clone as a Flask app."""

from __future__ import annotations

import logging

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from sp import cli_commands, web_guard, web_session
from sp.config import SpConfig
from sp.db import get_db, init_db
from sp.members import Member, load_member, login_manager
from sp.saml.constants import MAX_FORM_BYTES
from sp.sso import ClientCache
from sp.state import SpState
from sp.views import auth, checks, errors, logout, people, perform, settings


def create_app(config: SpConfig | None = None) -> Flask:
    config = config or SpConfig.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=config.secret_key or "sp-tests-only",
        SESSION_COOKIE_NAME="sp_session",  # distinct from the mock's: cookies ignore ports
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=config.secure_cookies,
        REMEMBER_COOKIE_SECURE=config.secure_cookies,
        MAX_CONTENT_LENGTH=MAX_FORM_BYTES,
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.extensions["sp"] = SpState(config=config, clients=ClientCache(config))
    init_db(app, config.database_url)
    web_guard.install(app, config.base_url)  # Host allow-list, anti-framing headers

    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    csrf = CSRFProtect(app)
    for blueprint in (perform.bp, auth.bp, settings.bp, people.bp, logout.bp, checks.bp):
        app.register_blueprint(blueprint)
    # Entra posts the response cross-site: no form token is possible. The pending request
    # bound to this browser is the ACS's CSRF defence (docs/reference/attacks.md #42, #59).
    csrf.exempt(auth.callback)
    errors.register_error_pages(app)
    cli_commands.install(app)  # flask --app sp org|people|saml|audit …, loaded on use
    if config.test_mode:  # time travel at POST /_test/clock, in test mode only
        from sp import test_clock

        test_clock.install(app, app.extensions["sp"])
    logging.getLogger("sp").setLevel(logging.INFO)
    return app


def _load_user(member_id: str) -> Member | None:
    # The cookie alone proves nothing: its session must still exist server-side, for this person.
    record = web_session.current()
    if record is None or str(record.person_id) != member_id:
        return None
    return load_member(get_db(), member_id, signed_in_by_sso=record.sso is not None)
