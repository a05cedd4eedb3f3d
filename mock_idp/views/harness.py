"""`/_harness/…`: the fault catalogue's control API and pages. Registered in test mode only.

JSON endpoints for CI (they require a JSON body where they change anything), and three pages:
the catalogue, the login-CSRF capture, and "another origin" (a stored response auto-posted
from the mock into a browser that started no sign-in).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from mock_idp import sso
from mock_idp.admin import apps as admin_apps
from mock_idp.admin import directory
from mock_idp.admin.errors import NotFound
from mock_idp.faults import runtime
from mock_idp.faults.catalogue import CATALOGUE, SECTIONS, UnknownCase, get
from mock_idp.faults.describe import case_json, issued_json, markdown_table
from mock_idp.protocol import errors
from mock_idp.protocol.errors import AadstsError
from mock_idp.sessions import PendingSignIn, SignedInUser
from mock_idp.sso import PostForm
from mock_idp.state import get_state
from mock_idp.views import auto_post

bp = Blueprint("harness", __name__, url_prefix=runtime.HARNESS_PREFIX)
MAX_COUNT = 100


def _problem(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error=message), status


def _app_or_none(app_id: str) -> Any:
    return get_state().tenant.apps.get(app_id)


@bp.get("/")
def index() -> str:
    apps = list(get_state().tenant.apps.values())
    return render_template("harness/index.html", cases=CATALOGUE, sections=SECTIONS, apps=apps)


@bp.get("/faults")
def faults() -> Response:
    if request.args.get("format") == "markdown":
        return Response(markdown_table(CATALOGUE), mimetype="text/markdown")
    return jsonify(faults=[case_json(c) for c in CATALOGUE])


@bp.get("/faults/<name>")
def fault(name: str) -> Response | tuple[Response, int]:
    try:
        return jsonify(case_json(get(name)))
    except UnknownCase as exc:
        return _problem(404, str(exc))


@bp.get("/apps")
def apps() -> Response:
    book = runtime.book()
    rows = [
        {
            "app_id": a.app_id,
            "name": a.name,
            "identifiers": a.identifiers,
            "signing_option": a.signing_option,
            "tenant_scenario": a.scenario,
            "next_responses": book.queued(a.app_id),
        }
        for a in get_state().tenant.apps.values()
    ]
    return jsonify(apps=rows)


@bp.route("/apps/<app_id>/next-responses", methods=["GET", "POST", "DELETE"])
def next_responses(app_id: str) -> Response | tuple[Response, int]:
    if _app_or_none(app_id) is None:
        return _problem(404, f"no app {app_id!r} in the tenant (GET {bp.url_prefix}/apps)")
    book = runtime.book()
    if request.method == "DELETE":
        book.clear(app_id)
    elif request.method == "POST":
        if not request.is_json:
            return _problem(415, 'send JSON: {"cases": ["xsw1"], "count": 1}')
        cases = _requested_cases(request.get_json(silent=True))
        if isinstance(cases, str):
            return _problem(400, cases)
        try:
            return jsonify(app_id=app_id, next_responses=book.queue(app_id, cases)), 201
        except ValueError as exc:
            return _problem(400, str(exc))
    return jsonify(app_id=app_id, next_responses=book.queued(app_id))


def _requested_cases(body: object) -> list[str] | str:
    """The cases to queue, `count` times over; or what is wrong with the body."""
    if not isinstance(body, dict):
        return 'the body must be a JSON object: {"cases": ["xsw1"], "count": 1}'
    names, count = body.get("cases"), body.get("count", 1)
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        return '"cases" must be a non-empty list of case names (GET /_harness/faults)'
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        return f'"count" must be an integer from 1 to {MAX_COUNT}'
    for name in names:
        try:
            get(name)
        except UnknownCase as exc:
            return str(exc)
    return names * count


@bp.post("/apps/<app_id>/response")
def issue_response(app_id: str) -> Response | tuple[Response, int]:
    """A signed SAMLResponse for a user, as the browser would carry it to the app's default
    Reply URL, without a browser: `{"user": UPN or object ID, "in_response_to": ID or null,
    "relay_state": …, "case": fault case name or null}`. Entra's checks still apply (an
    unassigned or disabled user gets its AADSTS error, as a 403)."""
    try:
        data = request.get_json(silent=True) if request.is_json else None
    except RecursionError:  # nested deeper than the JSON parser recurses
        data = None
    if not isinstance(data, dict):
        return _problem(415, 'send a JSON object: {"user": "b.simon@contoso.com"}')
    unknown = set(data) - {"user", "in_response_to", "relay_state", "case"}
    if unknown:
        return _problem(400, f"unknown field {sorted(unknown)[0]!r}: use user, "
                        "in_response_to, relay_state, case")  # fmt: skip
    for name in ("user", "in_response_to", "relay_state", "case"):
        if data.get(name) is not None and not isinstance(data[name], str):
            return _problem(400, f'"{name}" must be a string')
    try:
        return jsonify(issued_for(app_id, data))
    except (NotFound, UnknownCase) as exc:
        return _problem(404 if isinstance(exc, NotFound) else 400, _text(exc))
    except AadstsError as exc:
        return _problem(403, str(exc))
    except HTTPException as exc:
        return _problem(exc.code or 400, exc.description or "")


def _text(exc: Exception) -> str:
    return exc.message if isinstance(exc, NotFound) else str(exc.args[0])


def issued_for(app_id: str, data: dict[str, Any]) -> dict[str, Any]:
    state = get_state()
    tenant = state.tenant
    with tenant.lock:
        app = admin_apps.find(tenant, app_id)
        if not data.get("user"):
            raise NotFound('"user" is required: a UPN or object ID of the tenant')
        user = directory.user(tenant, data["user"])
        case = get(data["case"]) if data.get("case") else None
        if not app.reply_urls:
            raise NotFound(f"the app {app.name} has no Reply URL to post the response to")
        if not user.enabled:
            raise errors.UserDisabled("The user account is disabled.")
        sso.authorize(app, user)
        now = state.clock()
        pending = PendingSignIn(
            app_id=app.app_id,
            acs_url=app.reply_urls[0],
            request_id=data.get("in_response_to") or None,
            relay_state=data.get("relay_state"),
        )
        signed_in = SignedInUser(object_id=user.object_id, authn_instant=now)
        form = sso.issue(
            tenant, app, user, pending, signed_in, now=now, new_id=state.new_id,
            deliver=runtime.delivery_with(case),
        )  # fmt: skip
    return {
        "saml_response": form.saml_response,
        "relay_state": form.relay_state,
        "acs_url": form.action,
        "case": case.name if case else None,
    }


@bp.get("/last-response")
def last_response() -> Response | tuple[Response, int]:
    issued = runtime.book().last(request.args.get("app_id"))
    if issued is None:
        return _problem(404, "the mock has issued no response yet")
    return jsonify(issued_json(issued))


@bp.get("/responses")
def responses() -> Response:
    return jsonify(responses=[issued_json(i) for i in runtime.book().recent()])


@bp.post("/reset")
def reset() -> Response | tuple[Response, int]:
    if not request.is_json:
        return _problem(415, "send an empty JSON object: {}")
    runtime.book().reset()
    return jsonify(reset=True)


@bp.post("/captured/<capture_id>")
def captured(capture_id: str) -> str | tuple[str, int]:
    form = runtime.book().captured(capture_id)
    if form is None:
        return render_template("harness/captured.html", link=None), 404
    link = url_for("harness.another_origin_capture", capture_id=capture_id, _external=False)
    return render_template("harness/captured.html", link=link, form=form)


@bp.get("/another-origin/<capture_id>")
def another_origin_capture(capture_id: str) -> str | tuple[str, int]:
    return _auto_post(runtime.book().captured(capture_id))


@bp.get("/another-origin")
def another_origin() -> str | tuple[str, int]:
    issued = runtime.book().last(request.args.get("app_id"), replayable=True)
    return _auto_post(issued.form if issued else None)


def _auto_post(form: PostForm | None) -> str | tuple[str, int]:
    if form is None:
        return render_template("harness/captured.html", link=None), 404
    return auto_post.page(form)


@bp.get("/probe/<path:rest>")
def probe(rest: str) -> Response:
    runtime.book().probe(rest)
    return Response("", mimetype="application/xml-dtd")


@bp.get("/probes")
def probes() -> Response:
    return jsonify(probes=runtime.book().probes())
