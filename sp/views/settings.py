"""Settings: General, Authentication & SSO (SSO-entitled organisations only) and the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sp import audit, organisations, sso_settings
from sp.db import get_db
from sp.members import admin_required
from sp.models import Organisation
from sp.organisations import AdminError
from sp.state import get_state

if TYPE_CHECKING:
    from sp.saml import metadata

bp = Blueprint("settings", __name__, url_prefix="/settings")


def _org(*, entitled: bool = False) -> Organisation:
    org = organisations.find(get_db(), current_user.namespace)
    if entitled and not org.sso_entitled:
        abort(
            404,
            description="Single sign-on is a paid feature that this organisation does not "
            "have. Contact Trakstar support to enable it.",
        )
    return org


def _upload(name: str) -> bytes:
    """An uploaded file's bytes (empty when none); Flask's MAX_CONTENT_LENGTH caps the size."""
    upload = request.files.get(name)
    return upload.read() if upload is not None else b""


def _problems(exc: AdminError) -> dict[str, str]:
    """Messages by form field; an error about no field in particular goes above the button."""
    if isinstance(exc, sso_settings.InvalidSettings):
        return exc.problems
    return {exc.field or "form": exc.message}


@bp.get("/")
@admin_required
def index() -> str:
    return render_template(
        "settings/general.html", org=organisations.view_of(_org()), tab="general"
    )


@bp.get("/authentication")
@admin_required
def authentication() -> str:
    org = _org(entitled=True)
    saved = sso_settings.current(get_db(), org)
    return render_template(
        "settings/authentication.html", org=organisations.view_of(org), saved=saved, tab="sso"
    )


@bp.post("/authentication/require-sso")
@admin_required
def require_sso() -> Response:
    required = request.form.get("require_sso") == "on"
    try:
        organisations.set_require_sso(
            get_db(),
            _org(entitled=True),
            required=required,
            actor=current_user.email,
            now=get_state().clock(),
        )
        flash(f"Require SSO is {'on' if required else 'off'}.", "success")
    except AdminError as exc:
        flash(exc.message, "error")
    return redirect(url_for(".authentication"), code=303)


def _saml_page(
    org: Organisation,
    *,
    form: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
    imported: metadata.FederationMetadata | None = None,
) -> str:
    state = get_state()
    saved = sso_settings.current(get_db(), org)
    if form is None and saved is not None:
        form = {
            "login_url": saved.login_url,
            "identifier": saved.identifier,
            "logout_url": saved.logout_url,
        }
    return render_template(
        "settings/saml.html",
        org=organisations.view_of(org),
        values=sso_settings.values_for(state.config, org.namespace),
        saved=saved,
        form=form or {},
        problems=problems or {},
        imported=imported,
        # Checked by default; after a refused save, as the admin left it.
        keep_previous=form is None or "csrf_token" not in form or "keep_previous" in form,
        now=state.clock(),
        tab="sso",
    )


@bp.get("/authentication/saml")
@admin_required
def saml() -> str:
    return _saml_page(_org(entitled=True))


@bp.post("/authentication/saml")
@admin_required
def save_saml() -> Response | tuple[str, int]:
    org, form = _org(entitled=True), request.form
    try:
        data = sso_settings.SettingsInput(
            login_url=form.get("login_url", ""),
            identifier=form.get("identifier", ""),
            logout_url=form.get("logout_url", ""),
            certificate=sso_settings.choose_certificate(
                form.get("certificate", ""), _upload("certificate_file")
            ),
            keep_previous=form.get("keep_previous") == "on",
        )
        saved = sso_settings.save(
            get_db(), org, data, actor=current_user.email, now=get_state().clock()
        )
    except AdminError as exc:
        return _saml_page(org, form=form, problems=_problems(exc)), 400
    flash("SAML settings saved." if saved.changed else "Nothing changed.", "success")
    for warning in saved.warnings:
        flash(warning, "warning")
    return redirect(url_for(".saml"), code=303)


@bp.post("/authentication/saml/metadata")
@admin_required
def import_metadata() -> tuple[str, int]:
    """Fills the form from Entra's Federation Metadata XML; the admin checks, then saves."""
    org = _org(entitled=True)
    try:
        meta = sso_settings.read_metadata(
            upload=_upload("metadata_file"),
            url=request.form.get("metadata_url", ""),
            xmlsec_binary=get_state().config.xmlsec_binary,
        )
    except AdminError as exc:
        return _saml_page(org, problems=_problems(exc)), 400
    data = sso_settings.input_from_metadata(meta)
    form = {
        "login_url": data.login_url,
        "identifier": data.identifier,
        "logout_url": data.logout_url,
        "certificate": str(data.certificate),
    }
    return _saml_page(org, form=form, imported=meta), 200


@bp.post("/authentication/saml/previous-certificate/remove")
@admin_required
def remove_previous_certificate() -> Response:
    try:
        sso_settings.remove_previous_certificate(
            get_db(), _org(entitled=True), actor=current_user.email, now=get_state().clock()
        )
        flash("The old certificate was removed: only the active one verifies now.", "success")
    except AdminError as exc:
        flash(exc.message, "error")
    return redirect(url_for(".saml"), code=303)


@bp.get("/audit")
@admin_required
def audit_log() -> str:
    org = _org()
    entries = audit.entries(get_db(), org.id)
    return render_template(
        "settings/audit.html", org=organisations.view_of(org), entries=entries, tab="audit"
    )
