"""Turns the sign-in core's `Outcome` into HTTP, the same way for every entry point.

The browser's session is written first, then the smart-lockout counter is kept in the shared
store, then either the failure is raised (`views/errors.py` renders it and writes its sign-in
log row) or the answer is rendered: a sign-in page, the auto-post form (plus a success row in
the sign-in logs), or a redirect.
"""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from mock_idp import lockout, signin, signin_log
from mock_idp.faults import runtime as faults
from mock_idp.protocol.errors import AadstsError
from mock_idp.state import get_state
from mock_idp.store import Store
from mock_idp.views import auto_post, browser

TEMPLATES = {"signin": "signin.html", "password": "password.html", "mfa": "mfa.html",
             "kmsi": "kmsi.html"}  # fmt: skip


def store() -> Store:
    """The store every worker of this mock sees: lockout counters, sign-in log rows."""
    return get_state().store


def context() -> signin.Context:
    state = get_state()
    return signin.Context(
        tenant=state.tenant, now=state.clock(), new_id=state.new_id,
        deliver_for=faults.delivery_for,  # Entra's own delivery unless a fault case is chosen
    )  # fmt: skip


def new_guid() -> str:
    return get_state().new_id().lstrip("_")


def counter_of(object_id: str) -> lockout.Counter:
    return lockout.Counter.from_json(store().get("lockout", object_id))


def apply(outcome: signin.Outcome) -> Response | str:
    browser.write(outcome.browser)
    if outcome.counter is not None:
        object_id, counter = outcome.counter
        store().put("lockout", object_id, counter.to_json())
    g.signin_attempt = outcome.attempt
    if outcome.failure is not None:
        raise outcome.failure
    answer = outcome.answer
    if isinstance(answer, signin.Post):
        log(None, request_id=new_guid())
        return auto_post.page(answer.form)
    if isinstance(answer, signin.ShowPage) and answer.step == "signin":
        return redirect(url_for("saml2.sign_in", tenant=get_state().tenant.tenant_id))
    if isinstance(answer, signin.ShowPage):
        return render_template(TEMPLATES[answer.step], tenant=get_state().tenant,
                               login=answer.login, error=None)  # fmt: skip
    assert isinstance(answer, signin.GoTo)
    return redirect(answer.url or url_for("home.index"))


def log(error: AadstsError | None, *, request_id: str, correlation_id: str = "") -> str:
    """A sign-in log row for this request's attempt; returns the Correlation ID it used."""
    attempt: signin.Attempt = g.get("signin_attempt") or signin.Attempt()
    correlation_id = correlation_id or attempt.correlation_id or new_guid()
    state = get_state()
    record = signin_log.row(
        state.tenant, attempt, error,
        request_id=request_id, correlation_id=correlation_id, now=state.clock(),
        ip_address=request.remote_addr or "", user_agent=request.headers.get("User-Agent", ""),
    )  # fmt: skip
    # Written with the session at the end of the request (`Store.batch`): one commit for both.
    store().append_later(signin_log.LOG, record, keep=signin_log.KEEP)
    # The tracer (when on) links this row to the flow it records for this request.
    g.setdefault("signin_request_ids", []).append(request_id)
    return correlation_id


def logging_sign_ins() -> bool:
    """True while this request is a sign-in (not a sign-out or an admin page)."""
    return "signin_attempt" in g
