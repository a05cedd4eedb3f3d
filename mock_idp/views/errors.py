"""The one place errors become pages: Entra's error page for AADSTS errors."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from mock_idp.protocol.errors import AadstsError

log = logging.getLogger("mock_idp")


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(AadstsError)
    def aadsts(error: AadstsError) -> tuple[str, int]:
        request_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
        timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        log.warning("%s request_id=%s correlation_id=%s", error.text, request_id, correlation_id)
        page = render_template(
            "error.html",
            error=error,
            request_id=request_id,
            correlation_id=correlation_id,
            timestamp=timestamp,
        )
        return page, error.http_status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_template("http_error.html", error=error), error.code or 500
