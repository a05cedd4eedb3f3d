"""Single sign-on: "Select a single sign-on method", "Set up Single Sign-On with SAML", Basic SAML
Configuration and "Test this application"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for
from werkzeug.wrappers import Response

from mock_idp.admin import apps, basic_saml, claims_config, gallery
from mock_idp.admin.basic_saml import BasicSamlConfig
from mock_idp.admin.errors import AdminError, by_field
from mock_idp.state import get_state
from mock_idp.tenant import EnterpriseApp
from mock_idp.views import myapps
from mock_idp.views.home import web_url
from mock_idp.views.portal import changing, done, page, refused, require_admin
from mock_idp.views.portal_apps import find_app

bp = Blueprint("portal_sso", __name__, url_prefix="/admin/enterprise-apps/<app_id>/sso")
bp.before_request(require_admin)
Page = tuple[str, int]


@bp.get("")
def index(app_id: str) -> Response | Page:
    """Single sign-on: the SAML page once SAML is chosen, otherwise the method picker."""
    app = find_app(app_id)
    if app.sso_mode == "saml":
        return redirect(url_for("portal_sso.saml", app_id=app.app_id))
    return page("portal/sso_method.html", app=app)


@bp.get("/method")
def method(app_id: str) -> Page:
    return page("portal/sso_method.html", app=find_app(app_id))


@bp.post("/method")
def choose_method(app_id: str) -> Response | Page:
    app = find_app(app_id)
    try:
        with changing():
            apps.set_sso_mode(app, request.form.get("mode", ""))
    except AdminError as error:
        return refused("portal/sso_method.html", error, app=app)
    if app.sso_mode == "saml":
        return redirect(url_for("portal_sso.saml", app_id=app.app_id))
    return done(
        f"Single sign-on is disabled for {app.name}.", "portal_apps.overview", app_id=app_id
    )


@bp.get("/saml")
def saml(app_id: str) -> Page:
    app = find_app(app_id)
    state = get_state()
    return page(
        "portal/sso_saml.html",
        app=app,
        template=gallery.template_by_key(app.template),
        certificate=app.active_certificate,
        login_url=state.saml2_url(),
        name_id_formats=claims_config.NAME_ID_FORMATS,
    )


@bp.get("/saml/basic")
def basic(app_id: str) -> Page:
    app = find_app(app_id)
    return _basic_page(app, _form_of(BasicSamlConfig.of(app)))


@bp.post("/saml/basic")
def save_basic(app_id: str) -> Response | Page:
    app = find_app(app_id)
    form = _form_from_request()
    action = request.form.get("action", "save")
    if action != "save":  # "Add identifier" / "Add reply URL": one more empty row
        return _basic_page(app, {**form, "add": action.removeprefix("add-").replace("-", "_")})
    config = BasicSamlConfig(
        identifiers=basic_saml.default_first(form["identifiers"], form["identifier_default"]),
        reply_urls=basic_saml.default_first(form["reply_urls"], form["reply_url_default"]),
        sign_on_url=form["sign_on_url"],
        relay_state=form["relay_state"],
        logout_url=form["logout_url"],
    )
    try:
        with changing() as tenant:
            basic_saml.apply(tenant, app, config)
    except AdminError as error:
        return _basic_page(app, form, error)
    return done(f"Successfully updated {app.name}.", "portal_sso.saml", app_id=app.app_id)


@bp.get("/saml/test")
def test(app_id: str) -> Response | str:
    """Test this application: to the Sign on URL; IdP-initiated SSO when there is none."""
    app = find_app(app_id)
    if web_url(app.sign_on_url):  # only ever an http(s) URL, whatever a tenant file held
        return redirect(app.sign_on_url)
    return myapps.idp_initiated(get_state(), app)


def _basic_page(app: EnterpriseApp, form: dict[str, Any], error: AdminError | None = None) -> Page:
    context: dict[str, Any] = {
        "app": app,
        "form": form,
        "template": gallery.template_by_key(app.template),
        "errors_by_field": by_field(error),
    }
    if error is not None:
        return refused("portal/basic_saml.html", error, **context)
    return page("portal/basic_saml.html", **context)


def _form_of(config: BasicSamlConfig) -> dict[str, Any]:
    return {
        "identifiers": list(config.identifiers),
        "identifier_default": 0,
        "reply_urls": list(config.reply_urls),
        "reply_url_default": 0,
        "sign_on_url": config.sign_on_url,
        "relay_state": config.relay_state,
        "logout_url": config.logout_url,
        "add": "",
    }


def _form_from_request() -> dict[str, Any]:
    """What was entered, rows kept in their order (blank rows dropped) for showing again."""
    values = request.form

    def rows(name: str) -> tuple[list[str], int]:
        entered = values.getlist(name)
        default = _index(values.get(f"{name}_default"))
        kept = [i for i, v in enumerate(entered) if v.strip()]
        new_default = kept.index(default) if default in kept else 0
        return [entered[i].strip() for i in kept], new_default

    identifiers, identifier_default = rows("identifier")
    reply_urls, reply_url_default = rows("reply_url")
    return {
        "identifiers": identifiers,
        "identifier_default": identifier_default,
        "reply_urls": reply_urls,
        "reply_url_default": reply_url_default,
        "sign_on_url": values.get("sign_on_url", "").strip(),
        "relay_state": values.get("relay_state", "").strip(),
        "logout_url": values.get("logout_url", "").strip(),
        "add": "",
    }


def _index(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0
