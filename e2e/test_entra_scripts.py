"""Browser scripts written only from real Entra's selectors sign in on the mock, unchanged.

Two styles, as public Playwright helpers for login.microsoftonline.com use them (the sources of
each ID and name are in docs/faithfulness.md): the classic element IDs (`#i0116`, `#i0118`,
`#idSIButton9`, `#idBtn_Back`, `#KmsiCheckboxField`, `#idTxtBx_SAOTCC_OTC`, `#passwordError`)
and role/name locators (textbox "Enter your email, phone, or Skype", button "Next", heading
"Stay signed in?", `input[type=submit][value=Yes]`). Neither knows it talks to a mock.

This module runs its own pair of apps on a tenant where B.Simon has an authenticator (TOTP)
and smart lockout locks after 3 wrong passwords, so it can move the mock's clock freely.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from devserver.processes import both_apps, free_port, start_all, stop_all
from e2e.conftest import API_TOKEN, Harness
from mock_idp.config import DEFAULT_TENANT
from mock_idp.testing.browser import sign_in

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # B.Simon's authenticator in this module's tenant
B_SIMON, PASSWORD = "B.Simon@contoso.com", "Passw0rd!"


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    folder = tmp_path_factory.mktemp("entra-scripts")
    text = DEFAULT_TENANT.read_text(encoding="utf-8")
    text = text.replace(
        'password = "Passw0rd!"\n', f'password = "Passw0rd!"\ntotp_secret = "{SECRET}"\n', 1
    )
    text = text.replace("[admin]", "[sign_in]\nlockout_threshold = 3\n\n[admin]", 1)
    tenant = folder / "tenant.toml"
    tenant.write_text(text, encoding="utf-8")
    sp_url, idp_url = f"http://localhost:{free_port()}", f"http://127.0.0.1:{free_port()}"
    database = folder / "sp.sqlite3"
    processes = list(
        both_apps(
            sp_url=sp_url,
            idp_url=idp_url,
            log_dir=folder,
            env={
                "DATABASE_URL": f"sqlite:///{database}",
                "SP_SECRET_KEY": "e2e-only",
                "MOCK_IDP_SECRET_KEY": "e2e-only",
                "MOCK_IDP_API_TOKEN": API_TOKEN,
                "MOCK_IDP_TENANT": str(tenant),
                "CERTS_DIR": str(Path(__file__).resolve().parent.parent / "certs"),
            },
            test_mode=True,
        )
    )
    start_all(processes)
    try:
        yield Harness(
            sp_url=sp_url, idp_url=idp_url, database=database,
            sp_log=processes[1].log_path, idp_log=processes[0].log_path,
        )  # fmt: skip
    finally:
        stop_all(processes)


def mock_now(apps: Harness) -> datetime:
    """The mock's clock (it may have been moved): the code is the one for that moment."""
    with urllib.request.urlopen(f"{apps.idp_url}/_harness/clock", timeout=10) as answer:  # loopback
        now = json.load(answer)["now"]
    return datetime.fromisoformat(now.replace("Z", "+00:00"))


def totp_code(apps: Harness) -> str:
    return pyotp.TOTP(SECRET).at(mock_now(apps))


# --- Style 1: classic IDs and names, as Selenium/Playwright scripts for Entra write them ---


def classic_ids_sign_in(
    page: Page, upn: str, password: str, code: str | None, *, stay: bool
) -> None:
    page.fill("#i0116", upn)
    page.click("#idSIButton9")
    page.fill("#i0118", password)
    page.click("#idSIButton9")
    if code is not None:
        page.fill("#idTxtBx_SAOTCC_OTC", code)
        page.click("#idSubmit_SAOTCC_Continue")
    page.wait_for_selector("#KmsiCheckboxField")
    if stay:
        page.check("#KmsiCheckboxField")
        page.click("#idSIButton9")
    else:
        page.click("#idBtn_Back")


# --- Style 2: role and name locators, as playwright-ms-auth's login flow does it ---


def role_name_sign_in(page: Page, upn: str, password: str, code: str | None, *, stay: bool) -> None:
    page.get_by_role("textbox", name=re.compile("email", re.I)).fill(upn)
    page.get_by_role("button", name=re.compile("^next$", re.I)).click()
    page.get_by_role("textbox", name=re.compile("password", re.I)).fill(password)
    page.locator('input[type="submit"]').click()
    if code is not None:
        page.get_by_role("textbox", name=re.compile("code", re.I)).fill(code)
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name=re.compile("stay signed in", re.I))).to_be_visible()
    if stay:
        page.locator('input[type="submit"][value="Yes"]').click()
    else:
        page.get_by_role("button", name=re.compile("^no$", re.I)).click()


def session_cookie(context: BrowserContext, apps: Harness) -> dict[str, object]:
    cookies = [c for c in context.cookies(apps.idp_url) if c["name"] == "idp_session"]
    assert len(cookies) == 1, cookies
    return dict(cookies[0])


def expect_dashboard(page: Page, apps: Harness) -> None:
    page.wait_for_url(re.compile(re.escape(apps.sp_url) + r"/dashboard$"))
    expect(page.locator("#whoami")).to_contain_text("(B.Simon@contoso.com)")


def test_classic_ids_sign_b_simon_in_and_yes_keeps_the_session(
    apps: Harness, page: Page, context: BrowserContext
) -> None:
    page.goto(apps.sign_on_url)
    classic_ids_sign_in(page, B_SIMON, PASSWORD, totp_code(apps), stay=True)
    expect_dashboard(page, apps)
    assert float(session_cookie(context, apps)["expires"]) > 0  # outlives the browser


def test_role_name_locators_sign_b_simon_in_and_no_is_a_browser_session(
    apps: Harness, page: Page, context: BrowserContext
) -> None:
    page.goto(apps.sign_on_url)
    role_name_sign_in(page, B_SIMON, PASSWORD, totp_code(apps), stay=False)
    expect_dashboard(page, apps)
    assert float(session_cookie(context, apps)["expires"]) == -1  # ends with the browser


def test_a_wrong_code_is_refused_inline(apps: Harness, page: Page) -> None:
    page.goto(apps.sign_on_url)
    page.fill("#i0116", B_SIMON)
    page.click("#idSIButton9")
    page.fill("#i0118", PASSWORD)
    page.click("#idSIButton9")
    page.fill("#idTxtBx_SAOTCC_OTC", "000000" if totp_code(apps) != "000000" else "111111")
    page.click("#idSubmit_SAOTCC_Continue")
    expect(page.locator("#idSpan_SAOTCC_Error_OTC")).to_contain_text("verification code")
    expect(page.locator("#idTxtBx_SAOTCC_OTC")).to_be_visible()


def test_a_disabled_user_gets_entras_error_page(apps: Harness, page: Page) -> None:
    page.goto(apps.sign_on_url)
    page.fill("#i0116", "Lynne.Robbins@contoso.com")
    page.click("#idSIButton9")
    page.fill("#i0118", PASSWORD)
    page.click("#idSIButton9")
    expect(page.get_by_text("AADSTS50057").first).to_be_visible()
    expect(page.locator("#KmsiCheckboxField")).to_have_count(0)


def test_the_plugins_sign_in_enters_the_authenticator_code(apps: Harness, page: Page) -> None:
    page.goto(apps.sign_on_url)
    sign_in(page, apps.idp_url, B_SIMON, PASSWORD, totp_secret=SECRET, now=lambda: mock_now(apps))
    expect_dashboard(page, apps)


def test_smart_lockout_then_the_lock_runs_out(apps: Harness, page: Page) -> None:
    """Adele (not assigned to Trakstar): 3 wrong passwords lock her; 61 s later she gets in to
    Entra again (and then meets the assignment rule, AADSTS50105)."""
    page.goto(apps.sign_on_url)
    page.fill("#i0116", "Adele.Vance@contoso.com")
    page.click("#idSIButton9")
    for attempt in ("wrong-1", "wrong-2", "wrong-3", PASSWORD):
        page.fill("#i0118", attempt)
        page.click("#idSIButton9")
        expect(page.locator("#passwordError")).to_be_visible()
    expect(page.locator("#passwordError")).to_contain_text("temporarily locked")

    apps.travel("PT61S")
    page.fill("#i0118", PASSWORD)
    page.click("#idSIButton9")
    page.wait_for_selector("#KmsiCheckboxField")
    page.click("#idBtn_Back")
    expect(page.get_by_text("AADSTS50105").first).to_be_visible()
