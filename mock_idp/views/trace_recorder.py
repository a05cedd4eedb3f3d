"""Record the browser's exchanges with the mock as trace hops: Flask hooks, no view edits.

Registered by `install` only when the tracer is on. After each request the hook describes the
exchange (`trace.recording.Exchange`), the pure core turns it into hops, and they go to the
mock's shared store; the browser's open flow is kept in its session (`trace_flow`). In step
mode the auto-post page is swapped for the step page, the same form behind a Continue button.
A recording failure is logged and never breaks a sign-in.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, render_template, request, session
from werkzeug.wrappers import Response

from mock_idp.state import IdpState, get_state
from mock_idp.store import Store
from mock_idp.trace import flows
from mock_idp.trace.explain import explain
from mock_idp.trace.messages import PARAMS
from mock_idp.trace.recording import Exchange, Incoming, OpenFlow, Recorded, hops_for

log = logging.getLogger("mock_idp")
LAUNCHES = {  # endpoints that start a flow before any SAML message exists
    "myapps.launch": "My Apps tile (User access URL)",
    "portal_sso.test": "Test this application",
}


def install(app: Flask) -> None:
    app.before_request(_started)
    app.after_request(_finished)


def trace_store(state: IdpState) -> Store:
    """The mock's shared store: every worker records into, and reads, the same trace."""
    return state.store


def _started() -> None:
    g.trace_started = get_state().clock()


def _finished(response: Response) -> Response:
    if request.blueprint == "trace" or request.endpoint in (None, "static"):
        return response
    try:
        return _record(get_state(), response)
    except Exception:  # noqa: BLE001 - the tracer must never break a sign-in
        log.exception("tracer: could not record %s %s", request.method, request.path)
        return response


def _incoming() -> Incoming | None:
    for param in PARAMS:
        if param in request.args:
            args = request.args
            return Incoming(param=param, raw=args[param], relay_state=args.get("RelayState"),
                            binding="redirect")  # fmt: skip
        if request.method == "POST" and param in request.form:
            form = request.form
            return Incoming(param=param, raw=form[param], relay_state=form.get("RelayState"),
                            binding="post")  # fmt: skip
    return None


def _exchange(state: IdpState, response: Response) -> Exchange:
    html = response.mimetype == "text/html" and not (
        response.is_streamed or response.direct_passthrough
    )
    first = request.path.strip("/").split("/", 1)[0].lower()
    tenant = state.tenant
    now = state.clock()
    return Exchange(
        method=request.method, url=request.url, path=request.path, host=request.host,
        referer=request.referrer or "", launch=LAUNCHES.get(request.endpoint or "", ""),
        on_sign_in_pages=request.blueprint == "saml2"
        or first in (tenant.tenant_id, tenant.domain.lower()),
        incoming=_incoming(), status=response.status_code, location=response.location or "",
        page=response.get_data(as_text=True) if html else "",
        started=getattr(g, "trace_started", now), finished=now,
    )  # fmt: skip


def _record(state: IdpState, response: Response) -> Response:
    store = trace_store(state)
    data = session.get("trace_flow")
    recorded = hops_for(
        _exchange(state, response),
        open_flow=OpenFlow(**data) if isinstance(data, dict) else None,
        tenant=state.tenant,
        sp_url=state.config.sp_url,
        new_flow=lambda: flows.new_flow(store, state.clock().isoformat()),
    )
    if recorded is None:
        return response
    form = recorded.form
    stepping = bool(form and form.param == "SAMLResponse") and flows.step_mode(
        store, state.config.step
    )
    # Written with the request's sign-in log row and session, at its end, unless the step page
    # below reads this flow back now.
    flows.record(store, recorded.hops, later=not stepping)
    for request_id in g.get("signin_request_ids", ()):  # sign-in log rows of this request
        store.put(flows.SIGNIN_FLOWS, request_id, recorded.hop["flow"], later=True)
    if recorded.flow is None:
        session.pop("trace_flow", None)
    else:
        session["trace_flow"] = {"id": recorded.flow.id, "has_saml": recorded.flow.has_saml}
    if stepping:
        response.set_data(_step_page(store, recorded))
    return response


def _step_page(store: Store, recorded: Recorded) -> str:
    """Step mode: the same form, posted only when the trainer clicks Continue."""
    hop: dict[str, Any] = recorded.hop
    flow = flows.find(store, hop["flow"])
    message = explain(hop["out"], hop["facts"], request_id=flow.request_id if flow else None)
    return render_template(
        "trace/step.html",
        form=recorded.form,
        flow_id=hop["flow"],
        message=message,
        app_name=(hop["facts"] or {}).get("name", ""),
    )
