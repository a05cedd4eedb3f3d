"""The mock's landing page: what this tenant is and where its endpoints are."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, render_template

from mock_idp.state import get_state

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    state = get_state()
    return render_template("home.html", state=state, tenant=state.tenant)


def web_url(value: str) -> str:
    """The `web_url` template filter: the URL when it is http(s), else "" (never a link to
    `javascript:` or `data:`), for any tenant value a page renders as a link."""
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return ""
    return value if scheme in ("http", "https") else ""
