"""`GET /v1.0/auditLogs/signIns` (and one row by ID): the sign-in logs as Microsoft Graph
serves them, with `$filter` and `$top` (see `mock_idp/signin_log.py`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from mock_idp import signin_log
from mock_idp.admin.errors import AdminError, NotFound
from mock_idp.admin.graph_json import collection
from mock_idp.views.answer import store
from mock_idp.views.graph import V1, context, guard

bp = Blueprint("graph_signins", __name__)
guard(bp)


def recorded() -> list[tuple[int, dict[str, Any]]]:
    return list(store().tail(signin_log.LOG, signin_log.KEEP))


@bp.get(V1 + "/auditLogs/signIns")
def list_sign_ins() -> Response:
    try:
        clauses = signin_log.parse_filter(request.args.get("$filter", ""))
        top = signin_log.parse_top(request.args.get("$top"))
    except signin_log.FilterError as error:
        raise AdminError(str(error)) from error
    rows = signin_log.select(recorded(), clauses, top)
    return jsonify(collection(context("auditLogs/signIns"), rows))


@bp.get(V1 + "/auditLogs/signIns/<sign_in_id>")
def get_sign_in(sign_in_id: str) -> Response:
    found = next((r for _, r in recorded() if r["id"] == sign_in_id.lower()), None)
    if found is None:
        raise NotFound(
            f"Resource '{sign_in_id}' does not exist or one of its queried reference-property "
            "objects are not present."
        )
    return jsonify({"@odata.context": context("auditLogs/signIns/$entity"), **found})
