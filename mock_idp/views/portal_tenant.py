"""The mock's own page: the tenant as code (download, reset, upload) and the automation API."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from werkzeug.wrappers import Response as Redirect

from mock_idp.admin import tenant_files
from mock_idp.admin.errors import AdminError, InvalidValue
from mock_idp.admin.export import export_toml
from mock_idp.config import TENANTS_DIR
from mock_idp.faults import runtime as faults
from mock_idp.state import IdpState, get_state
from mock_idp.tenant import Tenant, TenantConfigError
from mock_idp.views.portal import done, page, refused, require_admin

bp = Blueprint("portal_tenant", __name__, url_prefix="/admin/tenant")
bp.before_request(require_admin)
Page = tuple[str, int]


def reset_tenant(state: IdpState, *, content: bytes | None, name: str) -> tuple[Tenant, str]:
    """Load the asked-for tenant completely, then swap it in: a bad file changes nothing."""
    tenant, source = tenant_files.load_for_reset(
        content=content,
        name=name,
        startup=state.config.tenant_file,
        directory=TENANTS_DIR,
        substitutions=state.config.substitutions(),
        now=state.clock(),
        keys=state.config.key_folder(),
    )
    try:  # a scenario name the catalogue does not know would only fail at sign-in time
        faults.check_tenant(tenant, test_mode=state.config.test_mode)
    except TenantConfigError as exc:
        raise InvalidValue(f"The tenant file does not load: {exc}", field="file") from exc
    state.tenant = tenant
    return tenant, source


def export_response(state: IdpState) -> Response:
    with state.tenant.lock:
        text = export_toml(state.tenant, now=state.clock())
    filename = f"{state.tenant.domain.split('.')[0] or 'tenant'}-tenant.toml"
    return Response(
        text,
        mimetype="application/toml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("")
def index() -> Page:
    return _page()


@bp.get("/export")
def export() -> Response:
    return export_response(get_state())


@bp.post("/reset")
def reset() -> Redirect | Page:
    upload = request.files.get("upload")
    content = upload.read() if upload is not None and upload.filename else None
    try:
        tenant, source = reset_tenant(
            get_state(), content=content, name=request.form.get("file", "")
        )
    except AdminError as error:
        return _page(error)
    # A tenant with another admin account signs this admin out (the guard sees to it).
    return done(f"Tenant {tenant.name} reset from {source}.", "portal_tenant.index")


def _page(error: AdminError | None = None) -> Page:
    state = get_state()
    context: dict[str, Any] = {
        "files": tenant_files.packaged(TENANTS_DIR),
        "startup": state.config.tenant_file,
        "api_token": state.config.api_token,
    }
    if error is not None:
        return refused("portal/tenant.html", error, **context)
    return page("portal/tenant.html", **context)
