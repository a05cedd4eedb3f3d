"""Which Entra account may sign in as which person: (tenant ID, object ID), never the NameID.

A NameID (UPN, mail, display name…) is a label an Entra administrator, or sometimes the user,
can change. Microsoft's advice for multi-tenant and SAML apps alike: authorise on the signed
`tenantid` + `objectidentifier` claims, never on an email. So:

- the NameID finds the person (Trakstar matches usernames), and must be in the emailAddress
  format Trakstar's setup gives (user.userprincipalname); any other format is a setup mistake
  or an attempt (a display name is not an identifier);
- the first successful sign-in binds the person to the Entra account that made it;
- a later assertion for that person from another account is refused and audited;
- a person who holds a Trakstar password (an administrator) is never claimed by a first
  assertion: they link their Microsoft account from their own signed-in session;
- an administrator can forget a link (People page, `people relink`): the next sign-in binds again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from sp import audit, sessions
from sp.models import Organisation, Person, SsoIdentity
from sp.saml import errors
from sp.saml.constants import NAMEID_FORMAT_EMAILADDRESS, OBJECT_ID_CLAIM, TENANT_CLAIM
from sp.saml.identity import VerifiedAssertion

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True, kw_only=True, slots=True)
class EntraAccount:
    tenant_id: str
    object_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Claimant:
    """The active person an assertion's NameID found, as the ACS read them (no ORM object)."""

    id: int
    email: str
    name: str
    is_admin: bool
    holds_password: bool


# On every SSO sign-in and dashboard: one prebuilt query, a row, no ORM object.
_LINKED_ACCOUNT = select(SsoIdentity.tenant_id, SsoIdentity.object_id).where(
    SsoIdentity.person_id == bindparam("person_id")
)


def account_of(assertion: VerifiedAssertion) -> EntraAccount:
    """The signed account claims, exactly one GUID each, or a refusal."""
    tenant = assertion.attributes.get(TENANT_CLAIM, ())
    object_id = assertion.attributes.get(OBJECT_ID_CLAIM, ())
    if len(tenant) != 1 or len(object_id) != 1:
        raise errors.MissingAccountClaims(f"tenantid {tenant!r}, objectidentifier {object_id!r}")
    account = EntraAccount(tenant_id=tenant[0].lower(), object_id=object_id[0].lower())
    if not (_GUID.match(account.tenant_id) and _GUID.match(account.object_id)):
        raise errors.MissingAccountClaims(f"not GUIDs: {account!r}")
    return account


def require_email_format(assertion: VerifiedAssertion) -> None:
    if assertion.name_id_format != NAMEID_FORMAT_EMAILADDRESS:
        raise errors.NameIdFormatRefused(
            f"NameID {assertion.name_id!r} in format {assertion.name_id_format!r}"
        )


def link_of(db: Session, person_id: int) -> SsoIdentity | None:
    return db.get(SsoIdentity, person_id)


def linked_account(db: Session, person_id: int) -> EntraAccount | None:
    """The Entra account the person is linked to, if any (what `link_of` says, read only)."""
    row = db.connection().execute(_LINKED_ACCOUNT, {"person_id": person_id}).first()
    return None if row is None else EntraAccount(tenant_id=row.tenant_id, object_id=row.object_id)


def admit(
    db: Session,
    organisation_id: int,
    person: Claimant,
    account: EntraAccount,
    *,
    now: datetime,
    linking: bool = False,
) -> None:
    """Let `account` sign in as `person`, binding it on first use; refuse (audited) otherwise.

    `linking`: the person started this sign-in from their own session ("Link your Microsoft
    account"), so a password holder may be bound too.
    """
    label = f"{person.name} <{person.email}>"
    seen = f"tenant {account.tenant_id}, object {account.object_id}"
    link = linked_account(db, person.id)
    if link is not None:
        if link == account:
            return
        _refuse(db, organisation_id, now, f"{label}: linked to object {link.object_id}, got {seen}")
        raise errors.IdentityMismatch(f"{label}: linked to {link.object_id}; assertion {seen}")
    holder = db.scalar(
        select(SsoIdentity).where(
            SsoIdentity.organisation_id == organisation_id,
            SsoIdentity.tenant_id == account.tenant_id,
            SsoIdentity.object_id == account.object_id,
        )
    )
    if holder is not None:
        _refuse(
            db, organisation_id, now, f"{label}: {seen} is linked to person #{holder.person_id}"
        )
        raise errors.IdentityMismatch(f"{seen} already linked to person #{holder.person_id}")
    if person.holds_password and not linking:
        _refuse(db, organisation_id, now, f"{label}: holds a password, not linked yet; {seen}")
        raise errors.PasswordAccountNotLinked(f"{label} has a password and no link")
    db.add(
        SsoIdentity(
            person_id=person.id,
            organisation_id=organisation_id,
            tenant_id=account.tenant_id,
            object_id=account.object_id,
            linked_at=now,
        )
    )
    how = "from their own session" if linking else "on first single sign-on"
    audit.record(
        db,
        organisation_id=organisation_id,
        actor=person.email,
        action="sso.linked",
        detail=f"{label} linked to {seen} ({how})",
        now=now,
    )
    db.commit()


def relink(db: Session, org: Organisation, person: Person, *, actor: str, now: datetime) -> bool:
    """Forget the person's link (their sessions end): the next sign-in binds again."""
    link = link_of(db, person.id)
    if link is None:
        return False
    db.delete(link)
    sessions.end_for_people(db, [person.id])
    audit.record(
        db,
        organisation_id=org.id,
        actor=actor,
        action="sso.relinked",
        detail=f"{person.name} <{person.email}>: link to object {link.object_id} removed; "
        "the next single sign-on links again",
        now=now,
    )
    db.commit()
    return True


def _refuse(db: Session, organisation_id: int, now: datetime, detail: str) -> None:
    """The refusal is written before the error page shows: nothing else changes."""
    db.rollback()
    audit.record(
        db,
        organisation_id=organisation_id,
        actor="single sign-on",
        action="sso.identity_refused",
        detail=detail,
        now=now,
    )
    db.commit()
