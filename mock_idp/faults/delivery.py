"""`Deliver` implementations for the fault catalogue (the hook in `mock_idp.sso.issue`).

`post` replaces the response in the auto-post form; `replay` posts the last replayable response
for the app instead of a new one; `capture` keeps the (valid) response for an attacker and sends
the browser to the mock's harness page instead of the SP. Every delivery is recorded.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from werkzeug.exceptions import Conflict

from mock_idp.faults.book import FaultBook
from mock_idp.protocol.response import Issuance
from mock_idp.sso import Deliver, NewId, PostForm, entra_delivery
from mock_idp.tenant import EnterpriseApp

if TYPE_CHECKING:
    from mock_idp.faults.model import FaultCase


class NothingToReplay(Conflict):
    """`replay` was chosen before the app issued any response the SP would accept."""


def fault_delivery(
    case: FaultCase | None,
    *,
    book: FaultBook,
    evil: str,
    harness_url: str,
    probe_url: str,
) -> Deliver:
    """The Deliver for one response: `case`, or Entra's own when None; always recorded."""

    def deliver(
        app: EnterpriseApp, issuance: Issuance, form: PostForm, *, now: datetime, new_id: NewId
    ) -> PostForm:
        if case is None:
            posted = entra_delivery(app, issuance, form, now=now, new_id=new_id)
            book.record(app_id=app.app_id, case=None, form=posted, now=now, replayable=True)
            return posted
        if case.delivery == "replay":
            last = book.last(app.app_id, replayable=True)
            if last is None:
                raise NothingToReplay(
                    f"Scenario 'replay' needs a response to replay: sign in to {app.name} once "
                    "without a scenario first."
                )
            book.record(
                app_id=app.app_id, case=case.name, form=last.form, now=now, replayable=False
            )
            return last.form
        from mock_idp.faults.build import build  # the case builders: loaded with a first case
        from mock_idp.faults.model import Context

        ctx = Context(
            issuance=issuance,
            now=now,
            new_id=new_id,
            idp=app.active_certificate.pair,
            attacker=book.attacker(now),
            victim=issuance.name_id,
            evil=evil,
            algorithm=app.signing_algorithm,
            probe_url=probe_url,
        )
        built = build(case, ctx, profile=case.profile_for(app.signing_option))
        posted = replace(
            form,
            saml_response=built.saml_response,
            relay_state=form.relay_state if built.relay_state is None else built.relay_state,
        )
        accepted = case.expected.verdict == "accept"
        if case.delivery == "capture":
            book.record(app_id=app.app_id, case=case.name, form=posted, now=now, replayable=True)
            capture_id = book.capture(posted)
            return PostForm(
                action=f"{harness_url}/captured/{capture_id}",
                saml_response=posted.saml_response,
                relay_state=None,
            )
        book.record(app_id=app.app_id, case=case.name, form=posted, now=now, replayable=accepted)
        return posted

    return deliver
