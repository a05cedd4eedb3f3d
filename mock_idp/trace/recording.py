"""One HTTP exchange between the browser and the mock, turned into trace hops (pure).

The Flask hooks (`views/trace_recorder.py`) describe the exchange as an `Exchange`; `hops_for`
decides whether it belongs to a flow, which flow, and which hops it makes: the one the mock saw,
plus the hops at the SP it did not see (the Sign on URL before an AuthnRequest, the POST to the
ACS and the SP's next page after an auto-post, a sign-out redirect to the SP), built from what
it knows and marked `seen: false`. Only what the browser sent or received is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from mock_idp.protocol.xml import SAML, SAMLP
from mock_idp.tenant import Tenant
from mock_idp.trace.facts import app_for, facts_of
from mock_idp.trace.messages import (
    AutoPost,
    Binding,
    aadsts_code,
    auto_post,
    decode,
    in_query,
    page_error_code,
)
from mock_idp.trace.rules import rule_for

Record = dict[str, Any]
LABELS = {
    "login": "Sign-in page",
    "password": "Password",
    "mfa": "Verification code",
    "kmsi": "Stay signed in?",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Incoming:
    """A SAML message the browser brought (query or form)."""

    param: str
    raw: str
    relay_state: str | None
    binding: str  # "redirect" or "post"


@dataclass(frozen=True, kw_only=True, slots=True)
class Exchange:
    method: str
    url: str
    path: str
    host: str
    referer: str
    launch: str  # the name of a launch (My Apps tile, Test this application), else ""
    on_sign_in_pages: bool  # under `/{tenant}/`: saml2 and the sign-in steps
    incoming: Incoming | None
    status: int
    location: str
    page: str  # the HTML answer, "" for anything else
    started: datetime
    finished: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class OpenFlow:
    """The flow this browser is in, from its session."""

    id: str
    has_saml: bool  # it already carries a SAML message: a new request starts a new flow


@dataclass(frozen=True, kw_only=True, slots=True)
class Recorded:
    hops: tuple[Record, ...]
    flow: OpenFlow | None  # still open after this exchange; None when it ended
    form: AutoPost | None  # the auto-post form, when this exchange answered with one
    hop: Record  # the hop the mock saw


def message_record(incoming: Incoming) -> Record:
    """What the tracer keeps of a message: raw as sent, plus the fields it groups flows by."""
    binding: Binding = "redirect" if incoming.binding == "redirect" else "post"
    decoded = decode(incoming.raw, param=incoming.param, binding=binding)
    root = decoded.root
    return {
        "kind": decoded.kind,
        "param": incoming.param,
        "binding": binding,
        "raw": incoming.raw,
        "relay_state": incoming.relay_state,
        "id": root.get("ID") if root is not None else None,
        "issuer": _text(root, f"{{{SAML}}}Issuer"),
        "audience": _text(root, f"{{{SAML}}}Audience"),
        "destination": root.get("Destination") if root is not None else None,
        "aadsts": aadsts_code(_text(root, f"{{{SAMLP}}}StatusMessage")),
    }  # fmt: skip


def _text(root: etree._Element | None, tag: str) -> str:
    found = root.find(f".//{tag}") if root is not None else None
    return (found.text or "").strip() if found is not None else ""


def _facts(tenant: Tenant, message: Record | None) -> Record | None:
    if not message:
        return None
    app = app_for(
        tenant,
        issuer=message["issuer"] if message["kind"] == "AuthnRequest" else "",
        audience=message["audience"] or "",
        reply_url=message["destination"] or "",
    )
    return facts_of(tenant, app).to_dict() if app is not None else None


def hops_for(
    exchange: Exchange,
    *,
    open_flow: OpenFlow | None,
    tenant: Tenant,
    sp_url: str,
    new_flow: Callable[[], str],
) -> Recorded | None:
    """The hops of one exchange, or None when it is not part of any SAML flow."""
    form = auto_post(exchange.page) if exchange.page else None
    message = message_record(exchange.incoming) if exchange.incoming else None
    starts = bool(exchange.launch) or (
        message is not None and message["kind"] in ("AuthnRequest", "LogoutRequest")
    )
    if not (starts or form or message or (open_flow and exchange.on_sign_in_pages)):
        return None
    continuing = open_flow is not None and not (starts and open_flow.has_saml)
    flow_id = open_flow.id if continuing and open_flow else new_flow()
    at, done = exchange.started.isoformat(), exchange.finished.isoformat()
    facts = _facts(tenant, message)
    out = _outgoing(exchange, form)
    code = page_error_code(exchange.page) if exchange.on_sign_in_pages else None
    code = code or (out or {}).get("aadsts")
    hop: Record = {
        "flow": flow_id, "at": at, "to": "entra", "seen": True,
        "ms": (exchange.finished - exchange.started).total_seconds() * 1000,
        "method": exchange.method, "url": exchange.url, "label": _label(exchange, message),
        "status": exchange.status, "answer": _answer(exchange, form),
        "location": exchange.location or None,
        "binding": message["binding"] if message else None,
        "message": message, "out": out, "facts": facts or _facts(tenant, out),
        "error": {"code": code, "rule": rule_for(code)} if code else None,
    }  # fmt: skip
    before = [_before(flow_id, at, exchange, sp_url, facts)] if _is_request(message) else []
    hops = [*before, hop, *_after(flow_id, done, exchange, form)]
    sign_out_done = bool(message and message["kind"].startswith("Logout")) and not out
    ended = bool(form) or exchange.status >= 400 or sign_out_done
    hops[-1]["end"] = ended
    hops[0]["first"] = hops[0].get("first", False) or not continuing
    has_saml = bool(message or out) or (continuing and open_flow is not None and open_flow.has_saml)
    still_open = None if ended else OpenFlow(id=flow_id, has_saml=has_saml)
    return Recorded(hops=tuple(hops), flow=still_open, form=form, hop=hop)


def _is_request(message: Record | None) -> bool:
    return bool(message and message["kind"] == "AuthnRequest")


def _label(exchange: Exchange, message: Record | None) -> str:
    if message:
        return f"{message['kind']} ({'Redirect' if message['binding'] == 'redirect' else 'POST'})"
    if exchange.launch:
        return exchange.launch
    last = exchange.path.rstrip("/").rsplit("/", 1)[-1]
    return LABELS.get(last, exchange.path)


def _answer(exchange: Exchange, form: AutoPost | None) -> str:
    if form:
        return "auto-post page"
    if exchange.location:
        return "redirect to " + (urlsplit(exchange.location).path or "/")
    return ""


def _outgoing(exchange: Exchange, form: AutoPost | None) -> Record | None:
    """The SAML message the browser carries away: the auto-post form's, or a redirect's."""
    if form:
        return message_record(
            Incoming(param=form.param, raw=form.value, relay_state=form.relay_state, binding="post")
        )
    found = in_query(exchange.location) if exchange.location else None
    if found is None:
        return None
    param, raw, relay_state = found
    return message_record(
        Incoming(param=param, raw=raw, relay_state=relay_state, binding="redirect")
    )


def _before(flow_id: str, at: str, exchange: Exchange, sp_url: str, facts: Record | None) -> Record:
    """The SP's page that sent the browser here: the mock never saw it."""
    referer = exchange.referer
    if referer and urlsplit(referer).netloc == urlsplit(sp_url).netloc:
        url, source = referer, "the Referer header"
    elif facts and facts.get("sign_on_url"):
        url, source = facts["sign_on_url"], "the app's Sign on URL (Basic SAML Configuration)"
    else:
        url, source = sp_url + "/", "the SP's address (the page is not known)"
    return {
        "flow": flow_id, "at": at, "ms": None, "to": "trakstar", "seen": False, "first": True,
        "method": "GET", "url": url, "label": "Sign on URL", "source": source,
        "status": None, "message": None, "facts": None, "error": None,
    }  # fmt: skip


def _after(flow_id: str, at: str, exchange: Exchange, form: AutoPost | None) -> list[Record]:
    """Where the browser goes next, at the SP: from the form's action or the Location."""
    common = {"flow": flow_id, "at": at, "ms": None, "to": "trakstar", "seen": False}
    if form:
        return [
            {**common, "method": "POST", "url": form.action, "label": f"ACS ({form.param})",
             "source": "the auto-post form's action", "status": None},
            {**common, "method": "GET", "url": "", "label": "the SP's next page",
             "source": "the SP's answer to that POST", "status": None},
        ]  # fmt: skip
    location = exchange.location
    if location and in_query(location) and urlsplit(location).netloc != exchange.host:
        return [{**common, "method": "GET", "url": location, "label": "SP sign-out endpoint",
                 "source": "the redirect's Location", "status": None}]  # fmt: skip
    return []
