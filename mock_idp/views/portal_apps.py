"""Enterprise apps: All applications, New application (the gallery), an app's Overview,
Properties and Users and groups."""

from __future__ import annotations

from flask import Blueprint, abort, request
from werkzeug.wrappers import Response

from mock_idp.admin import apps, assignments, gallery
from mock_idp.admin.errors import AdminError, NotFound
from mock_idp.state import get_state
from mock_idp.tenant import EnterpriseApp
from mock_idp.views.portal import changing, done, new_guid, page, refused, require_admin

bp = Blueprint("portal_apps", __name__, url_prefix="/admin/enterprise-apps")
bp.before_request(require_admin)
Page = tuple[str, int]


def find_app(app_id: str) -> EnterpriseApp:
    try:
        return apps.find(get_state().tenant, app_id)
    except NotFound as error:
        abort(404, description=error.message)


@bp.get("/")
def index() -> Page:
    listed = sorted(get_state().tenant.apps.values(), key=lambda a: a.name.casefold())
    return page("portal/apps.html", apps=listed)


def find_template(template_id: str) -> gallery.GalleryTemplate:
    try:
        return gallery.template_by_id(template_id)
    except NotFound as error:
        abort(404, description=error.message)


@bp.get("/new")
def browse() -> Page:
    """Browse Microsoft Entra Gallery: search box, results, and the panel of the chosen app."""
    selected = request.args.get("template")
    template = find_template(selected) if selected else None
    return _gallery_page(template, name=template.display_name if template else "")


@bp.post("/gallery/<template_id>")
def add_from_gallery(template_id: str) -> Response | Page:
    template = find_template(template_id)
    name = request.form.get("name", "")
    try:
        with changing() as tenant:
            app = gallery.add_from_gallery(
                tenant, template, name, now=get_state().clock(), new_guid=new_guid
            )
    except AdminError as error:
        return _gallery_page(template, name=name, error=error)
    return done(
        f"Successfully added application {app.name}.", "portal_apps.overview", app_id=app.app_id
    )


@bp.post("/custom")
def add_non_gallery() -> Response | Page:
    name = request.form.get("name", "")
    try:
        with changing() as tenant:
            app = gallery.add_non_gallery(tenant, name, now=get_state().clock(), new_guid=new_guid)
    except AdminError as error:
        return _gallery_page(None, name=name, error=error, custom=True)
    return done(
        f"Successfully added application {app.name}.", "portal_apps.overview", app_id=app.app_id
    )


def _gallery_page(
    template: gallery.GalleryTemplate | None,
    *,
    name: str,
    error: AdminError | None = None,
    custom: bool = False,
) -> Page:
    query = request.values.get("q", "")
    return page(
        "portal/gallery.html",
        400 if error else 200,
        query=query,
        results=gallery.search(query),
        selected=template,
        custom=custom or request.args.get("custom") == "1",
        name=name,
        error=error,
    )


@bp.get("/<app_id>")
def overview(app_id: str) -> Page:
    return page("portal/app_overview.html", app=find_app(app_id))


@bp.get("/<app_id>/properties")
def properties(app_id: str) -> Page:
    app = find_app(app_id)
    return page("portal/app_properties.html", app=app, form=apps.AppProperties.of(app))


@bp.post("/<app_id>/properties")
def save_properties(app_id: str) -> Response | Page:
    app = find_app(app_id)
    form = apps.AppProperties(
        name=request.form.get("name", ""),
        enabled=request.form.get("enabled") == "yes",
        assignment_required=request.form.get("assignment_required") == "yes",
        visible=request.form.get("visible") == "yes",
    )
    try:
        with changing():
            apps.set_properties(app, form)
    except AdminError as error:
        return refused("portal/app_properties.html", error, app=app, form=form)
    return done(f"Successfully updated {app.name}.", "portal_apps.properties", app_id=app.app_id)


@bp.post("/<app_id>/delete")
def delete(app_id: str) -> Response:
    app = find_app(app_id)
    with changing() as tenant:
        apps.delete(tenant, app)
    return done(f"Successfully deleted application {app.name}.", "portal_apps.index")


@bp.get("/<app_id>/users-and-groups")
def users_and_groups(app_id: str) -> Page:
    app = find_app(app_id)
    listed = assignments.assignments(get_state().tenant, app)
    return page("portal/app_users.html", app=app, assignments=listed)


@bp.post("/<app_id>/users-and-groups/remove")
def remove_assignments(app_id: str) -> Response | Page:
    app = find_app(app_id)
    try:
        with changing() as tenant:
            removed = assignments.unassign_all(tenant, app, request.form.getlist("principal"))
    except AdminError as error:
        listed = assignments.assignments(get_state().tenant, app)
        return refused("portal/app_users.html", error, app=app, assignments=listed)
    names = ", ".join(a.display_name for a in removed)
    return done(f"Removed {names} from {app.name}.", "portal_apps.users_and_groups", app_id=app_id)


@bp.get("/<app_id>/users-and-groups/add")
def add_assignment(app_id: str) -> Page:
    return _assign_page(find_app(app_id))


@bp.post("/<app_id>/users-and-groups/add")
def save_assignment(app_id: str) -> Response | Page:
    app = find_app(app_id)
    try:
        with changing() as tenant:
            added = assignments.assign_all(tenant, app, request.form.getlist("principal"))
    except AdminError as error:
        return _assign_page(app, error)
    names = ", ".join(a.display_name for a in added)
    return done(
        f"{names} assigned to {app.name}.", "portal_apps.users_and_groups", app_id=app.app_id
    )


def _assign_page(app: EnterpriseApp, error: AdminError | None = None) -> Page:
    """Add Assignment: every user and group not yet assigned, filtered by the search box."""
    tenant, query = get_state().tenant, request.values.get("q", "").strip().casefold()
    candidates = [
        assignments.principal(tenant, p)
        for p in (*tenant.users, *tenant.groups)
        if p not in app.assigned
    ]
    shown = [c for c in candidates if query in f"{c.display_name} {c.detail}".casefold()]
    shown.sort(key=lambda c: (c.principal_type, c.display_name.casefold()))
    return page(
        "portal/app_assign.html",
        error.status if error else 200,
        app=app,
        candidates=shown,
        query=query,
        error=error,
    )
