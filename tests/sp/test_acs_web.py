"""The web layer around the ACS (docs/reference/attacks.md §3 G, §5 items 4, 6, 9, 12–14).

Every refusal spends the pending request, shows one error page with an error id, and grants
nothing; the detail goes to the log under the same id.
"""

from __future__ import annotations

import base64
import logging
import re
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.attacks.driver import Browser
from tests.flows import ACS_PATH, is_signed_in, post_to_acs, sign_in_at_idp


def error_id(text: str) -> str:
    found = re.search(r'<code id="error-id">([0-9a-f]{12})</code>', text)
    assert found, text[:500]
    return found.group(1)


def test_a_refusal_logs_its_detail_under_the_id_the_page_shows(
    sp_app: Flask, idp_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    browser = Browser(sp_app, idp_app)
    posted = browser.sign_in()
    tampered = base64.b64decode(posted.saml_response).replace(b"B.Simon@", b"A.Simon@", 1)

    with caplog.at_level(logging.WARNING, logger="sp"):
        response = post_to_acs(browser.sp, base64.b64encode(tampered).decode())

    shown = error_id(response.text)
    logged = [r.getMessage() for r in caplog.records if shown in r.getMessage()]
    assert logged and "InvalidSignature" in logged[0]
    assert "Failed to verify" not in response.text  # pysaml2's words stay in the log


def test_get_on_the_acs_is_not_allowed(sp_app: Flask) -> None:
    assert sp_app.test_client().get(ACS_PATH).status_code == 405


def test_a_redirect_binding_response_in_the_query_is_refused(sp_app: Flask, idp_app: Flask) -> None:
    browser = Browser(sp_app, idp_app)
    posted = browser.sign_in()

    query = f"{ACS_PATH}&SAMLResponse={posted.saml_response[:40]}"
    response = browser.sp.post(query, data={"RelayState": "/dashboard"})

    assert response.status_code == 400 and error_id(response.text)
    assert browser.pending() == 0 and not is_signed_in(browser.sp)


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"json": {"SAMLResponse": "x"}}, 400),
        ({"data": b"SAMLResponse=x", "content_type": "text/plain"}, 400),
        ({"data": {"SAMLResponse": ["a", "b"]}}, 400),
        ({"data": {"SAMLResponse": "A" * (600 * 1024)}}, 413),
    ],
    ids=["json", "text-plain", "two-fields", "too-large"],
)
def test_a_refused_body_still_spends_the_pending_request(
    kwargs: dict[str, object], status: int, sp_app: Flask, idp_app: Flask
) -> None:
    browser = Browser(sp_app, idp_app)
    posted = browser.sign_in()

    response = browser.sp.post(ACS_PATH, **kwargs)  # type: ignore[arg-type]

    assert response.status_code == status and error_id(response.text)
    assert browser.pending() == 0
    # The genuine response that follows finds nothing pending: used once, whatever it was.
    assert post_to_acs(browser.sp, posted.saml_response).status_code == 403
    assert not is_signed_in(browser.sp)


@pytest.mark.parametrize(
    "relay_state",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"],
)
def test_relay_state_never_chooses_where_the_user_lands(
    relay_state: str, sp_app: Flask, idp_app: Flask
) -> None:
    browser = Browser(sp_app, idp_app)
    posted = browser.sign_in()

    response = post_to_acs(browser.sp, posted.saml_response, relay_state)

    assert response.status_code == 303 and response.headers["Location"] == "/dashboard"


@pytest.mark.parametrize(
    ("next_path", "lands"),
    [
        ("/dashboard?tab=goals", "/dashboard?tab=goals"),
        ("//evil.example/", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("https://evil.example/", "/dashboard"),
    ],
)
def test_the_return_path_is_kept_server_side_and_only_relative(
    next_path: str, lands: str, sp_app: Flask, idp_app: Flask
) -> None:
    browser = Browser(sp_app, idp_app)
    start = browser.sp.get("/auth/saml/", query_string={"namespace": "contoso", "next": next_path})
    location = urlsplit(start.headers["Location"])
    posted = sign_in_at_idp(browser.idp, f"{location.path}?{location.query}")

    response = post_to_acs(browser.sp, posted.saml_response, "/somewhere-else")

    assert response.headers["Location"] == lands


def test_sign_in_clears_whatever_session_was_planted_before(sp_app: Flask, idp_app: Flask) -> None:
    browser = Browser(sp_app, idp_app)
    with browser.sp.session_transaction() as planted:
        planted["planted"] = "by an attacker"
        planted["_user_id"] = "1"  # a fixated identity claim, not a login
    before = browser.sp.get_cookie("sp_session")
    posted = browser.sign_in()

    assert post_to_acs(browser.sp, posted.saml_response).status_code == 303

    after = browser.sp.get_cookie("sp_session")
    assert before is not None and after is not None and after.value != before.value
    with browser.sp.session_transaction() as session:
        assert "planted" not in session
    assert browser.whoami() == "Britta Simon"


def test_the_acs_is_the_only_form_without_a_csrf_token(sp_app: Flask) -> None:
    client = sp_app.test_client()

    refused = client.post("/login", data={"email": "admin@contoso.com", "password": "x"})

    assert refused.status_code == 400 and "CSRF" in refused.text


def test_a_response_for_another_browser_is_refused_and_spends_only_this_one(
    sp_app: Flask, idp_app: Flask
) -> None:
    """Login CSRF (#42): B holds its own pending request; A's response cannot use it."""
    a, b = Browser(sp_app, idp_app), Browser(sp_app, idp_app)
    for_a = a.sign_in()
    b.sign_in()

    injected = post_to_acs(b.sp, for_a.saml_response)

    assert injected.status_code == 403 and not is_signed_in(b.sp) and b.pending() == 0
    assert a.pending() == 1  # A's own request is untouched, and A can still finish
    assert post_to_acs(a.sp, for_a.saml_response).status_code == 303
    assert a.whoami() == "Britta Simon"
