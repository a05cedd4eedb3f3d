"""`/sso/checks/<id>`: the checks the ACS ran on one response (the tracer's Trakstar side).

Shown to the organisation's administrators (any attempt, refused ones included: that is what
they debug) and to a person for the sign-in that opened their own session; to anyone else it
does not exist (404), because a refused attempt can carry someone else's NameID and claims.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from sp import acs_checks, organisations
from sp.db import get_db

bp = Blueprint("checks", __name__)


@bp.get("/sso/checks/<attempt_id>")
@login_required
def show(attempt_id: str) -> str:
    db = get_db()
    attempt = acs_checks.find(db, attempt_id[:32])
    org = organisations.find(db, current_user.namespace)
    if attempt is None or not acs_checks.may_read(
        attempt, person_id=current_user.id, organisation_id=org.id, is_admin=current_user.is_admin
    ):
        abort(404)
    return render_template("checks.html", attempt=attempt)
