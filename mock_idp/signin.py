"""What Entra answers to a sign-in: the one core step behind every way in.

SP-initiated (`/saml2`), Test this application and My Apps all call `start` with the request
to answer; Entra's sign-in pages call `password`, `code` and `stay_signed_in`. Each returns an
`Outcome`: what to show next (a sign-in page, the auto-post form, or a place to go), the
browser's session afterwards, the smart-lockout counter to keep, and the error to report (the
session is saved first: a user who signed in but is not assigned stays signed in, as in
Entra). The steps, in Entra's order: username (50034) → smart lockout (50053) → password
(50126) → account enabled (50057) → "Enter code" for users with an authenticator (500121)
→ "Stay signed in?" when the tenant shows it → authentication context (75011) → app enabled
(7000112) → assignment (50105) → token.

Pure: no Flask, no clock, no randomness; `Context` brings the tenant, `now` and `new_id`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

import pyotp

from mock_idp import lockout, sso
from mock_idp.protocol import claims, errors
from mock_idp.sessions import BrowserSession, PendingSignIn, SignInProgress, signed_in_as
from mock_idp.tenant import Tenant, User

# A user marked `mfa = true` with no `totp_secret`: a fixed code, for tests that need no clock.
MFA_TEST_CODE = "123456"

Step = Literal["signin", "password", "mfa", "kmsi"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Context:
    tenant: Tenant
    now: datetime
    new_id: Callable[[], str]
    deliver_for: Callable[[str], sso.Deliver] = lambda _app_id: sso.entra_delivery


@dataclass(frozen=True, kw_only=True, slots=True)
class ShowPage:
    """One of Entra's sign-in pages; `login` is the account it is about."""

    step: Step
    login: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class Post:
    form: sso.PostForm


@dataclass(frozen=True, kw_only=True, slots=True)
class GoTo:
    """Signed in with no request to answer (My Apps): where the browser goes next."""

    url: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Attempt:
    """Who tried to sign in to which app: what a sign-in log row says about it."""

    app_id: str = ""
    login: str = ""
    user_id: str = ""
    correlation_id: str = ""
    methods: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Outcome:
    answer: ShowPage | Post | GoTo | None
    browser: BrowserSession
    attempt: Attempt
    failure: errors.AadstsError | None = None
    counter: tuple[str, lockout.Counter] | None = None  # (user object ID, its new counter)


def attempt_of(
    browser: BrowserSession,
    user: User | None = None,
    login: str = "",
    methods: tuple[str, ...] = (),
) -> Attempt:
    pending = browser.pending
    return Attempt(
        app_id=pending.app_id if pending else "",
        login=user.upn if user else login,
        user_id=user.object_id if user else "",
        correlation_id=pending.correlation_id if pending else "",
        methods=methods,
    )


def start(ctx: Context, browser: BrowserSession, pending: PendingSignIn | None) -> Outcome:
    """A request to answer (None: just sign in, as My Apps): reuse the session unless
    ForceAuthn; IsPassive never shows a page (50058)."""
    browser = replace(browser, pending=pending, progress=None)
    if pending is None:
        if browser.user is not None:
            return _complete(ctx, browser)
        return Outcome(answer=ShowPage(step="signin"), browser=browser, attempt=attempt_of(browser))
    try:
        reuse = sso.reuse_session(pending, browser.user)
    except errors.AadstsError as error:
        return Outcome(answer=None, browser=replace(browser, pending=None), failure=error,
                       attempt=attempt_of(browser))  # fmt: skip
    if reuse:
        return _complete(ctx, browser)
    page = ShowPage(step="signin", login=pending.login_hint)
    return Outcome(answer=page, browser=browser, attempt=attempt_of(browser))


def password(
    ctx: Context, browser: BrowserSession, login: str, typed: str, counter: lockout.Counter
) -> Outcome:
    """The password page: smart lockout, the password, the account, then the next step."""
    user = sso.find_user(ctx.tenant, login)  # 50034, shown on the username page
    attempt = attempt_of(browser, user)
    tenant = ctx.tenant
    policy = lockout.Policy(
        threshold=tenant.lockout_threshold, duration_seconds=tenant.lockout_duration_seconds
    )
    try:
        lockout.check(counter, now=ctx.now, login=user.upn)
    except errors.AccountLocked as locked:
        return Outcome(answer=None, browser=browser, attempt=attempt, failure=locked)
    if typed != user.password:
        error = errors.InvalidPassword(
            "Error validating credentials due to invalid username or password.", login=user.upn
        )
        counted = (user.object_id, lockout.failed(counter, policy, typed, now=ctx.now))
        return Outcome(answer=None, browser=browser, attempt=attempt, failure=error,
                       counter=counted)  # fmt: skip
    reset = (user.object_id, lockout.succeeded())
    if not user.enabled:
        disabled = errors.UserDisabled("The user account is disabled.")
        return Outcome(answer=None, browser=browser, attempt=attempt, failure=disabled,
                       counter=reset)  # fmt: skip
    return replace(_next(ctx, browser, user, (claims.PASSWORD_METHOD,)), counter=reset)


def code(ctx: Context, browser: BrowserSession, typed: str) -> Outcome:
    """The "Enter code" page: the authenticator's code for this moment (one step either side)."""
    user = _in_progress(ctx, browser, "mfa")
    if user is None or browser.progress is None:
        return _restart(browser)
    attempt = attempt_of(browser, user)
    if not code_is_valid(user, typed, now=ctx.now):
        error = errors.InvalidVerificationCode(
            "Authentication failed during strong authentication request.", login=user.upn
        )
        return Outcome(answer=None, browser=browser, attempt=attempt, failure=error)
    return _next(ctx, browser, user, (*browser.progress.methods, claims.MFA_METHOD))


def stay_signed_in(ctx: Context, browser: BrowserSession, *, remember: bool) -> Outcome:
    """ "Stay signed in?": Yes keeps the SSO session past the browser, No does not."""
    user = _in_progress(ctx, browser, "kmsi")
    if user is None or browser.progress is None:
        return _restart(browser)
    return _signed_in(ctx, browser, user, browser.progress.methods, persistent=remember)


def code_is_valid(user: User, typed: str, *, now: datetime) -> bool:
    typed = typed.strip()
    if user.totp_secret:
        return pyotp.TOTP(user.totp_secret).verify(typed, for_time=now, valid_window=1)
    return user.mfa and typed == MFA_TEST_CODE


def current_code(secret: str, *, now: datetime) -> str:
    """The code an authenticator app shows at `now` for `secret` (RFC 6238: SHA-1, 6, 30 s)."""
    return pyotp.TOTP(secret).at(now)


def _next(ctx: Context, browser: BrowserSession, user: User, methods: tuple[str, ...]) -> Outcome:
    """After a factor: the code if the user has one and has not given it, then KMSI."""
    if user.has_mfa and claims.MFA_METHOD not in methods:
        return _awaiting(browser, user, methods, "mfa")
    if ctx.tenant.show_keep_signed_in:
        return _awaiting(browser, user, methods, "kmsi")
    return _signed_in(ctx, browser, user, methods, persistent=False)


def _awaiting(
    browser: BrowserSession, user: User, methods: tuple[str, ...], step: Literal["mfa", "kmsi"]
) -> Outcome:
    progress = SignInProgress(object_id=user.object_id, methods=methods, awaiting=step)
    browser = replace(browser, progress=progress)
    page = ShowPage(step=step, login=user.upn)
    return Outcome(answer=page, browser=browser, attempt=attempt_of(browser, user))


def _in_progress(ctx: Context, browser: BrowserSession, step: str) -> User | None:
    progress = browser.progress
    if progress is None or progress.awaiting != step:
        return None
    return ctx.tenant.users.get(progress.object_id)


def _restart(browser: BrowserSession) -> Outcome:
    """A step posted out of order (an old tab, an expired session): the sign-in starts over."""
    browser = replace(browser, progress=None)
    return Outcome(answer=ShowPage(step="signin"), browser=browser, attempt=attempt_of(browser))


def _signed_in(
    ctx: Context,
    browser: BrowserSession,
    user: User,
    methods: tuple[str, ...],
    *,
    persistent: bool,
) -> Outcome:
    signed_in = signed_in_as(browser.user, user.object_id, now=ctx.now, methods=methods)
    browser = replace(browser, user=signed_in, progress=None, persistent=persistent)
    return _complete(ctx, browser)


def _complete(ctx: Context, browser: BrowserSession) -> Outcome:
    """Signed in: answer the pending request, or go where the user was going."""
    signed_in = browser.user
    assert signed_in is not None  # callers sign in first
    pending = browser.pending
    app = ctx.tenant.apps.get(pending.app_id) if pending else None
    user = ctx.tenant.users.get(signed_in.object_id)
    attempt = attempt_of(browser, user, methods=signed_in.methods)
    if pending is None or app is None or user is None:
        done = replace(browser, pending=None, after_sign_in=None)
        return Outcome(answer=GoTo(url=browser.after_sign_in), browser=done, attempt=attempt)
    try:
        sso.admit(app, user, pending, signed_in)
        form = sso.issue(
            ctx.tenant, app, user, pending, signed_in,
            now=ctx.now, new_id=ctx.new_id, deliver=ctx.deliver_for(app.app_id),
        )  # fmt: skip
    except errors.AadstsError as error:
        return Outcome(answer=None, browser=replace(browser, pending=None), attempt=attempt,
                       failure=error)  # fmt: skip
    browser = replace(browser, pending=None, user=signed_in.joined(form.participant))
    return Outcome(answer=Post(form=form), browser=browser, attempt=attempt)
