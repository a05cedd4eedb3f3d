"""The audit's pure core: what it is pointed at, which cases it runs, what each must do, and
how an observation becomes a verdict. No HTTP, no clock: `runner.py` does the talking.

Every case of the fault catalogue runs as the mock builds it, plus two the audit drives itself:
`valid` (the control: Entra's own response, which the SP must accept, or nothing else means
anything) and `replay` (the response the control was signed in with, posted again from a
browser that never started a sign-in).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from mock_idp.audit.errors import AuditError
from mock_idp.faults.catalogue import CATALOGUE, UnknownCase, get
from mock_idp.faults.model import FaultCase

# "not-as-user": the IdP signed another name; a session is fine, but never as the audit's user.
Must = Literal["accept", "reject", "either", "not-as-user"]
# How the audit drives a case: Entra's response (the control), the catalogue's case posted by
# this browser, the control's response posted again, or captured and posted from another page.
Drive = Literal["control", "post", "replay", "capture"]
CONTROL = "valid"
REPLAY = "replay"
# A sign-in that starts at the IdP has no request: these cases only mean something when the SP
# sent one.
SP_INITIATED_ONLY = frozenset({"unsolicited", "login-csrf"})
# The catalogue's expectations are the reference SP's; where they are one SP's policy rather
# than a rule for every SP, the audit says what any SP must do.
GENERIC: dict[str, tuple[Must, str]] = {
    # Entra advises SPs to allow some clock skew; how much (up to 5 minutes) is the SP's choice.
    "skew-+5min": ("either", "either (SP's clock-skew policy)"),
    "relay-state-open-redirect": ("accept", "accept, never redirect to RelayState"),
    # Entra signed `<user>.evil.example`; a comment makes a careless reader see `<user>`. An SP
    # that drops comments signs in the name Entra signed, which is right; the probe page must
    # show the signed-in user's name for the audit to tell.
    "comment-in-nameid": ("not-as-user", "reject, or sign in the signed name (not the user)"),
    "comment-in-attribute-value": (
        "not-as-user",
        "reject, or sign in the signed name (not the user)",
    ),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Target:
    """The SP under audit, as its administrator would describe it."""

    identifier: str  # the Identifier (Entity ID) the SP's app has in the mock
    user: str  # a user assigned to that app, who signs in at the mock
    password: str
    probe_url: str  # a page only a signed-in user sees
    probe_text: str | None = None  # text on that page for any signed-in user (not a name)
    sign_on_url: str | None = None  # SP-initiated: where the SP starts a sign-in
    acs_url: str | None = None  # IdP-initiated: where the mock posts the response

    @property
    def sp_initiated(self) -> bool:
        return self.sign_on_url is not None


@dataclass(frozen=True, kw_only=True, slots=True)
class Planned:
    name: str
    expected: str  # in words, for the table
    must: Must
    drive: Drive


@dataclass(frozen=True, kw_only=True, slots=True)
class Observation:
    """What a browser saw after the response reached the SP, and what the probe said."""

    signed_in: bool
    acs_status: int | None = None  # the SP's first answer to the POST
    left_for: str | None = None  # a redirect off the SP and the mock, never followed
    error: str | None = None  # the case could not be delivered (the mock refused it…)
    names_user: bool = False  # the probe page names the audit's user (as a whole word)
    names_signed: bool = False  # … or the longer name Entra signed in the comment cases

    @property
    def label(self) -> str:
        if self.error:
            return f"not delivered: {self.error}"
        status = f"HTTP {self.acs_status}" if self.acs_status is not None else "no answer"
        said = f"signed in ({status})" if self.signed_in else f"refused ({status})"
        return f"{said}, redirected to {self.left_for}" if self.left_for else said


@dataclass(frozen=True, kw_only=True, slots=True)
class CaseResult:
    case: str
    expected: str
    observed: str
    passed: bool
    verdict: str  # "pass", "FINDING" (a session where none is due), "FAIL" (refused or error)


def check_target(target: Target) -> None:
    """Bad input, named by option, before any connection."""
    if not target.identifier.strip():
        raise AuditError("--identifier: give the Identifier (Entity ID) of the SP's app")
    if (target.sign_on_url is None) == (target.acs_url is None):
        raise AuditError("give exactly one of --sign-on-url (SP-initiated) or --acs-url")
    for option, url in (
        ("--sign-on-url", target.sign_on_url),
        ("--acs-url", target.acs_url),
        ("--probe-url", target.probe_url),
    ):
        if url is not None:
            check_url(option, url)
    if not target.user.strip():
        raise AuditError("--user: give the UPN of a user assigned to the SP's app")
    if not target.password:
        raise AuditError("--password: give the user's password at the mock")
    if target.probe_text is not None and not target.probe_text.strip():
        raise AuditError("--probe-text: give text only a signed-in user sees, or leave it out")


def check_url(option: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AuditError(f"{option}: {url!r} is not an http:// or https:// URL")


def plan(target: Target, names: Sequence[str] | None = None) -> tuple[Planned, ...]:
    """The cases to run, control first; `names` picks some (unknown names are bad input)."""
    chosen = [CONTROL, *[c.name for c in CATALOGUE if c.name != CONTROL]]
    if names:
        for name in names:
            try:
                get(name)
            except UnknownCase as exc:
                raise AuditError(f"--case: {exc}") from exc
        chosen = [n for n in chosen if n in names or n == CONTROL]
    if not target.sp_initiated:
        chosen = [n for n in chosen if n not in SP_INITIATED_ONLY]
    return tuple(planned(get(name)) for name in chosen)


def planned(case: FaultCase) -> Planned:
    if case.name in GENERIC:
        must, expected = GENERIC[case.name]
    else:
        must = case.expected.verdict
        expected = f"reject ({case.expected.refusal})" if must == "reject" else "accept"
    drive: Drive = "post"
    if case.name == CONTROL:
        drive = "control"
    elif case.delivery == "replay":
        drive = "replay"
    elif case.delivery == "capture":
        drive = "capture"
    return Planned(name=case.name, expected=expected, must=must, drive=drive)


def judge(case: Planned, seen: Observation) -> CaseResult:
    """A session where the case must be refused is a finding; so is any off-site redirect."""
    observed = seen.label
    if seen.error:
        passed, verdict = False, "FAIL"
    elif seen.left_for:
        passed, verdict = False, "FINDING"
    elif case.must == "either":
        passed, verdict = True, "pass"
    elif case.must == "not-as-user" and seen.signed_in:
        if seen.names_user:
            passed, verdict, observed = False, "FINDING", f"{observed}, as the user"
        elif seen.names_signed:
            passed, verdict, observed = True, "pass", f"{observed}, as the signed name"
        else:  # the probe page shows no name: nothing tells the two apart
            passed, verdict = False, "FAIL"
            observed = f"{observed}, as whom? (the probe page names no one)"
    elif case.must == "not-as-user":
        passed, verdict = True, "pass"
    elif case.must == "reject":
        passed = not seen.signed_in
        verdict = "pass" if passed else "FINDING"
    else:
        passed = seen.signed_in
        verdict = "pass" if passed else "FAIL"
    return CaseResult(
        case=case.name,
        expected=case.expected,
        observed=observed,
        passed=passed,
        verdict=verdict,
    )


def exit_status(results: Sequence[CaseResult]) -> int:
    return 0 if all(r.passed for r in results) else 1
