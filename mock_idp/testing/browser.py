"""`sign_in`: complete the mock Entra ID's sign-in pages in a Playwright page.

It works on the page an SP has just sent to the mock: it enters the username and the password
(by the names Entra's own pages use, `loginfmt`/`login` and `passwd`; Next and Sign in are
`#idSIButton9`), answers "Stay signed in?" when the mock shows it (Yes `#idSIButton9`, No
`#idBtn_Back`), enters the authenticator code on "Enter code" for a user with a TOTP secret
(`totp_secret=`, the user's `totp_secret` in the tenant file; the code is computed at the mock's
time when `now=` gives it, e.g. `EntraClient.now`), and returns once the browser has left the
mock. An error page of the mock (an AADSTS code) raises `SignInError` with its text.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

USERNAME = "input[name=loginfmt], input[name=login]"
PASSWORD = "input[name=passwd]"
NEXT = "#idSIButton9"
KMSI_NO = "#idBtn_Back"
CODE = "#idTxtBx_SAOTCC_OTC"
VERIFY = "#idSubmit_SAOTCC_Continue"
ERROR = "#aadsts, [role=alert]"


class SignInError(AssertionError):
    """The mock refused the sign-in (its error page or message is in the text)."""


def sign_in(
    page: Any,
    entra_url: str,
    upn: str,
    password: str,
    *,
    stay_signed_in: bool = False,
    totp_secret: str | None = None,
    now: Callable[[], datetime] | None = None,
    code: str | None = None,
    timeout: float = 15,
) -> None:
    """`totp_secret`: the user's authenticator secret (the code is computed, at `now`); `code`:
    a code to type as is (the fixed test code of a tenant user with `mfa = true`)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    ms = timeout * 1000

    def on_mock(url: str) -> bool:
        return url.startswith(entra_url.rstrip("/") + "/")

    page.wait_for_url(on_mock, timeout=ms)
    page.locator(USERNAME).first.fill(upn, timeout=ms)
    page.locator(NEXT).click(timeout=ms)
    page.locator(PASSWORD).or_(page.locator(ERROR)).first.wait_for(timeout=ms)
    _raise_on_error(page)
    page.locator(PASSWORD).fill(password, timeout=ms)
    page.locator(NEXT).click(timeout=ms)
    deadline = time.monotonic() + timeout
    while on_mock(page.url):
        try:  # leaving the mock is the normal end (the auto-post page submits itself)
            page.wait_for_url(lambda url: not on_mock(url), timeout=250)
            return
        except PlaywrightTimeout:
            pass
        if page.locator(KMSI_NO).count():
            page.locator(NEXT if stay_signed_in else KMSI_NO).click(timeout=ms)
            continue
        if page.locator(CODE).count() and not page.locator(ERROR).count():
            page.locator(CODE).fill(code or _code(totp_secret, now), timeout=ms)
            page.locator(VERIFY).click(timeout=ms)
            continue
        _raise_on_error(page)
        if time.monotonic() > deadline:
            raise SignInError(f"still on the mock after {timeout} s: {page.url}")


def _code(secret: str | None, now: Callable[[], datetime] | None) -> str:
    """The authenticator's code of the moment (RFC 6238), at the mock's time when known."""
    if not secret:
        raise SignInError("the mock asks for a verification code: pass totp_secret= (or code=)")
    import pyotp

    totp = pyotp.TOTP(secret)
    return totp.at(now()) if now is not None else totp.now()


def _raise_on_error(page: Any) -> None:
    error = page.locator(ERROR)
    if error.count() and error.first.is_visible():
        raise SignInError(f"the mock refused the sign-in: {error.first.inner_text().strip()}")
