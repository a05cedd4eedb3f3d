"""The mock's landing page: what this tenant is and where its endpoints are."""

from __future__ import annotations

from flask import Blueprint, render_template

from mock_idp.state import get_state

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    state = get_state()
    return render_template("home.html", state=state, tenant=state.tenant)
