"""Attributes & Claims: the Unique User Identifier (Name ID) and the additional claims."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request
from werkzeug.wrappers import Response

from mock_idp.admin import claims_config
from mock_idp.admin.claims_config import ClaimDraft
from mock_idp.admin.errors import AdminError, NotFound
from mock_idp.protocol.claims import ClaimRule
from mock_idp.tenant import EnterpriseApp
from mock_idp.views.portal import changing, done, page, refused, require_admin
from mock_idp.views.portal_apps import find_app

bp = Blueprint(
    "portal_claims", __name__, url_prefix="/admin/enterprise-apps/<app_id>/sso/saml/claims"
)
bp.before_request(require_admin)
Page = tuple[str, int]
CLAIMS = "portal_claims.index"


@bp.get("")
def index(app_id: str) -> Page:
    app = find_app(app_id)
    return page("portal/claims.html", app=app, formats=claims_config.NAME_ID_FORMATS)


@bp.get("/nameid")
def name_id(app_id: str) -> Page:
    return _name_id_page(find_app(app_id))


@bp.post("/nameid")
def save_name_id(app_id: str) -> Response | Page:
    app = find_app(app_id)
    try:
        with changing():
            claims_config.set_name_id(
                app,
                source=request.form.get("source", ""),
                name_id_format=request.form.get("format", ""),
            )
    except AdminError as error:
        return _name_id_page(app, error)
    return done("Successfully updated the Unique User Identifier.", CLAIMS, app_id=app.app_id)


@bp.get("/new")
def new_claim(app_id: str) -> Page:
    draft = ClaimDraft(name="", source="user.userprincipalname")
    return _claim_page(find_app(app_id), draft, index=None)


@bp.post("/new")
def add_claim(app_id: str) -> Response | Page:
    app, draft = find_app(app_id), _draft()
    try:
        with changing():
            rule = claims_config.add_claim(app, draft)
    except AdminError as error:
        return _claim_page(app, draft, index=None, error=error)
    return done(f"Successfully added the claim {rule.name}.", CLAIMS, app_id=app.app_id)


@bp.post("/group")
def add_group_claim(app_id: str) -> Response | Page:
    app = find_app(app_id)
    try:
        with changing():
            rule = claims_config.add_group_claim(app)
    except AdminError as error:
        return refused("portal/claims.html", error, app=app, formats=claims_config.NAME_ID_FORMATS)
    return done(f"Successfully added the group claim {rule.name}.", CLAIMS, app_id=app.app_id)


@bp.get("/<int:index>")
def edit_claim(app_id: str, index: int) -> Page:
    app = find_app(app_id)
    return _claim_page(app, ClaimDraft.of(_claim(app, index)), index=index)


@bp.post("/<int:index>")
def save_claim(app_id: str, index: int) -> Response | Page:
    app, draft = find_app(app_id), _draft()
    _claim(app, index)
    try:
        with changing():
            rule = claims_config.update_claim(app, index, draft)
    except AdminError as error:
        return _claim_page(app, draft, index=index, error=error)
    return done(f"Successfully updated the claim {rule.name}.", CLAIMS, app_id=app.app_id)


@bp.post("/<int:index>/delete")
def delete_claim(app_id: str, index: int) -> Response:
    app = find_app(app_id)
    _claim(app, index)
    with changing():
        rule = claims_config.remove_claim(app, index)
    return done(f"Successfully deleted the claim {rule.name}.", CLAIMS, app_id=app.app_id)


def _claim(app: EnterpriseApp, index: int) -> ClaimRule:
    try:
        return claims_config.claim_at(app, index)
    except NotFound as error:
        abort(404, description=error.message)


def _draft() -> ClaimDraft:
    form = request.form
    return ClaimDraft(
        name=form.get("name", ""),
        namespace=form.get("namespace", ""),
        source=form.get("source", ""),
    )


def _claim_page(
    app: EnterpriseApp, draft: ClaimDraft, *, index: int | None, error: AdminError | None = None
) -> Page:
    context: dict[str, Any] = {
        "app": app,
        "draft": draft,
        "index": index,
        "sources": claims_config.SOURCES,
    }
    if error is not None:
        return refused("portal/claim_edit.html", error, **context)
    return page("portal/claim_edit.html", **context)


def _name_id_page(app: EnterpriseApp, error: AdminError | None = None) -> Page:
    context: dict[str, Any] = {
        "app": app,
        "sources": claims_config.SOURCES,
        "formats": claims_config.NAME_ID_FORMATS,
    }
    if error is not None:
        return refused("portal/claim_nameid.html", error, **context)
    return page("portal/claim_nameid.html", **context)
