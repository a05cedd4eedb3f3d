"""The mock's session and request options: reuse, ForceAuthn, IsPassive, login_hint, MFA,
RequestedAuthnContext, NameID policies, claims, IdP-initiated responses."""

from __future__ import annotations

import base64
import html
import re
from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from lxml import etree

from mock_idp import sso
from mock_idp.protocol import claims
from mock_idp.protocol.claims import ClaimRule
from mock_idp.sessions import PendingSignIn, SignedInUser
from mock_idp.state import IdpState
from tests.flows import answer_kmsi
from tests.mock_idp.saml_requests import (
    ACS,
    SAML2,
    TENANT_ID,
    authn_request,
    get,
    password_step,
    redirect_query,
)

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
TRAKSTAR = "https://perform.trakstar.com"


def assertion_of(response) -> etree._Element:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text[:500]
    value = re.search(r'name="SAMLResponse" value="([^"]+)"', response.text)
    assert value, response.text[:500]
    root = etree.fromstring(base64.b64decode(value.group(1)))
    assertion = root.find(f"{{{SAML}}}Assertion")
    assert assertion is not None
    return assertion


def sign_in(idp: FlaskClient, query: str, upn: str = "B.Simon@contoso.com"):  # type: ignore[no-untyped-def]
    first = get(idp, query)
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/{TENANT_ID}/login")
    return password_step(idp, upn)


def authn_instant(assertion: etree._Element) -> str:
    return assertion.find(f"{{{SAML}}}AuthnStatement").get("AuthnInstant")


def name_id(assertion: etree._Element) -> tuple[str, str]:
    element = assertion.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID")
    return element.text, element.get("Format")


def attribute(assertion: etree._Element, name: str) -> list[str]:
    for element in assertion.iter(f"{{{SAML}}}Attribute"):
        if element.get("Name") == name:
            return [v.text for v in element.findall(f"{{{SAML}}}AttributeValue")]
    return []


def test_a_live_session_is_reused_and_keeps_its_authn_instant(
    idp: FlaskClient, clock: list[datetime]
) -> None:
    first = assertion_of(sign_in(idp, redirect_query(authn_request(request_id="id-a"))))
    clock[0] += timedelta(hours=2)

    second = get(idp, redirect_query(authn_request(request_id="id-b")))

    again = assertion_of(second)  # no sign-in page: straight to the auto-post form
    assert authn_instant(again) == authn_instant(first) == "2026-11-28T09:30:15.123Z"
    assert again.get("IssueInstant") == "2026-11-28T11:30:15.123Z"
    data = again.find(f".//{{{SAML}}}SubjectConfirmationData")
    assert data.get("InResponseTo") == "id-b"


def test_force_authn_asks_again_and_moves_authn_instant(
    idp: FlaskClient, clock: list[datetime]
) -> None:
    sign_in(idp, redirect_query(authn_request(request_id="id-a")))
    clock[0] += timedelta(hours=1)

    forced = get(idp, redirect_query(authn_request(request_id="id-b", attrs='ForceAuthn="true"')))

    assert forced.status_code == 302 and forced.headers["Location"].endswith("/login")
    assertion = assertion_of(password_step(idp))
    assert authn_instant(assertion) == "2026-11-28T10:30:15.123Z"


def test_is_passive_with_a_session_answers_silently(idp: FlaskClient) -> None:
    sign_in(idp, redirect_query(authn_request(request_id="id-a")))
    response = get(idp, redirect_query(authn_request(request_id="id-b", attrs='IsPassive="true"')))
    assert name_id(assertion_of(response))[0] == "B.Simon@contoso.com"


def test_is_passive_with_force_authn_cannot_be_silent(idp: FlaskClient) -> None:
    sign_in(idp, redirect_query(authn_request(request_id="id-a")))
    attrs = 'IsPassive="true" ForceAuthn="true"'
    response = get(idp, redirect_query(authn_request(request_id="id-b", attrs=attrs)))
    xml = base64.b64decode(re.search(r'name="SAMLResponse" value="([^"]+)"', response.text)[1])
    assert b"urn:oasis:names:tc:SAML:2.0:status:NoPassive" in xml


def test_a_disabled_user_loses_the_session(idp: FlaskClient, idp_state: IdpState) -> None:
    sign_in(idp, redirect_query(authn_request(request_id="id-a")))
    idp_state.tenant.user_by_upn("B.Simon@contoso.com").enabled = False
    response = get(idp, redirect_query(authn_request(request_id="id-b")))
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_login_hint_prefills_the_username(idp: FlaskClient) -> None:
    query = redirect_query(authn_request()) + "&login_hint=Adele.Vance%40contoso.com"
    assert get(idp, query).status_code == 302
    page = idp.get(f"/{TENANT_ID}/login")
    assert 'name="loginfmt" id="i0116" value="Adele.Vance@contoso.com"' in page.text


def test_relay_state_is_echoed(idp: FlaskClient) -> None:
    response = sign_in(idp, redirect_query(authn_request(), relay_state="/goals?x=1&y=2"))
    assert 'name="RelayState" value="/goals?x=1&amp;y=2"' in response.text
    assert f'action="{html.escape(ACS)}"' in response.text


def test_mfa_user_signs_in_with_a_code_and_the_claim_says_so(
    idp: FlaskClient, idp_state: IdpState
) -> None:
    idp_state.tenant.user_by_upn("B.Simon@contoso.com").mfa = True
    page = sign_in(idp, redirect_query(authn_request()))
    assert "Enter code" in page.text and "SAMLResponse" not in page.text

    code = idp.post(f"/{TENANT_ID}/login/mfa", data={"otc": "123456"})
    assertion = assertion_of(answer_kmsi(idp, code))

    assert attribute(assertion, claims.AUTHN_METHODS) == [claims.PASSWORD_METHOD, claims.MFA_METHOD]
    ref = assertion.findtext(f".//{{{SAML}}}AuthnContextClassRef")
    assert ref == "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"  # stays Password (§4.2)


def test_password_sign_in_carries_only_the_password_method(idp: FlaskClient) -> None:
    assertion = assertion_of(sign_in(idp, redirect_query(authn_request())))
    assert attribute(assertion, claims.AUTHN_METHODS) == [claims.PASSWORD_METHOD]


@pytest.mark.parametrize(
    "requested",
    [
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:Password",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:Unspecified",
    ],
)
def test_a_satisfied_requested_class_is_echoed(idp: FlaskClient, requested: str) -> None:
    body = (
        '<samlp:RequestedAuthnContext Comparison="exact"><saml:AuthnContextClassRef>'
        f"{requested}</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>"
    )
    assertion = assertion_of(sign_in(idp, redirect_query(authn_request(body=body))))
    assert assertion.findtext(f".//{{{SAML}}}AuthnContextClassRef") == requested


def policy(fmt: str) -> str:
    return f'<samlp:NameIDPolicy Format="{fmt}" AllowCreate="true"/>'


def test_email_and_unspecified_keep_the_upn(idp: FlaskClient) -> None:
    for fmt in (claims.EMAIL_FORMAT, claims.UNSPECIFIED_FORMAT):
        client = idp.application.test_client()
        assertion = assertion_of(sign_in(client, redirect_query(authn_request(body=policy(fmt)))))
        assert name_id(assertion) == ("B.Simon@contoso.com", fmt)


def test_no_policy_uses_the_configured_email_format(idp: FlaskClient) -> None:
    assertion = assertion_of(sign_in(idp, redirect_query(authn_request())))
    assert name_id(assertion) == ("B.Simon@contoso.com", claims.EMAIL_FORMAT)


def test_persistent_is_pairwise_and_stable(idp: FlaskClient, idp_state: IdpState) -> None:
    body = policy(claims.PERSISTENT_FORMAT)
    first = name_id(assertion_of(sign_in(idp, redirect_query(authn_request(body=body)))))
    second = name_id(assertion_of(get(idp, redirect_query(authn_request(body=body)))))
    assert first == second and first[1] == claims.PERSISTENT_FORMAT
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", first[0]) and "Simon" not in first[0]

    other = idp_state.tenant.app_by_identifier(TRAKSTAR)
    user = idp_state.tenant.user_by_upn("B.Simon@contoso.com")
    value, _ = sso.name_id_for(idp_state.tenant, other, user, claims.PERSISTENT_FORMAT, str)
    assert value == first[0]
    other.app_id = "another-app"
    assert sso.name_id_for(idp_state.tenant, other, user, claims.PERSISTENT_FORMAT, str)[0] != value


def test_transient_is_new_each_time(idp: FlaskClient) -> None:
    body = policy(claims.TRANSIENT_FORMAT)
    first = name_id(assertion_of(sign_in(idp, redirect_query(authn_request(body=body)))))
    second = name_id(assertion_of(get(idp, redirect_query(authn_request(body=body)))))
    assert first[1] == second[1] == claims.TRANSIENT_FORMAT
    assert first[0] != second[0]


def test_groups_repeat_attribute_values_up_to_150_then_overage(
    idp: FlaskClient, idp_state: IdpState
) -> None:
    app = idp_state.tenant.app_by_identifier(TRAKSTAR)
    app.claim_rules = [*app.claim_rules, ClaimRule(name=claims.GROUPS, source="user.groups")]
    user = idp_state.tenant.user_by_upn("B.Simon@contoso.com")
    user.groups = tuple(f"00000000-0000-4000-8000-{n:012d}" for n in range(150))
    few = assertion_of(sign_in(idp, redirect_query(authn_request())))
    assert attribute(few, claims.GROUPS) == list(user.groups)

    user.groups = (*user.groups, "00000000-0000-4000-8000-999999999999")
    many = assertion_of(get(idp, redirect_query(authn_request(request_id="id-2"))))
    assert attribute(many, claims.GROUPS) == []
    assert attribute(many, claims.GROUPS_LINK) == [
        f"https://graph.windows.net/{TENANT_ID}/users/{user.object_id}/getMemberObjects"
    ]


def test_idp_initiated_has_no_in_response_to_and_the_configured_relay_state(
    idp_state: IdpState, now: datetime
) -> None:
    tenant = idp_state.tenant
    app = tenant.app_by_identifier(TRAKSTAR)
    app.relay_state = "/dashboard"
    user = tenant.user_by_upn("B.Simon@contoso.com")
    pending = PendingSignIn(app_id=app.app_id, acs_url=app.reply_urls[0])
    signed_in = SignedInUser(object_id=user.object_id, authn_instant=now)

    form = sso.issue(tenant, app, user, pending, signed_in, now=now, new_id=idp_state.new_id)

    assert form.relay_state == "/dashboard" and form.action == app.reply_urls[0]
    xml = base64.b64decode(form.saml_response)
    assert b"InResponseTo" not in xml
    assert form.participant is not None and form.participant.app_id == app.app_id


def test_a_get_without_a_pending_request_after_sign_in_goes_home(idp: FlaskClient) -> None:
    response = password_step(idp)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert idp.get(SAML2 + "?" + redirect_query(authn_request())).status_code == 200


def test_the_session_cookie_rides_on_cross_site_posts_like_entras(idp: FlaskClient) -> None:
    """SameSite=None (with Secure): an AuthnRequest POSTed cross-site still finds the session."""
    response = idp.post(
        f"/{TENANT_ID}/login/password",
        data={"login": "B.Simon@contoso.com", "passwd": "Passw0rd!"},
    )
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("idp_session=")]

    assert cookies, response.headers
    assert "SameSite=None" in cookies[-1]
    assert "Secure" in cookies[-1]


def _session_cookies(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith("idp_session=")]


def test_single_sign_on_keeps_the_browsers_cookie_without_sending_it_again(
    idp: FlaskClient,
) -> None:
    """The cookie only names the session: a sign-in from it changes the session (its apps), not
    the cookie, so no Set-Cookie; the same cookie still carries the session afterwards."""
    sign_in(idp, redirect_query(authn_request(request_id="id-a")))
    before = idp.get_cookie("idp_session")
    assert before is not None

    again = get(idp, redirect_query(authn_request(request_id="id-b")))

    assert assertion_of(again) is not None and _session_cookies(again) == []
    third = get(idp, redirect_query(authn_request(request_id="id-c")))
    assert (
        assertion_of(third).find(f".//{{{SAML}}}SubjectConfirmationData").get("InResponseTo")
        == "id-c"
    )
    assert idp.get_cookie("idp_session").value == before.value


def test_a_persistent_cookie_slides_at_most_once_an_hour(
    idp: FlaskClient, clock: list[datetime]
) -> None:
    """ "Stay signed in? Yes": the cookie has an expiry, re-sent (moved) once an hour of use."""
    first = get(idp, redirect_query(authn_request(request_id="id-a")))
    assert first.status_code == 302
    kmsi = answer_kmsi(
        idp,
        idp.post(f"/{TENANT_ID}/login/password",
                 data={"loginfmt": "B.Simon@contoso.com", "passwd": "Passw0rd!"}),
        stay=True,
    )  # fmt: skip
    sent = _session_cookies(kmsi)
    assert sent and "Max-Age=86400" in sent[-1]

    clock[0] += timedelta(minutes=59)
    assert _session_cookies(get(idp, redirect_query(authn_request(request_id="id-b")))) == []

    clock[0] += timedelta(minutes=2)
    later = get(idp, redirect_query(authn_request(request_id="id-c")))
    assert assertion_of(later) is not None
    moved = _session_cookies(later)
    assert moved and "Max-Age=86400" in moved[-1]
    assert moved[-1].split(";")[0] == sent[-1].split(";")[0]  # the same session ID
