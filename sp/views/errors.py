"""The one place SP errors become pages: a short reason and an error id, the detail in the log."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, g, render_template, url_for
from werkzeug.exceptions import BadRequest, HTTPException

from sp.saml.errors import SsoError

log = logging.getLogger("sp")


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(SsoError)
    def sso_error(error: SsoError) -> tuple[str, int]:
        # At the ACS the id is the attempt's: its checks are kept under it (sp/acs_checks.py).
        attempt_id = g.pop("sso_attempt_id", None)
        error_id = attempt_id or secrets.token_hex(6)
        checks_url = url_for("checks.show", attempt_id=attempt_id) if attempt_id else None
        log.warning("SSO refused error_id=%s %s: %s", error_id, type(error).__name__, error.detail)
        page = render_template(
            "errors/sso.html", error=error, error_id=error_id, checks_url=checks_url
        )
        return page, error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_template("errors/http.html", error=error), error.code or 500

    @app.errorhandler(UnicodeDecodeError)
    def undecodable(_error: UnicodeDecodeError) -> tuple[str, int]:
        # werkzeug decodes query strings and forms as UTF-8 on first use: raw bytes that are
        # not UTF-8 are the client's fault, not a server error.
        error = BadRequest("The request's URL or form is not valid UTF-8.")
        return render_template("errors/http.html", error=error), 400
