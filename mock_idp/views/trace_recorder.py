"""Record the browser's exchanges with the mock as trace hops: Flask hooks, no view edits.

Registered by `install` only when the tracer is on. Each request to Entra's sign-in and
sign-out endpoints (and the launches of My Apps and Test this application) becomes a hop; the
flow it belongs to is kept in the mock's session (`trace_flow`). Nothing but what the browser
itself sent or received is kept: SAML messages, RelayState, URLs, statuses — never a password
or any other form field. A recording failure is logged and never breaks a sign-in.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g, render_template, request, session
from werkzeug.wrappers import Response

from mock_idp.protocol.xml import SAMLP
from mock_idp.state import IdpState, get_state
from mock_idp.store import Store
from mock_idp.trace import flows
from mock_idp.trace.explain import explain
from mock_idp.trace.facts import app_for, facts_of
from mock_idp.trace.messages import PARAMS, AutoPost, aadsts_code, auto_post, decode, in_query
from mock_idp.trace.rules import rule_for

log = logging.getLogger("mock_idp")
# A launch starts a flow before any SAML message exists.
STARTS = {
    "myapps.launch": "My Apps tile (User access URL)",
    "portal_sso.test": "Test this application",
}
LABELS = {"login": "Sign-in page", "password": "Password", "mfa": "Verification code"}


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


def _incoming() -> tuple[str, str, str | None, str] | None:
    """(param, raw, RelayState, binding) of a SAML message the browser brought, if any."""
    for param in PARAMS:
        if param in request.args:
            return param, request.args[param], request.args.get("RelayState"), "redirect"
        if request.method == "POST" and param in request.form:
            return param, request.form[param], request.form.get("RelayState"), "post"
    return None


def _message(param: str, raw: str, relay_state: str | None, binding: str) -> dict[str, Any]:
    decoded = decode(raw, param=param, binding="redirect" if binding == "redirect" else "post")
    root = decoded.root
    return {
        "kind": decoded.kind,
        "param": param,
        "binding": binding,
        "raw": raw,
        "relay_state": relay_state,
        "id": root.get("ID") if root is not None else None,
        "issuer": _text(root, "Issuer"),
        "audience": _text(root, "Audience"),
        "destination": root.get("Destination") if root is not None else None,
        "aadsts": _aadsts(root),
    }


def _aadsts(root: Any) -> int | None:
    if root is None:
        return None
    found = root.find(f".//{{{SAMLP}}}StatusMessage")
    return aadsts_code(found.text or "") if found is not None else None


def _text(root: Any, local: str) -> str:
    if root is None:
        return ""
    found = root.find(f".//{{urn:oasis:names:tc:SAML:2.0:assertion}}{local}")
    return (found.text or "").strip() if found is not None else ""


def _facts(state: IdpState, message: dict[str, Any] | None) -> dict[str, Any] | None:
    if not message:
        return None
    app = app_for(
        state.tenant,
        issuer=message["issuer"] if message["kind"] == "AuthnRequest" else "",
        audience=message["audience"] or "",
        reply_url=message["destination"] or "",
    )
    return facts_of(state.tenant, app).to_dict() if app is not None else None


def _page(response: Response) -> str:
    if response.mimetype != "text/html" or response.direct_passthrough or response.is_streamed:
        return ""
    return response.get_data(as_text=True)


def _record(state: IdpState, response: Response) -> Response:
    page = _page(response)
    form = auto_post(page) if page else None
    incoming = _incoming()
    message = _message(*incoming) if incoming else None
    open_flow: str | None = session.get("trace_flow")
    starts = request.endpoint in STARTS or (
        message is not None and message["kind"] in ("AuthnRequest", "LogoutRequest")
    )
    sign_in_page = _on_sign_in_pages(state)
    if not (starts or form or (open_flow and sign_in_page) or message):
        return response
    now = state.clock()
    started = getattr(g, "trace_started", now)
    flow_id = open_flow if open_flow and not (starts and session.get("trace_saml")) else None
    if flow_id is None:
        flow_id = flows.new_flow(trace_store(state), started.isoformat())
        session["trace_saml"] = False
    hops: list[dict[str, Any]] = []
    facts = _facts(state, message)
    if message and message["kind"] == "AuthnRequest":
        hops.append(_before(flow_id, started.isoformat(), state, facts))
    code = aadsts_code(page) if page and sign_in_page else None
    out = _outgoing(response, form)
    code = code or _status_code(out)
    hop: dict[str, Any] = {
        "flow": flow_id,
        "at": started.isoformat(),
        "ms": (now - started).total_seconds() * 1000,
        "to": "entra",
        "seen": True,
        "method": request.method,
        "url": request.url,
        "label": _label(message),
        "status": response.status_code,
        "answer": _answer(response, form),
        "location": response.location if response.status_code in (301, 302, 303, 307) else None,
        "binding": message["binding"] if message else None,
        "message": message,
        "facts": facts or _facts(state, out),
        "error": {"code": code, "rule": rule_for(code)} if code else None,
        "out": out,
    }
    hops.append(hop)
    hops += _after(flow_id, now.isoformat(), response, form)
    sign_out_done = bool(message and message["kind"].startswith("Logout")) and not out
    ended = bool(form) or response.status_code >= 400 or sign_out_done
    hops[-1]["end"] = ended
    flows.record(trace_store(state), hops)
    if message or out:
        session["trace_saml"] = True
    if ended:
        session.pop("trace_flow", None)
        session.pop("trace_saml", None)
    else:
        session["trace_flow"] = flow_id
    if form and form.param == "SAMLResponse" and _step(state):
        return _stop_before_post(state, response, flow_id, form, hop)
    return response


def _on_sign_in_pages(state: IdpState) -> bool:
    """Entra's endpoints under `/{tenant}/`: saml2 and the sign-in steps, whatever their names."""
    first = request.path.strip("/").split("/", 1)[0].lower()
    tenant = state.tenant
    return request.blueprint == "saml2" or first in (tenant.tenant_id, tenant.domain.lower())


def _status_code(message: dict[str, Any] | None) -> int | None:
    """The AADSTS code of an error Response the browser carries to the app, if it is one."""
    return message.get("aadsts") if message else None


def _label(message: dict[str, Any] | None) -> str:
    if message:
        return f"{message['kind']} ({'Redirect' if message['binding'] == 'redirect' else 'POST'})"
    if request.endpoint in STARTS:
        return STARTS[request.endpoint]
    last = request.path.rstrip("/").rsplit("/", 1)[-1]
    return LABELS.get(last, request.path)


def _answer(response: Response, form: AutoPost | None) -> str:
    if form:
        return "auto-post page"
    if response.location:
        return "redirect to " + (urlsplit(response.location).path or "/")
    return ""


def _outgoing(response: Response, form: AutoPost | None) -> dict[str, Any] | None:
    """The SAML message the browser carries away: the auto-post form's, or a redirect's."""
    if form:
        return _message(form.param, form.value, form.relay_state, "post")
    found = in_query(response.location) if response.location else None
    return _message(found[0], found[1], found[2], "redirect") if found else None


def _before(flow_id: str, at: str, state: IdpState, facts: dict[str, Any] | None) -> dict[str, Any]:
    """The SP's page that sent the browser here: the mock never saw it."""
    referer = request.referrer or ""
    if referer and urlsplit(referer).netloc == urlsplit(state.config.sp_url).netloc:
        url, source = referer, "the Referer header"
    elif facts and facts.get("sign_on_url"):
        url, source = facts["sign_on_url"], "the app's Sign on URL (Basic SAML Configuration)"
    else:
        url, source = state.config.sp_url + "/", "the SP's address (the page is not known)"
    return {
        "flow": flow_id, "at": at, "ms": None, "to": "trakstar", "seen": False, "first": True,
        "method": "GET", "url": url, "label": "Sign on URL", "source": source,
        "status": None, "message": None, "facts": None, "error": None,
    }  # fmt: skip


def _after(
    flow_id: str, at: str, response: Response, form: AutoPost | None
) -> list[dict[str, Any]]:
    """Where the browser goes next, at the SP: from the form's action or the Location."""
    common = {"flow": flow_id, "at": at, "ms": None, "to": "trakstar", "seen": False}
    if form:
        return [
            {**common, "method": "POST", "url": form.action, "label": f"ACS ({form.param})",
             "source": "the auto-post form's action", "status": None},
            {**common, "method": "GET", "url": "", "label": "the SP's next page",
             "source": "the SP's answer to that POST", "status": None},
        ]  # fmt: skip
    location = response.location or ""
    if location and in_query(location) and urlsplit(location).netloc != request.host:
        return [{**common, "method": "GET", "url": location, "label": "SP sign-out endpoint",
                 "source": "the redirect's Location", "status": None}]  # fmt: skip
    return []


def _step(state: IdpState) -> bool:
    return flows.step_mode(trace_store(state), state.config.step)


def _stop_before_post(
    state: IdpState, response: Response, flow_id: str, form: AutoPost, hop: dict[str, Any]
) -> Response:
    """Step mode: the same form, posted only when the trainer clicks Continue."""
    flow = flows.find(trace_store(state), flow_id)
    request_id = flow.request_id if flow else None
    explained = explain(hop["out"], hop["facts"], request_id=request_id)
    response.set_data(
        render_template(
            "trace/step.html",
            form=form,
            flow_id=flow_id,
            message=explained,
            app_name=(hop["facts"] or {}).get("name", ""),
        )
    )
    return response
