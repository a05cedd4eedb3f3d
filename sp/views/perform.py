"""Trakstar Perform itself, as much as SSO needs: a landing page, sign-in page and dashboard."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

bp = Blueprint("perform", __name__)


@bp.get("/")
def index() -> Response:
    target = "perform.dashboard" if current_user.is_authenticated else "perform.login"
    return redirect(url_for(target))


@bp.get("/login")
def login() -> str:
    return render_template("auth/login.html", namespace=request.args.get("namespace", ""))


@bp.get("/dashboard")
@login_required
def dashboard() -> str:
    sso = session.get("sso") or {}
    return render_template("dashboard.html", sso=sso)


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    session.clear()
    return redirect(url_for("perform.login"))
