"""`sign_in`: complete the mock Entra ID's sign-in pages in a Playwright page.

It works on the page an SP has just sent to the mock: it enters the username and the password
(by the names Entra's own pages use, `loginfmt`/`login` and `passwd`; Next and Sign in are
`#idSIButton9`), answers "Stay signed in?" when the mock shows it (Yes `#idSIButton9`, No
`#idBtn_Back`), and returns once the browser has left the mock. An error page of the mock
(an AADSTS code) raises `SignInError` with its text.
"""

from __future__ import annotations

import time
from typing import Any

USERNAME = "input[name=loginfmt], input[name=login]"
PASSWORD = "input[name=passwd]"
NEXT = "#idSIButton9"
KMSI_NO = "#idBtn_Back"
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
    timeout: float = 15,
) -> None:
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
        _raise_on_error(page)
        if time.monotonic() > deadline:
            raise SignInError(f"still on the mock after {timeout} s: {page.url}")


def _raise_on_error(page: Any) -> None:
    error = page.locator(ERROR)
    if error.count() and error.first.is_visible():
        raise SignInError(f"the mock refused the sign-in: {error.first.inner_text().strip()}")
