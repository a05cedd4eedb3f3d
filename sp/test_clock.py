"""The SP's time travel, in test mode only: `POST /_test/clock {"advance": "PT61M"}`.

Test mode (`SP_TEST_MODE=1`; the e2e harness and `make run TEST_MODE=1` set it) gives the SP a
clock that is the wall clock plus an offset the tests move forward, so assertion expiry,
certificate expiry and pending-request lifetimes are tested without sleeping. pysaml2's own
time checks move with it (sp/saml/wall_clock.py). The clock never moves back.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from sp.state import SpState, get_state

bp = Blueprint("test_clock", __name__, url_prefix="/_test/clock")
MAX_ADVANCE = timedelta(days=3650)
_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


class TravelClock:
    """Wall clock plus an offset that only grows."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, step: timedelta) -> None:
        from sp.saml import wall_clock  # imports pysaml2: only when time actually moves

        with self._lock:
            self.offset += step
            wall_clock.shift(self.offset)


def install(app: Flask, state: SpState) -> None:
    if not state.config.test_mode:
        return
    state.clock = TravelClock()
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)  # JSON only: no cross-site form can send it


def parse_duration(value: object) -> timedelta | str:
    """An ISO 8601 duration (weeks to seconds), or what is wrong with it."""
    match = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if match is None or not any(match.groupdict().values()):
        return (
            f'advance: {value!r} is not an ISO 8601 duration such as "PT61M" or "P400D" '
            "(weeks, days, hours, minutes, seconds; no years or months, whose length varies)"
        )
    step = timedelta(**{k: float(v) for k, v in match.groupdict().items() if v})
    return step if step <= MAX_ADVANCE else f"advance: {value!r} is more than ten years"


def _reading(clock: TravelClock) -> dict[str, Any]:
    return {
        "now": clock().isoformat().replace("+00:00", "Z"),
        "advanced_seconds": clock.offset.total_seconds(),
    }


def _clock() -> TravelClock:
    clock = get_state().clock
    assert isinstance(clock, TravelClock)  # install() put it there
    return clock


@bp.get("")
def read() -> Response:
    return jsonify(_reading(_clock()))


@bp.post("")
def advance() -> Response | tuple[Response, int]:
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict) or set(body) != {"advance"}:
        return jsonify(error='send JSON: {"advance": "PT61M"} (an ISO 8601 duration)'), 400
    step = parse_duration(body["advance"])
    if isinstance(step, str):
        return jsonify(error=step), 400
    _clock().advance(step)
    return jsonify(_reading(_clock()))
