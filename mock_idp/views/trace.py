"""`/trace/`: the SAML tracer's pages — recent flows, one flow's hops and messages, its sequence
diagram, raw downloads, and the step-mode switch. Registered only when the tracer is on."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from mock_idp.state import get_state
from mock_idp.trace import diagram, flows
from mock_idp.trace.explain import explain
from mock_idp.views import trace_recorder

bp = Blueprint("trace", __name__, url_prefix="/trace")


def install(app: Flask) -> None:
    app.register_blueprint(bp)
    trace_recorder.install(app)


def _flow(flow_id: str) -> flows.Flow:
    flow = flows.find(trace_recorder.trace_store(get_state()), flow_id)
    if flow is None:
        abort(404, description=f"No flow '{flow_id}' in the trace (it keeps the latest hops).")
    return flow


def _step_on() -> bool:
    state = get_state()
    return flows.step_mode(trace_recorder.trace_store(state), state.config.step)


@bp.get("/")
def index() -> str:
    recent = flows.recent(trace_recorder.trace_store(get_state()))
    return render_template("trace/index.html", flows=recent, step=_step_on())


@bp.post("/step")
def step() -> Response:
    on = request.form.get("step") == "on"
    flows.set_step_mode(trace_recorder.trace_store(get_state()), on)
    return redirect(request.form.get("next") or url_for("trace.index"))


@bp.get("/<flow_id>")
def flow(flow_id: str) -> str:
    found = _flow(flow_id)
    messages = {
        (n, side): explain(hop[side], hop.get("facts"), request_id=found.request_id)
        for n, hop in enumerate(found.hops)
        for side in ("message", "out")
        if hop.get(side)
    }
    return render_template(
        "trace/flow.html", flow=found, messages=messages, step=_step_on(), offset=flows.offset
    )


@bp.get("/<flow_id>/sequence")
def sequence(flow_id: str) -> str:
    found = _flow(flow_id)
    return render_template("trace/sequence.html", flow=found, diagram=diagram.layout(found.hops))


@bp.get("/<flow_id>/<int:n>/<side>.<fmt>")
def download(flow_id: str, n: int, side: str, fmt: str) -> Response:
    hops = _flow(flow_id).hops
    if n >= len(hops) or side not in ("message", "out") or not hops[n].get(side):
        abort(404, description="No such message in this flow.")
    message = explain(hops[n][side], None, request_id=None)
    if fmt not in ("xml", "b64"):
        abort(404, description="Download as .xml or .b64.")
    body = message.decoded.xml if fmt == "xml" else message.decoded.raw.encode()
    name = f"{message.kind}-{n}.{'xml' if fmt == 'xml' else 'b64.txt'}"
    return Response(
        body,
        mimetype="application/xml" if fmt == "xml" else "text/plain",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
