"""Entra's sign-in pages on the mock: "Stay signed in?", the authenticator code, smart lockout,
and the tenant settings behind them."""

from __future__ import annotations

import base64
import html
import re
from datetime import datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from flask.testing import FlaskClient
from lxml import etree

from mock_idp import signin
from mock_idp.protocol import claims
from mock_idp.state import IdpState
from mock_idp.tenant import TenantConfigError
from mock_idp.tenant_file import parse_tenant
from tests.mock_idp.saml_requests import TENANT_ID, authn_request, get, redirect_query

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD_PAGE = f"/{TENANT_ID}/login/password"


def start(idp: FlaskClient) -> None:
    assert get(idp, redirect_query(authn_request())).status_code == 302


def password(idp: FlaskClient, typed: str, upn: str = "B.Simon@contoso.com"):  # type: ignore[no-untyped-def]
    return idp.post(PASSWORD_PAGE, data={"loginfmt": upn, "passwd": typed})


def methods_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    value = re.search(r'name="SAMLResponse" value="([^"]+)"', response.text)
    assert value, response.text[:600]
    root = etree.fromstring(base64.b64decode(value.group(1)))
    name = f"{{{SAML}}}Attribute[@Name='{claims.AUTHN_METHODS}']/{{{SAML}}}AttributeValue"
    return [v.text or "" for v in root.findall(f".//{name}")]


def session_cookie(response) -> str:  # type: ignore[no-untyped-def]
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("idp_session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_the_username_and_password_pages_carry_entras_ids_and_names(idp: FlaskClient) -> None:
    start(idp)
    username = idp.get(f"/{TENANT_ID}/login").text
    assert 'name="loginfmt" id="i0116"' in username
    assert 'aria-label="Enter your email, phone, or Skype."' in username
    assert 'id="idSIButton9" value="Next"' in username
    page = idp.post(f"/{TENANT_ID}/login", data={"loginfmt": "b.simon@contoso.com"}).text
    assert 'name="passwd" id="i0118"' in page and 'placeholder="Password"' in page
    assert 'aria-label="Enter the password for B.Simon@contoso.com"' in page
    assert 'id="idSIButton9" value="Sign in"' in page


def test_a_wrong_password_is_refused_inline_in_password_error(idp: FlaskClient) -> None:
    start(idp)
    page = password(idp, "nope")
    assert page.status_code == 200
    assert re.search(
        r'role="alert" id="passwordError" data-aadsts="50126">Your account or', page.text
    )
    assert "SAMLResponse" not in page.text


def test_stay_signed_in_is_asked_after_the_password_and_yes_keeps_the_cookie(
    idp: FlaskClient,
) -> None:
    start(idp)
    prompt = password(idp, "Passw0rd!")
    assert "Stay signed in?" in prompt.text and "SAMLResponse" not in prompt.text
    for marker in ('id="KmsiCheckboxField"', 'id="idSIButton9" value="Yes"', 'id="idBtn_Back"'):
        assert marker in prompt.text

    yes = idp.post(f"/{TENANT_ID}/kmsi", data={"LoginOptions": "1"})

    assert 'name="SAMLResponse"' in yes.text
    assert "Expires=" in session_cookie(yes)  # outlives the browser


def test_no_gives_a_browser_session_cookie(idp: FlaskClient) -> None:
    start(idp)
    password(idp, "Passw0rd!")
    no = idp.post(f"/{TENANT_ID}/kmsi", data={"LoginOptions": "3"})
    assert 'name="SAMLResponse"' in no.text
    assert "Expires=" not in session_cookie(no)
    assert get(idp, redirect_query(authn_request(request_id="id-2"))).status_code == 200  # SSO


def test_the_tenant_can_hide_the_prompt(idp: FlaskClient, idp_state: IdpState) -> None:
    idp_state.tenant.show_keep_signed_in = False
    start(idp)
    response = password(idp, "Passw0rd!")
    assert 'name="SAMLResponse"' in response.text and "Stay signed in?" not in response.text


def test_an_answer_posted_out_of_order_starts_the_sign_in_again(idp: FlaskClient) -> None:
    start(idp)
    response = idp.post(f"/{TENANT_ID}/kmsi", data={"LoginOptions": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_a_totp_user_enters_the_code_of_the_moment(
    idp: FlaskClient, idp_state: IdpState, clock: list[datetime]
) -> None:
    idp_state.tenant.user_by_upn("B.Simon@contoso.com").totp_secret = SECRET
    start(idp)
    page = password(idp, "Passw0rd!")
    assert 'name="otc" id="idTxtBx_SAOTCC_OTC"' in page.text and "Enter code" in page.text

    stale = pyotp.TOTP(SECRET).at(clock[0] - timedelta(minutes=5))
    wrong = idp.post(f"/{TENANT_ID}/login/mfa", data={"otc": stale})
    assert 'id="idSpan_SAOTCC_Error_OTC" data-aadsts="500121"' in wrong.text

    code = signin.current_code(SECRET, now=clock[0])
    kmsi = idp.post(f"/{TENANT_ID}/login/mfa", data={"otc": code})
    assert "Stay signed in?" in kmsi.text
    done = idp.post(f"/{TENANT_ID}/kmsi", data={"LoginOptions": "3"})
    assert methods_of(done) == [
        claims.PASSWORD_METHOD,
        "http://schemas.microsoft.com/claims/multipleauthn",
    ]


def test_users_without_a_method_get_no_code_step(idp: FlaskClient) -> None:
    start(idp)
    assert "Enter code" not in password(idp, "Passw0rd!").text


def test_smart_lockout_locks_after_the_threshold_and_opens_after_the_duration(
    idp: FlaskClient, idp_state: IdpState, clock: list[datetime]
) -> None:
    idp_state.tenant.lockout_threshold = 3
    start(idp)
    for n in range(3):
        assert 'data-aadsts="50126"' in password(idp, f"wrong-{n}").text
    locked = password(idp, "Passw0rd!")
    assert 'data-aadsts="50053"' in locked.text
    assert "Your account is temporarily locked" in html.unescape(locked.text)

    clock[0] += timedelta(seconds=59)
    assert 'data-aadsts="50053"' in password(idp, "Passw0rd!").text
    clock[0] += timedelta(seconds=2)
    assert "Stay signed in?" in password(idp, "Passw0rd!").text


def test_the_same_wrong_password_counts_once(
    idp: FlaskClient, idp_state: IdpState, clock: list[datetime]
) -> None:
    idp_state.tenant.lockout_threshold = 2
    start(idp)
    for _ in range(5):
        assert 'data-aadsts="50126"' in password(idp, "same-typo").text
    assert "Stay signed in?" in password(idp, "Passw0rd!").text


def test_lockout_is_per_user(idp: FlaskClient, idp_state: IdpState, clock: list[datetime]) -> None:
    idp_state.tenant.lockout_threshold = 1
    start(idp)
    password(idp, "wrong", upn="Adele.Vance@contoso.com")
    assert 'data-aadsts="50053"' in password(idp, "Passw0rd!", upn="Adele.Vance@contoso.com").text
    assert "Stay signed in?" in password(idp, "Passw0rd!").text


TENANT = """
[tenant]
id = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
name = "T"
domain = "t.example"
{extra}
[[users]]
upn = "a@t.example"
password = "Passw0rd!"
{user}
"""


def load(extra: str = "", user: str = "") -> object:
    text = TENANT.format(extra=extra, user=user)
    return parse_tenant(text, source="t.toml", base=Path("."), substitutions={}, now=datetime.now())  # noqa: DTZ005


def test_the_tenant_file_sets_kmsi_lockout_and_the_totp_secret() -> None:
    tenant = load(
        "[sign_in]\nshow_keep_signed_in = false\nlockout_threshold = 5\n"
        "lockout_duration_seconds = 120\n",
        'totp_secret = "jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp"',
    )
    assert tenant.show_keep_signed_in is False  # type: ignore[attr-defined]
    assert tenant.lockout_threshold == 5  # type: ignore[attr-defined]
    assert tenant.lockout_duration_seconds == 120  # type: ignore[attr-defined]
    assert tenant.user_by_upn("a@t.example").totp_secret == SECRET  # type: ignore[attr-defined]
    defaults = load()
    assert defaults.show_keep_signed_in is True  # type: ignore[attr-defined]
    assert defaults.lockout_threshold == 10  # type: ignore[attr-defined]
    assert defaults.lockout_duration_seconds == 60  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("extra", "user", "named"),
    [
        ("[sign_in]\nlockout_threshold = 0\n", "", "sign_in.lockout_threshold"),
        ('[sign_in]\nlockout_duration_seconds = "60"\n', "", "sign_in.lockout_duration_seconds"),
        ('[sign_in]\nshow_keep_signed_in = "yes"\n', "", "sign_in.show_keep_signed_in"),
        ("[sign_in]\nkmsi = true\n", "", "unknown key 'sign_in.kmsi'"),
        ("", 'totp_secret = "not base32!"', "totp_secret"),
        ("", 'totp_secret = "JBSWY3DPEHPK3PXP"', "at least 112 bits"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(extra: str, user: str, named: str) -> None:
    with pytest.raises(TenantConfigError, match=re.escape(named)):
        load(extra, user)


def admin_signs_in(idp: FlaskClient, idp_state: IdpState) -> None:
    tenant = idp_state.tenant
    idp.post("/admin/signin", data={"login": tenant.admin_upn, "passwd": tenant.admin_password})


def test_the_admin_center_sets_kmsi_and_lockout(idp: FlaskClient, idp_state: IdpState) -> None:
    admin_signs_in(idp, idp_state)
    shown = idp.get("/admin/signin-settings").text
    assert (
        "Show option to remain signed in" in shown and 'name="show_keep_signed_in" checked' in shown
    )
    saved = idp.post(
        "/admin/signin-settings",
        data={"lockout_threshold": "5", "lockout_duration_seconds": "120"},
    )
    assert saved.status_code == 302
    tenant = idp_state.tenant
    assert (tenant.show_keep_signed_in, tenant.lockout_threshold) == (False, 5)
    assert tenant.lockout_duration_seconds == 120


def test_a_bad_lockout_setting_is_refused_and_changes_nothing(
    idp: FlaskClient, idp_state: IdpState
) -> None:
    admin_signs_in(idp, idp_state)
    refused = idp.post(
        "/admin/signin-settings",
        data={
            "show_keep_signed_in": "on",
            "lockout_threshold": "0",
            "lockout_duration_seconds": "x",
        },
    )
    assert refused.status_code == 400 and "Lockout threshold must be a whole number" in refused.text
    assert idp_state.tenant.lockout_threshold == 10 and idp_state.tenant.show_keep_signed_in
