"""The tracer's Trakstar side: which checks the ACS ran on one response, and their results.

`sso.finish` runs each step inside `Trace.step(...)`; the view saves the trace under the id the
error page shows (or the id of the sign-in it opened). An administrator of the organisation can
read every attempt; a signed-in person can read the attempt that signed them in. No one else:
a refused attempt may carry another person's NameID and claims, and its id is shown to whoever
was refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from sp.models import AcsAttempt
from sp.saml.errors import SsoError

KEEP_FOR = timedelta(days=7)
KEEP_AT_MOST = 2000  # an unauthenticated POST loop cannot grow the table without bound

# Every step the ACS runs, in order: the page lists the ones not reached as "not run".
STEPS = (
    "Form body: urlencoded, one SAMLResponse, size",
    "Input gate: strict base64, size cap, no DOCTYPE, one assertion, allowed algorithms",
    "Sign-in pending in this browser (the AuthnRequest this browser sent)",
    "Signature over the assertion, with the certificate pasted in Trakstar",
    "Exact checks: Destination, Issuers, InResponseTo, tenant, Recipient, Audience, times",
    "Replay cache: Response and Assertion IDs never seen before",
    "NameID format is emailAddress",
    "Entra account claims: tenantid and objectidentifier",
    "Person with this NameID exists in the organisation and is active",
    "Account link: the person is bound to this Entra account (tenant ID, object ID)",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Check:
    name: str
    result: str  # "passed", "failed" or "not run"
    note: str = ""


@dataclass(kw_only=True, slots=True)
class Trace:
    attempt_id: str
    checks: list[Check] = field(default_factory=list)
    organisation_id: int | None = None
    person_id: int | None = None
    found: str = ""  # what the running step established, set through `note`

    @contextmanager
    def step(self, index: int, note: str = "") -> Iterator[None]:
        name = STEPS[index]
        self.found = note
        try:
            yield
        except SsoError as error:
            self.checks.append(
                Check(name=name, result="failed", note=f"{type(error).__name__}: {error.detail}")
            )
            raise
        self.checks.append(Check(name=name, result="passed", note=self.found))

    def note(self, note: str) -> None:
        """What the running step established (a NameID, an object ID), shown on its line."""
        self.found = note


@dataclass(frozen=True, kw_only=True, slots=True)
class Attempt:
    id: str
    organisation_id: int | None
    person_id: int | None
    at: datetime
    outcome: str
    checks: tuple[Check, ...]


# Built once with bound parameters (SQLAlchemy would build and key them again on every
# response); run as plain statements: an attempt is read back only by `find`.
_PURGE = delete(AcsAttempt).where(AcsAttempt.at < bindparam("before"))
_RECORD = insert(AcsAttempt)
_COUNT = select(func.count()).select_from(AcsAttempt)


def save(
    db: Session,
    trace: Trace,
    *,
    organisation_id: int | None,
    person_id: int | None,
    outcome: str,
    now: datetime,
) -> None:
    db.rollback()  # whatever the refused step left half-done is not part of the record
    done = {c.name for c in trace.checks}
    checks = [*trace.checks, *(Check(name=s, result="not run") for s in STEPS if s not in done)]
    connection = db.connection()
    connection.execute(_PURGE, {"before": now - KEEP_FOR})
    connection.execute(
        _RECORD,
        {
            "id": trace.attempt_id,
            "organisation_id": organisation_id,
            "person_id": person_id,
            "at": now,
            "outcome": outcome,
            "checks": json.dumps([[c.name, c.result, c.note[:1000]] for c in checks]),
        },
    )
    if (connection.scalar(_COUNT) or 0) > KEEP_AT_MOST:
        oldest = select(AcsAttempt.id).order_by(AcsAttempt.at).limit(KEEP_AT_MOST // 10)
        connection.execute(delete(AcsAttempt).where(AcsAttempt.id.in_(oldest)))
    db.commit()


def find(db: Session, attempt_id: str) -> Attempt | None:
    row = db.get(AcsAttempt, attempt_id)
    if row is None:
        return None
    return Attempt(
        id=row.id,
        organisation_id=row.organisation_id,
        person_id=row.person_id,
        at=row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC),
        outcome=row.outcome,
        checks=tuple(Check(name=n, result=r, note=t) for n, r, t in json.loads(row.checks)),
    )


def may_read(attempt: Attempt, *, person_id: int, organisation_id: int, is_admin: bool) -> bool:
    if is_admin and attempt.organisation_id == organisation_id:
        return True
    return attempt.person_id == person_id and attempt.outcome == "signed-in"
