"""The tenant's sign-in settings in the admin center: Company branding's "Show option to remain
signed in" and Password protection's smart lockout (threshold, duration)."""

from __future__ import annotations

from flask import Blueprint, request
from werkzeug.wrappers import Response

from mock_idp.admin.errors import InvalidValue
from mock_idp.state import get_state
from mock_idp.views.portal import changing, done, page, refused, require_admin

bp = Blueprint("portal_signin_settings", __name__, url_prefix="/admin")
bp.before_request(require_admin)
TEMPLATE = "portal/signin_settings.html"
LABELS = {
    "lockout_threshold": "Lockout threshold",
    "lockout_duration_seconds": "Lockout duration in seconds",
}


@bp.get("/signin-settings")
def index() -> tuple[str, int]:
    tenant = get_state().tenant
    form = {
        "show_keep_signed_in": tenant.show_keep_signed_in,
        **{name: str(getattr(tenant, name)) for name in LABELS},
    }
    return page(TEMPLATE, title="Sign-in settings", nav="signin-settings", form=form)


@bp.post("/signin-settings")
def save() -> Response | tuple[str, int]:
    entered = {name: request.form.get(name, "").strip() for name in LABELS}
    form: dict[str, object] = {
        "show_keep_signed_in": request.form.get("show_keep_signed_in") == "on",
        **entered,
    }
    try:
        numbers = {name: _whole_number(name, entered[name]) for name in LABELS}
    except InvalidValue as error:
        return refused(TEMPLATE, error, title="Sign-in settings", nav="signin-settings", form=form)
    with changing() as tenant:
        tenant.show_keep_signed_in = bool(form["show_keep_signed_in"])
        tenant.lockout_threshold = numbers["lockout_threshold"]
        tenant.lockout_duration_seconds = numbers["lockout_duration_seconds"]
    return done("Successfully saved the sign-in settings.", "portal_signin_settings.index")


def _whole_number(name: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise InvalidValue(f"{LABELS[name]} must be a whole number of at least 1.", field=name)
    return int(value)
