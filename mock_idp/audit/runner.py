"""The audit's thin runner: each case is one sign-in by a fresh browser, over real HTTP.

For a case the runner asks the mock (test mode) to answer the next sign-in to the SP's app with
it, starts a sign-in as a browser would (the SP's Sign on URL, or My Apps for IdP-initiated),
signs in on the mock's pages, posts the auto-post form to the ACS, and probes the SP for a
session. The verdict is the pure core's (`model.judge`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from mock_idp.audit.browser import Answer, Browser, Unreachable, origin
from mock_idp.audit.control import AuditedApp, Mock
from mock_idp.audit.errors import AuditError
from mock_idp.audit.forms import Form, Page, form_with, read_page
from mock_idp.audit.model import (
    CaseResult,
    Observation,
    Planned,
    Target,
    check_target,
    judge,
    plan,
)
from mock_idp.faults.parsing import EVIL_SUFFIX

MAX_PAGES = 10
ERROR_IDS = ("aadsts", "usernameError", "passwordError")
USERNAME_FIELDS = ("loginfmt", "login")  # Entra's own name, then the mock's older one
STAY_SIGNED_IN_NO = "idBtn_Back"  # Entra's "No" on "Stay signed in?"


class NotDelivered(Exception):
    """The sign-in did not reach the auto-post form (the message says where it stopped)."""


@dataclass(kw_only=True)
class _Run:
    mock: Mock
    app: AuditedApp
    target: Target
    origins: set[str] = field(default_factory=set)
    accepted: Form | None = None  # the control's response, for replay

    def browser(self) -> Browser:
        return Browser(self.origins)

    def start_url(self) -> str:
        if self.target.sign_on_url is not None:
            return self.target.sign_on_url
        return f"{self.mock.url}/myapps/signin/audit/{self.app.app_id}"

    def sign_in(self, browser: Browser) -> Form:
        """From the start URL to the mock's auto-post form, filling in the mock's pages."""
        answer = browser.get(self.start_url())
        for _ in range(MAX_PAGES):
            if answer.left_for:
                raise NotDelivered(f"{answer.url} sent the browser to {answer.left_for}")
            page = read_page(answer.text, answer.url)
            response = form_with(page, "SAMLResponse")
            if response is not None:
                return response
            request = form_with(page, "SAMLRequest")  # an SP using the HTTP-POST binding
            on_mock = origin(answer.url) == origin(self.mock.url)
            if request is not None:
                answer = browser.post(request.action, request.fields, initiator=answer.url)
                continue
            if not on_mock:
                raise NotDelivered(
                    f"{answer.url} answered HTTP {answer.status} instead of sending the browser "
                    f"to the mock at {self.mock.url}"
                )
            answer = self._mock_page(browser, answer, page)
        raise NotDelivered(f"no response after {MAX_PAGES} pages (last: {answer.url})")

    def _mock_page(self, browser: Browser, answer: Answer, page: Page) -> Answer:
        for element_id in ERROR_IDS:
            if page.texts.get(element_id):
                raise AuditError(
                    f"--user: the mock refused {self.target.user} for {self.app.name}: "
                    f"{page.texts[element_id]}"
                )
        if form_with(page, "otc") is not None:
            raise AuditError(f"--user: {self.target.user} needs MFA; audit with a user without")
        password = form_with(page, "passwd")
        if password is not None:
            filled = password.filled(passwd=self.target.password)
            return browser.post(password.action, filled, initiator=answer.url)
        for name in USERNAME_FIELDS:
            username = form_with(page, name)
            if username is not None:
                filled = username.filled(**{name: self.target.user})
                return browser.post(username.action, filled, initiator=answer.url)
        for form in page.forms:  # "Stay signed in?": No, as a browser profile used once would
            fields = form.clicked(STAY_SIGNED_IN_NO)
            if fields is not None:
                return browser.post(form.action, fields, initiator=answer.url)
        raise NotDelivered(f"the mock answered HTTP {answer.status} at {answer.url} with no form")

    def post(self, browser: Browser, form: Form, initiator: str) -> Observation:
        self.origins.add(origin(form.action))
        browser.origins.add(origin(form.action))
        answer = browser.post(form.action, form.fields, initiator=initiator)
        signed_in, page = self.probe(browser)
        return Observation(
            signed_in=signed_in,
            acs_status=answer.first_status,
            left_for=answer.left_for,
            names_user=signed_in and names(page, self.target.user),
            names_signed=signed_in and names(page, self.target.user + EVIL_SUFFIX),
        )

    def probe(self, browser: Browser) -> tuple[bool, str]:
        """Signed in: the probe page shows the text (or, without one, answers 200 in place)."""
        url, text = self.target.probe_url, self.target.probe_text
        answer = browser.get(url, follow=text is not None)
        if answer.left_for or origin(answer.url) == origin(self.mock.url):
            return False, answer.text
        if text is None:
            return answer.status == 200, answer.text
        return answer.status == 200 and text in answer.text, answer.text

    def run(self, case: Planned) -> Observation:
        try:
            return self._drive(case)
        except Unreachable as exc:
            raise AuditError(f"{self.option_for(exc.url)}: {exc}") from exc
        except NotDelivered as exc:
            if case.drive == "control":
                option = "--sign-on-url" if self.target.sp_initiated else "--acs-url"
                raise AuditError(f"{option}: {exc}") from exc
            return Observation(signed_in=False, error=str(exc))

    def option_for(self, url: str) -> str:
        """The option that named the silent URL, so the message points at the input."""
        for option, named in (
            ("--sign-on-url", self.target.sign_on_url),
            ("--acs-url", self.target.acs_url),
            ("--probe-url", self.target.probe_url),
        ):
            if named is not None and origin(named) == origin(url):
                return option
        return "--entra" if origin(url) == origin(self.mock.url) else url

    def _drive(self, case: Planned) -> Observation:
        if case.drive == "replay":
            if self.accepted is None:
                return Observation(signed_in=False, error="the control was not accepted")
            return self.post(self.browser(), self.accepted, initiator=self.mock.url)
        if case.drive == "control":
            self.mock.clear(self.app)
        else:
            self.mock.queue(self.app, case.name)
        attacker = self.browser()
        form = self.sign_in(attacker)
        if case.drive == "capture":
            return self._from_another_page(attacker, form)
        seen = self.post(attacker, form, initiator=self.mock.url)
        if case.drive == "control" and seen.signed_in:
            self.accepted = form
        return seen

    def _from_another_page(self, attacker: Browser, captured: Form) -> Observation:
        """login-csrf: the attacker's response, auto-posted into a victim's fresh browser."""
        page = attacker.post(captured.action, captured.fields, initiator=self.mock.url)
        link = read_page(page.text, page.url).links.get("another-origin-link")
        if link is None:
            raise NotDelivered(f"the mock's capture page {captured.action} showed no link")
        victim = self.browser()
        landing = victim.get(link)
        form = form_with(read_page(landing.text, landing.url), "SAMLResponse")
        if form is None:
            raise NotDelivered(f"{link} showed no auto-post form")
        return self.post(victim, form, initiator=landing.url)


def names(page: str, user: str) -> bool:
    """`user` on the page as a whole name: `b.simon@contoso.com.evil.example` does not count."""
    found = re.search(rf"(?<![\w.@-]){re.escape(html.escape(user))}(?![\w@-]|\.[\w-])", page, re.I)
    return found is not None


def audit(
    *,
    entra: str,
    token: str,
    target: Target,
    cases: Sequence[str] | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> list[CaseResult]:
    """Every planned case against the SP; raises AuditError for bad input or a silent target."""
    check_target(target)
    planned = plan(target, cases)
    mock = Mock(entra, token)
    mock.check_token()
    app = mock.app_for(target.identifier)
    if target.acs_url is not None:
        mock.check_reply_url(app, target.acs_url)
    start = target.sign_on_url or target.acs_url or ""
    run = _Run(mock=mock, app=app, target=target)
    run.origins |= {origin(start), origin(target.probe_url), origin(mock.url)}
    results: list[CaseResult] = []
    try:
        for case in planned:
            result = judge(case, run.run(case))
            results.append(result)
            if on_result is not None:
                on_result(result)
            if case.drive == "control" and not result.passed:
                break  # nothing else means anything while Entra's own response is refused
    finally:
        mock.clear(app)
    return results
