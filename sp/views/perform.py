"""Trakstar Perform itself, as much as SSO needs: a landing page, sign-in page and dashboard."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from sp import account_links, sign_in, web_session
from sp.db import get_db
from sp.members import Member
from sp.saml import errors
from sp.sso import organisation_for_sso, safe_return_path
from sp.state import get_state

bp = Blueprint("perform", __name__)


@bp.get("/")
def index() -> Response:
    target = "perform.dashboard" if current_user.is_authenticated else "perform.login"
    return redirect(url_for(target))


def _login_page(values: Mapping[str, str], **context: object) -> str:
    """The sign-in page; `namespace` and `next` travel from the query or the form."""
    return render_template(
        "auth/login.html",
        namespace=values.get("namespace", ""),
        next=values.get("next", ""),
        email=values.get("email", ""),
        **context,
    )


@bp.get("/login")
def login() -> str:
    return _login_page(request.args)


@bp.post("/login")
def password_login() -> Response | tuple[str, int]:
    """Email and password; CSRF-protected like every form but the ACS."""
    form = request.form
    try:
        person = sign_in.with_password(
            get_db(),
            email=form.get("email", ""),
            password=form.get("password", ""),
            namespace=form.get("namespace", "").strip(),
            client=request.remote_addr or "",
            now=get_state().clock(),
            password_cost=get_state().config.password_cost,
        )
    except sign_in.SignInRefused as refused:
        ask_namespace = isinstance(refused, sign_in.AmbiguousAccount)
        return _login_page(form, error=refused.message, ask_namespace=ask_namespace), refused.status
    # A fresh session: no pre-login state survives into it.
    web_session.sign_in(Member.of(person))
    return redirect(safe_return_path(form.get("next")), code=303)


@bp.get("/dashboard")
@login_required
def dashboard() -> str:
    db = get_db()
    link = account_links.linked_account(db, current_user.id)
    return render_template(
        "dashboard.html",
        sso=web_session.current_sso(),
        link=link,
        can_link=link is None and _sso_ready(db, current_user.namespace),  # asked only then
    )


def _sso_ready(db: Session, namespace: str) -> bool:
    """Entitled to SSO, with SAML settings: a Microsoft account can be linked."""
    try:
        organisation_for_sso(db, namespace)
    except errors.SsoError:
        return False
    return True
