"""Issue 13, the tracer's Trakstar side: the checks the ACS ran, per attempt, for the right eyes."""

from __future__ import annotations

import base64
import re

from flask import Flask

from tests.attacks.driver import Browser
from tests.flows import post_to_acs
from tests.sp.admin_client import signed_in_admin
from tests.sp.test_acs_web import error_id


def results(page: str) -> list[tuple[str, str]]:
    rows = re.findall(r"<td>\d+</td>\s*<td>([^<]+)</td>\s*<td class=\"result\">([^<]+)</td>", page)
    return [(name.split(":")[0].split(" ")[0], result) for name, result in rows]


def test_a_signed_in_person_sees_the_checks_that_signed_them_in(
    sp_app: Flask, idp_app: Flask
) -> None:
    browser = Browser(sp_app, idp_app)
    assert browser.post(browser.sign_in()).status == 303
    dashboard = browser.sp.get("/dashboard").text
    link = re.search(r'id="checks-link" href="([^"]+)"', dashboard)
    assert link

    page = browser.sp.get(link.group(1))

    assert page.status_code == 200 and "signed in" in page.text
    assert [r for _, r in results(page.text)] == ["passed"] * 10
    assert "NameID B.Simon@contoso.com" in page.text
    assert "object 3a9e6b42-7c1d-4f8e-a5b0-2d6c9e1f4a73" in page.text


def test_the_error_page_links_the_failed_check_for_the_administrator(
    sp_app: Flask, idp_app: Flask
) -> None:
    browser = Browser(sp_app, idp_app)
    posted = browser.sign_in()
    tampered = base64.b64decode(posted.saml_response).replace(b"B.Simon@", b"A.Simon@", 1)
    refused = post_to_acs(browser.sp, base64.b64encode(tampered).decode())
    shown = error_id(refused.text)
    link = re.search(r'id="checks-link" href="([^"]+)"', refused.text)
    assert link and shown in link.group(1)

    admin = signed_in_admin(sp_app.test_client())
    page = admin.get(link.group(1))

    assert page.status_code == 200 and "refused (InvalidSignature)" in page.text
    outcome = [r for _, r in results(page.text)]
    assert outcome[:4] == ["passed", "passed", "passed", "failed"]
    assert set(outcome[4:]) == {"not run"}


def test_nobody_else_can_read_an_attempt(sp_app: Flask, idp_app: Flask) -> None:
    """The refused person, another member and an anonymous visitor see nothing."""
    browser = Browser(sp_app, idp_app)
    posted = browser.sign_in()
    tampered = base64.b64decode(posted.saml_response).replace(b"B.Simon@", b"A.Simon@", 1)
    shown = error_id(post_to_acs(browser.sp, base64.b64encode(tampered).decode()).text)
    member = Browser(sp_app, idp_app)
    assert member.post(member.sign_in()).status == 303  # B.Simon, not an administrator

    assert member.sp.get(f"/sso/checks/{shown}").status_code == 404
    anonymous = sp_app.test_client().get(f"/sso/checks/{shown}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
