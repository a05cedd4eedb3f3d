"""People: the organisation's list; add, activate, deactivate and remove a person."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from sp import account_links, organisations, people
from sp.db import get_db
from sp.members import admin_required
from sp.organisations import AdminError
from sp.state import get_state

bp = Blueprint("people", __name__, url_prefix="/people")


def _page(*, form: dict[str, str] | None = None, error: AdminError | None = None) -> str:
    org = organisations.find(get_db(), current_user.namespace)
    return render_template(
        "people/index.html",
        org=organisations.view_of(org),
        people=people.list_people(get_db(), org),
        form=form or {},
        error=error,
    )


@bp.get("/")
@admin_required
def index() -> str:
    return _page()


@bp.post("/")
@admin_required
def add() -> Response | tuple[str, int]:
    db, form = get_db(), request.form
    try:
        person = people.add(
            db,
            organisations.find(db, current_user.namespace),
            name=form.get("name", ""),
            email=form.get("email", ""),
            is_admin=form.get("is_admin") == "on",
            actor=current_user.email,
            now=get_state().clock(),
        )
    except AdminError as exc:
        return _page(form=dict(form), error=exc), 400
    flash(f"{person.name} was added. Activate them before they sign in.", "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/<int:person_id>/<any(activate, deactivate, remove, relink):action>")
@admin_required
def change(person_id: int, action: str) -> Response:
    db, now, actor = get_db(), get_state().clock(), current_user.email
    org = organisations.find(db, current_user.namespace)
    try:
        person = people.find(db, org, person_id=person_id)
        name = person.name
        if action == "relink":
            account_links.relink(db, org, person, actor=actor, now=now)
            flash(f"{name}'s Microsoft account link was removed: the next sign-in links again.")
            return redirect(url_for(".index"), code=303)
        if action == "remove":
            people.remove(db, org, person, actor=actor, now=now, actor_id=current_user.id)
        else:
            active = action == "activate"
            people.set_active(
                db, org, person, active=active, actor=actor, now=now, actor_id=current_user.id
            )
        flash(f"{name} was {action}d.", "success")
    except AdminError as exc:
        flash(exc.message, "error")
    return redirect(url_for(".index"), code=303)
