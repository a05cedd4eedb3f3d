"""`/_harness/clock`: read the mock's clock and move it forward (test mode only).

`POST {"advance": "PT61M"}` moves it by an ISO 8601 duration, so tests see assertions, sessions
and certificates expire without sleeping. The clock never moves back. See mock_idp/determinism.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from mock_idp.determinism import Clock, DeterminismError, parse_duration
from mock_idp.state import get_state

bp = Blueprint("harness_clock", __name__, url_prefix="/_harness/clock")


def install(app: Flask) -> None:
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)  # JSON only: no cross-site form can send it


def _clock() -> Clock | None:
    clock = get_state().clock
    return clock if isinstance(clock, Clock) else None


def _reading(clock: Clock) -> dict[str, Any]:
    return {
        "now": clock().isoformat().replace("+00:00", "Z"),
        "fixed": clock.fixed is not None,
        "advanced_seconds": clock.offset().total_seconds(),
        "seeded": get_state().tokens.seed is not None,
    }


@bp.get("")
def read() -> Response | tuple[Response, int]:
    clock = _clock()
    if clock is None:
        return jsonify(error="this mock's clock was replaced in-process; move it there"), 409
    return jsonify(_reading(clock))


@bp.post("")
def advance() -> Response | tuple[Response, int]:
    clock = _clock()
    if clock is None:
        return jsonify(error="this mock's clock was replaced in-process; move it there"), 409
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict) or set(body) != {"advance"}:
        return jsonify(error='send JSON: {"advance": "PT61M"} (an ISO 8601 duration)'), 400
    try:
        clock.advance(parse_duration(body["advance"]))
    except DeterminismError as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(_reading(clock))
