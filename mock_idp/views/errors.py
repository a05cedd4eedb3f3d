"""The one place errors become pages: Entra's error page, an inline sign-in prompt, or an error
Response auto-posted to the ACS; every AADSTS error is logged with its request id."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from werkzeug.exceptions import BadRequest, HTTPException

from mock_idp import sso
from mock_idp.protocol.errors import AadstsError, AcsError
from mock_idp.state import get_state
from mock_idp.views import answer, auto_post

log = logging.getLogger("mock_idp")


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(AadstsError)
    def aadsts(error: AadstsError) -> tuple[str, int]:
        state = get_state()
        now = state.clock()
        request_id = answer.new_guid()
        correlation_id = answer.new_guid()
        if answer.logging_sign_ins():  # the page's IDs are the sign-in log row's IDs
            correlation_id = answer.log(error, request_id=request_id)
        log.warning(
            "%s request_id=%s correlation_id=%s shown=%s",
            error.text,
            request_id,
            correlation_id,
            "acs" if isinstance(error, AcsError) else error.shown,
        )
        if isinstance(error, AcsError):
            form = sso.error_form(
                state.tenant, error, now=now, new_id=state.new_id, trace_id=request_id
            )
            return auto_post.page(form), 200
        if error.shown != "page":
            page = render_template(
                f"{error.shown}.html",
                tenant=state.tenant,
                login=error.login,
                error=error.prompt,
                aadsts=error.code,
            )
            return page, 200
        page = render_template(
            "error.html",
            error=error,
            request_id=request_id,
            correlation_id=correlation_id,
            timestamp=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        return page, error.http_status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_template("http_error.html", error=error), error.code or 500

    @app.errorhandler(UnicodeDecodeError)
    def undecodable(_error: UnicodeDecodeError) -> tuple[str, int]:
        # werkzeug decodes query strings and forms as UTF-8 on first use: raw bytes that are
        # not UTF-8 are the client's fault, not a server error.
        error = BadRequest("The request's URL or form is not valid UTF-8.")
        return render_template("http_error.html", error=error), 400
