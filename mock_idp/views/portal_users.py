"""Users (All users, Create new user, a user's properties) and Groups (members)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, request
from werkzeug.wrappers import Response

from mock_idp.admin import directory
from mock_idp.admin.directory import UserDraft
from mock_idp.admin.errors import AdminError, NotFound
from mock_idp.state import get_state
from mock_idp.tenant import Group, User
from mock_idp.views.portal import changing, done, new_guid, page, refused, require_admin

bp = Blueprint("portal_users", __name__, url_prefix="/admin")
bp.before_request(require_admin)
Page = tuple[str, int]


def _user(ref: str) -> User:
    try:
        return directory.user(get_state().tenant, ref)
    except NotFound as error:
        abort(404, description=error.message)


def _group(ref: str) -> Group:
    try:
        return directory.group(get_state().tenant, ref)
    except NotFound as error:
        abort(404, description=error.message)


def _draft() -> UserDraft:
    form = request.form
    return UserDraft(
        upn=form.get("upn", ""),
        display_name=form.get("display_name", ""),
        given_name=form.get("given_name", ""),
        surname=form.get("surname", ""),
        mail=form.get("mail", ""),
        password=form.get("password", ""),
        enabled=form.get("enabled") == "on",
    )


@bp.get("/users")
def users() -> Page:
    listed = sorted(get_state().tenant.users.values(), key=lambda u: u.display_name.casefold())
    return page("portal/users.html", users=listed)


@bp.get("/users/new")
def new_user() -> Page:
    # Entra auto-generates a first password for the admin to copy; three character kinds at least.
    draft = UserDraft(
        upn="", display_name="", password=f"{get_state().tokens.token_urlsafe(9)}-Aa1"
    )
    return page("portal/user_new.html", draft=draft)


@bp.post("/users/new")
def create_user() -> Response | Page:
    draft = _draft()
    try:
        with changing() as tenant:
            user = directory.create_user(tenant, draft, new_guid=new_guid)
    except AdminError as error:
        return refused("portal/user_new.html", error, draft=draft)
    created = done(f"Successfully created user {user.upn}.", "portal_users.users")
    flash(draft.password, "new-password")  # the next page shows it, once, as Entra does
    return created


@bp.get("/users/<ref>")
def user(ref: str) -> Page:
    current = _user(ref)
    return page("portal/user.html", user=current, draft=UserDraft.of(current))


@bp.post("/users/<ref>")
def save_user(ref: str) -> Response | Page:
    current, draft = _user(ref), _draft()
    try:
        with changing() as tenant:
            directory.update_user(tenant, current, draft)
    except AdminError as error:
        return refused("portal/user.html", error, user=current, draft=draft)
    return done(f"Successfully updated {current.upn}.", "portal_users.user", ref=current.object_id)


@bp.post("/users/<ref>/delete")
def delete_user(ref: str) -> Response:
    current = _user(ref)
    with changing() as tenant:
        directory.delete_user(tenant, current)
    return done(f"Successfully deleted user {current.upn}.", "portal_users.users")


@bp.get("/groups")
def groups() -> Page:
    listed = sorted(get_state().tenant.groups.values(), key=lambda g: g.display_name.casefold())
    return page("portal/groups.html", groups=listed)


@bp.get("/groups/new")
def new_group() -> Page:
    return page("portal/group_new.html", name="", description="")


@bp.post("/groups/new")
def create_group() -> Response | Page:
    name, description = request.form.get("name", ""), request.form.get("description", "")
    try:
        with changing() as tenant:
            group = directory.create_group(tenant, name, description, new_guid=new_guid)
    except AdminError as error:
        return refused("portal/group_new.html", error, name=name, description=description)
    return done(
        f"Successfully created group {group.display_name}.",
        "portal_users.group",
        ref=group.object_id,
    )


@bp.get("/groups/<ref>")
def group(ref: str) -> Page:
    return _group_page(_group(ref))


@bp.post("/groups/<ref>/members")
def add_members(ref: str) -> Response | Page:
    current = _group(ref)
    try:
        with changing() as tenant:
            chosen = [directory.user(tenant, u) for u in request.form.getlist("member")]
            directory.add_members(current, chosen)
    except AdminError as error:
        return _group_page(current, error)
    return done(f"Members added to {current.display_name}.", "portal_users.group", ref=ref)


@bp.post("/groups/<ref>/members/<member_ref>/remove")
def remove_member(ref: str, member_ref: str) -> Response | Page:
    current, member = _group(ref), _user(member_ref)
    try:
        with changing():
            directory.remove_member(current, member)
    except AdminError as error:
        return _group_page(current, error)
    return done(f"{member.upn} removed from {current.display_name}.", "portal_users.group", ref=ref)


@bp.post("/groups/<ref>/delete")
def delete_group(ref: str) -> Response:
    current = _group(ref)
    with changing() as tenant:
        directory.delete_group(tenant, current)
    return done(f"Successfully deleted group {current.display_name}.", "portal_users.groups")


def _group_page(current: Group, error: AdminError | None = None) -> Page:
    tenant = get_state().tenant
    members = directory.members(tenant, current)
    others = sorted(
        (u for u in tenant.users.values() if current.object_id not in u.groups),
        key=lambda u: u.display_name.casefold(),
    )
    context: dict[str, Any] = {"group": current, "members": members, "others": others}
    if error is not None:
        return refused("portal/group.html", error, **context)
    return page("portal/group.html", **context)
