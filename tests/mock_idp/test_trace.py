"""The SAML tracer: hops recorded from the HTTP exchange, messages decoded and annotated,
step mode stopping the auto-post page, and Entra's own page untouched when it is off."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_idp.app import create_app
from mock_idp.certificates import SigningPair
from mock_idp.config import IdpConfig
from mock_idp.state import IdpState
from mock_idp.store import Store
from mock_idp.trace import flows
from mock_idp.trace.messages import auto_post, decode, page_error_code
from mock_idp.views.trace_recorder import trace_store
from tests.conftest import CERTS, IDP_URL, SP_URL
from tests.mock_idp.saml_requests import (
    ACS,
    TENANT_ID,
    authn_request,
    get,
    logout_request,
    password_step,
    redirect_query,
)

TRAKSTAR = "https://perform.trakstar.com"


def build(now: datetime, new_id: Callable[[], str], **options: bool) -> Flask:
    config = IdpConfig(base_url=IDP_URL, sp_url=SP_URL, certs_dir=CERTS, secret_key="t")
    app = create_app(replace(config, **options))  # type: ignore[arg-type]
    app.config["WTF_CSRF_ENABLED"] = False
    state: IdpState = app.extensions["mock_idp"]
    ticks = iter(now + timedelta(milliseconds=10 * n) for n in range(10_000))
    state.clock, state.new_id = (lambda: next(ticks)), new_id
    return app


@pytest.fixture
def traced(now: datetime, new_id: Callable[[], str]) -> Flask:
    return build(now, new_id, trace=True)


def sign_in(client: FlaskClient, request_id: str = "id-req-1") -> str:
    """SP-initiated: AuthnRequest (Redirect), the sign-in page, the password: the auto-post page."""
    first = get(client, redirect_query(authn_request(request_id=request_id), relay_state="rs"))
    client.get(first.headers["Location"])
    return password_step(client).get_data(as_text=True)


def only_flow(app: Flask) -> flows.Flow:
    with app.app_context():
        recent = flows.recent(trace_store(app.extensions["mock_idp"]))
    assert len(recent) == 1
    return recent[0]


def note_row(page: str, label: str) -> tuple[str, str, str]:
    """(value, text, check) of a note in the annotations table."""
    match = re.search(
        rf'data-label="{re.escape(label)}">\s*<th[^>]*>[^<]*</th>\s*<td class="value">([^<]*)</td>'
        r'\s*<td class="text">([^<]*)</td>\s*<td class="check[^"]*">([^<]*)</td>',
        page,
    )
    assert match, f"no note {label!r}"
    return tuple(html.unescape(match.group(n)) for n in (1, 2, 3))  # type: ignore[return-value]


def test_a_sign_in_is_one_flow_with_seen_and_unseen_hops(traced: Flask) -> None:
    client = traced.test_client()
    sign_in(client)

    flow = only_flow(traced)
    assert flow.kind == "sign-in" and flow.app == "Trakstar" and flow.request_id == "id-req-1"
    # "Stay signed in?" comes after the password when the tenant shows it.
    labels = [(h["label"], h["seen"]) for h in flow.hops if h["label"] != "Stay signed in?"]
    assert labels == [
        ("Sign on URL", False),
        ("AuthnRequest (Redirect)", True),
        ("Sign-in page", True),
        ("Password", True),
        ("ACS (SAMLResponse)", False),
        ("the SP's next page", False),
    ]
    assert flow.hops[0]["url"] == f"{SP_URL}/auth/saml/?namespace=contoso"  # the Sign on URL
    acs, posted = flow.hops[-2], flow.hops[-3]
    assert acs["url"] == ACS and acs["source"] == "the auto-post form's action"
    assert flow.hops[1]["message"]["kind"] == "AuthnRequest"
    assert posted["out"]["kind"] == "Response" and posted["out"]["relay_state"] == "rs"


def test_the_trace_keeps_no_password_and_no_form_field(traced: Flask) -> None:
    client = traced.test_client()
    sign_in(client)
    with traced.app_context():
        stored = repr(trace_store(traced.extensions["mock_idp"]).tail(flows.LOG, 100))
    assert "Passw0rd!" not in stored and "passwd" not in stored


def test_the_flow_page_annotates_where_each_value_came_from(
    traced: Flask, idp_pair: SigningPair
) -> None:
    client = traced.test_client()
    sign_in(client)
    page = client.get(f"/trace/{only_flow(traced).id}").get_data(as_text=True)

    value, text, check = note_row(page, "Audience")
    assert value == TRAKSTAR and "Identifier (Entity ID)" in text and "Basic SAML" in text
    assert check.startswith("✓")
    value, text, check = note_row(page, "Recipient")
    assert value == ACS and "Reply URL that matched" in text
    value, text, _ = note_row(page, "NameID")
    assert value == "B.Simon@contoso.com"
    assert "Unique User Identifier (Name ID): user.userprincipalname" in text
    value, text, check = note_row(page, "Certificate thumbprint")
    assert value == idp_pair.thumbprint and "SAML Certificates" in text and check.startswith("✓")
    value, _, check = note_row(page, "NotOnOrAfter")
    assert "+60 min from IssueInstant" in check
    assert "-5 min from IssueInstant" in note_row(page, "NotBefore")[2]
    assert note_row(page, "InResponseTo")[0] == "id-req-1"
    assert note_row(page, "Issuer")[0] == TRAKSTAR  # the AuthnRequest's, matched to the app
    assert "matched Trakstar by its Identifier" in note_row(page, "Issuer")[2]
    assert '<span class="tag">Audience</span>' in page  # highlighted, server-side


def test_raw_xml_and_base64_download(traced: Flask) -> None:
    client = traced.test_client()
    form = auto_post(sign_in(client))
    assert form is not None
    flow = only_flow(traced)

    xml = client.get(f"/trace/{flow.id}/3/out.xml")
    b64 = client.get(f"/trace/{flow.id}/3/out.b64")

    assert xml.headers["Content-Disposition"].startswith("attachment")
    assert xml.data == base64.b64decode(form.value)  # the bytes as signed and sent
    assert b64.get_data(as_text=True) == form.value
    assert client.get(f"/trace/{flow.id}/3/out.exe").status_code == 404


def test_the_sequence_diagram_shows_every_hop_with_its_time(traced: Flask) -> None:
    client = traced.test_client()
    sign_in(client)
    page = client.get(f"/trace/{only_flow(traced).id}/sequence").get_data(as_text=True)
    assert "<svg" in page and "Browser" in page and "Trakstar (SP)" in page
    assert "+0.000 s · not seen by the mock" in page  # the Sign on URL, at the SP
    assert re.search(r"\+0\.\d{3} s · \d+ ms at Entra", page)
    assert page.count('class="arrow') >= 6


def test_entras_page_is_byte_identical_with_the_tracer_on_and_step_mode_off(
    now: datetime,
) -> None:
    def page(**options: bool) -> bytes:
        counter = iter(range(1, 1000))
        app = build(now, lambda: f"_id-{next(counter)}", **options)
        app.extensions["mock_idp"].clock = lambda: now  # the same instant throughout
        return sign_in_bytes(app.test_client())

    def sign_in_bytes(client: FlaskClient) -> bytes:
        get(client, redirect_query(authn_request()))
        return bytes(password_step(client).data)

    plain = page()
    assert plain.startswith(b"<html><head><title>Working...</title>")
    assert page(trace=True) == plain


def test_step_mode_stops_before_the_post_and_continues_with_the_same_form(
    now: datetime, new_id: Callable[[], str]
) -> None:
    app = build(now, new_id, trace=True, step=True)
    page = sign_in(app.test_client())

    assert "Continue to Trakstar" in page and "document.forms[0].submit" not in page
    form = auto_post(page)
    assert form is not None and form.action == ACS and form.relay_state == "rs"
    assert decode(form.value, param="SAMLResponse", binding="post").kind == "Response"
    assert note_row(page, "Audience")[0] == TRAKSTAR


def test_the_switch_turns_step_mode_on_and_off(traced: Flask) -> None:
    client = traced.test_client()
    assert "Step mode is off" in client.get("/trace/").get_data(as_text=True)
    client.post("/trace/step", data={"step": "on"})
    assert "Continue to Trakstar" in sign_in(client)
    client.post("/trace/step", data={"step": "off"})
    assert "document.forms[0].submit" in sign_in(traced.test_client(), "id-req-2")


def test_an_error_shows_its_aadsts_code_and_the_rule_that_fired(traced: Flask) -> None:
    client = traced.test_client()
    get(client, redirect_query(authn_request(issuer="https://unknown.example")))
    flow = only_flow(traced)
    assert flow.outcome == "AADSTS700016" and flow.hops[-1]["end"]
    page = client.get(f"/trace/{flow.id}").get_data(as_text=True)
    rule = "No app in the tenant has the request&#39;s Issuer as an Identifier."
    assert f"AADSTS700016: {rule}" in page
    assert "no app has this Identifier: AADSTS700016" in page


def test_idp_initiated_and_sign_out_flows(traced: Flask, idp_state: IdpState) -> None:
    client = traced.test_client()
    sign_in(client)
    app = next(iter(traced.extensions["mock_idp"].tenant.apps.values()))
    app.sign_on_url = ""
    client.get(f"/myapps/signin/Trakstar/{app.app_id}?tenantId={TENANT_ID}")
    get(client, redirect_query(logout_request(name_id="B.Simon@contoso.com")))

    with traced.app_context():
        recent = flows.recent(trace_store(traced.extensions["mock_idp"]))
    assert [f.kind for f in recent] == ["sign-out", "IdP-initiated", "sign-in"]  # newest first
    page = client.get(f"/trace/{recent[1].id}").get_data(as_text=True)
    assert note_row(page, "InResponseTo")[0] == "(absent)"
    sign_out = client.get(f"/trace/{recent[0].id}").get_data(as_text=True)
    assert note_row(sign_out, "NameID")[0] == "B.Simon@contoso.com"  # the LogoutRequest's
    assert "not seen by the mock: from the redirect&#39;s Location" in sign_out  # to the SP
    assert client.get(f"/trace/{recent[0].id}/sequence").status_code == 200


def test_without_the_tracer_nothing_is_recorded_or_served(idp_app: Flask) -> None:
    client = idp_app.test_client()
    sign_in(client)
    assert client.get("/trace/").status_code == 404
    assert idp_app.extensions["mock_idp"].store.tail(flows.LOG, 10) == []


def test_the_trace_is_bounded_and_newest_first() -> None:
    store = Store()
    for n in range(flows.KEEP_HOPS + 20):
        flows.record(store, [{"flow": f"f{n // 2}", "at": f"2026-11-30T00:00:{n % 60:02d}"}])
    recent = flows.recent(store)
    assert sum(len(f.hops) for f in recent) == flows.KEEP_HOPS
    assert recent[0].id == f"f{(flows.KEEP_HOPS + 19) // 2}"


def test_undecodable_messages_are_shown_with_the_reason() -> None:
    assert decode("%%%", param="SAMLRequest", binding="redirect").problem.startswith("not")
    bomb = base64.b64encode(b"<a>" + b"x" * 300_000 + b"</a>").decode()
    assert "larger" in decode(bomb, param="SAMLResponse", binding="post").problem


def test_an_error_response_posted_to_the_app_names_its_code_and_rule(traced: Flask) -> None:
    client = traced.test_client()
    get(client, redirect_query(authn_request(attrs='IsPassive="true"')))  # no session: NoPassive
    flow = only_flow(traced)
    assert flow.outcome == "AADSTS50058" and flow.hops[-2]["label"] == "ACS (SAMLResponse)"
    page = client.get(f"/trace/{flow.id}").get_data(as_text=True)
    assert note_row(page, "Status")[0] == "Responder"
    assert "IsPassive was asked and there is no session" in note_row(page, "AADSTS")[1]


def test_a_launch_that_asks_to_sign_in_first_is_one_idp_initiated_flow(traced: Flask) -> None:
    client = traced.test_client()
    app = next(iter(traced.extensions["mock_idp"].tenant.apps.values()))
    app.sign_on_url = ""
    launch = client.get(f"/myapps/signin/Trakstar/{app.app_id}?tenantId={TENANT_ID}")
    client.get(launch.headers["Location"])  # Entra's sign-in first
    back = password_step(client)
    assert "auto-post" not in back.get_data(as_text=True)
    client.get(back.headers["Location"])  # the launch again, now signed in

    flow = only_flow(traced)
    assert flow.kind == "IdP-initiated" and flow.app == "Trakstar"
    assert [h["label"] for h in flow.hops][-3:] == [
        "My Apps tile (User access URL)",
        "ACS (SAMLResponse)",
        "the SP's next page",
    ]


def test_the_sign_on_url_hop_comes_from_the_referer_when_it_names_the_sp(
    traced: Flask,
) -> None:
    client = traced.test_client()
    referer = f"{SP_URL}/some/page?namespace=contoso"
    client.get(
        f"/{TENANT_ID}/saml2?{redirect_query(authn_request())}", headers={"Referer": referer}
    )
    first = only_flow(traced).hops[0]
    assert (first["url"], first["source"], first["seen"]) == (referer, "the Referer header", False)


def test_a_wrong_password_is_a_hop_with_its_code_and_the_flow_goes_on(traced: Flask) -> None:
    client = traced.test_client()
    get(client, redirect_query(authn_request()))
    password_step(client, password="not-it")  # Entra's inline prompt, the flow stays open
    password_step(client)

    flow = only_flow(traced)
    errors = [h["error"]["code"] for h in flow.hops if h.get("error")]
    assert errors == [50126] and flow.outcome == "Response sent"


def test_what_the_browser_sent_is_shown_as_text_never_as_markup(traced: Flask) -> None:
    client = traced.test_client()
    evil = "&lt;img src=x onerror=alert(1)&gt;"  # in the XML: the text <img src=x …>
    query = redirect_query(authn_request(issuer=evil), relay_state="<script>alert(2)</script>")
    get(client, query)
    page = client.get(f"/trace/{only_flow(traced).id}").get_data(as_text=True)
    assert "<img src=x" not in page and "<script>alert" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page


def test_a_code_counts_only_where_the_page_shows_an_error() -> None:
    menu = '<option value="x">x: an error Response with AADSTS75011 in it</option>'
    assert page_error_code(menu) is None
    assert page_error_code('<p class="error" role="alert" id="aadsts">AADSTS50011: …</p>') == 50011
    assert page_error_code('<div class="error" data-aadsts="50126">Your account…</div>') == 50126
