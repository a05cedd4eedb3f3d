"""Monitoring > Sign-in logs: every sign-in attempt, filtered by user, application and status,
and one row's details (Basic info, Authentication details)."""

from __future__ import annotations

from flask import Blueprint, abort, request

from mock_idp import signin_log
from mock_idp.views.graph_signins import recorded
from mock_idp.views.portal import page, require_admin

bp = Blueprint("portal_signins", __name__, url_prefix="/admin")
bp.before_request(require_admin)
STATUSES = {"": "All", "success": "Success", "failure": "Failure"}


@bp.get("/signins")
def index() -> tuple[str, int]:
    user, app, status = (request.args.get(k, "").strip() for k in ("user", "app", "status"))
    clauses = (
        [signin_log.Clause(field="userPrincipalName", op="startswith", value=user)] if user else []
    )
    if app:
        clauses.append(signin_log.Clause(field="appDisplayName", op="startswith", value=app))
    if status in ("success", "failure"):
        clauses.append(
            signin_log.Clause(
                field="status/errorCode", op="eq" if status == "success" else "ne", value=0
            )
        )
    rows = signin_log.select(recorded(), clauses, 1000)
    chosen = request.args.get("id", "")
    detail = next((r for r in rows if r["id"] == chosen), None) if chosen else None
    if chosen and detail is None:
        abort(404, description=f"No sign-in with Request ID '{chosen}' in this list.")
    filters = {"user": user, "app": app, "status": status}
    return page("portal/signins.html", title="Sign-in logs", nav="signins", rows=rows,
                detail=detail, filters=filters, statuses=STATUSES)  # fmt: skip
