"""People in an organisation: add, activate, deactivate, remove, set a password.

Single sign-on only ever maps to a person created and activated here (no just-in-time
accounts). Deactivating or removing a person ends their sessions: `members.load_member`
drops them on their next request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sp import audit, sessions
from sp.models import Organisation, Person, SsoIdentity
from sp.organisations import AdminError
from sp.passwords import PasswordCost, hash_password

# Entra's NameID is the UPN in emailAddress format: one @, no spaces, a dotted domain.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MIN_PASSWORD = 12
MAX_PASSWORD = 256


class PersonNotFound(AdminError):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class PersonView:
    id: int
    email: str
    name: str
    active: bool
    is_admin: bool
    has_password: bool
    linked_object_id: str  # the Entra account single sign-on is bound to; "" before the first


def view_of(person: Person, linked_object_id: str = "") -> PersonView:
    return PersonView(
        id=person.id,
        email=person.email,
        name=person.name,
        active=person.active,
        is_admin=person.is_admin,
        has_password=bool(person.password_hash),
        linked_object_id=linked_object_id,
    )


def list_people(db: Session, org: Organisation) -> tuple[PersonView, ...]:
    rows = db.scalars(
        select(Person).where(Person.organisation_id == org.id).order_by(func.lower(Person.name))
    ).all()
    links = {
        row.person_id: row.object_id
        for row in db.execute(
            select(SsoIdentity.person_id, SsoIdentity.object_id).where(
                SsoIdentity.organisation_id == org.id
            )
        )
    }
    return tuple(view_of(p, links.get(p.id, "")) for p in rows)


def find(
    db: Session, org: Organisation, *, email: str | None = None, person_id: int | None = None
) -> Person:
    """By email (case-insensitive, as SSO matches it) or by id, within this organisation only."""
    query = select(Person).where(Person.organisation_id == org.id)
    if person_id is not None:
        query = query.where(Person.id == person_id)
    else:
        query = query.where(func.lower(Person.email) == (email or "").strip().casefold())
    person = db.scalar(query)
    if person is None:
        who = email if person_id is None else f"#{person_id}"
        raise PersonNotFound(f"No person {who} in {org.name}.")
    return person


def add(
    db: Session,
    org: Organisation,
    *,
    name: str,
    email: str,
    actor: str,
    now: datetime,
    active: bool = False,
    is_admin: bool = False,
    password: str | None = None,
    password_cost: PasswordCost = PasswordCost.STANDARD,
) -> Person:
    """A new person, inactive unless asked: SSO refuses them until an admin activates them."""
    name, email = " ".join(name.split()), email.strip()
    if not name or len(name) > 200:
        raise AdminError("Enter the person's name (at most 200 characters).", field="name")
    if len(email) > 320 or not _EMAIL.match(email):
        raise AdminError(
            f"'{email}' is not an email address. Use the person's Microsoft Entra user name, "
            "e.g. B.Simon@contoso.com: single sign-on matches it.",
            field="email",
        )
    exists = db.scalar(
        select(Person.id).where(
            Person.organisation_id == org.id, func.lower(Person.email) == email.casefold()
        )
    )
    if exists is not None:
        raise AdminError(f"{email} is already a person in {org.name}.", field="email")
    if password is not None:
        check_password(password, email=email)
    person = Person(
        organisation_id=org.id,
        email=email,
        name=name,
        active=active,
        is_admin=is_admin,
        password_hash=hash_password(password, password_cost) if password is not None else None,
    )
    db.add(person)
    flags = ", ".join(
        f
        for f, on in (
            ("active", active),
            ("administrator", is_admin),
            ("with a password", password is not None),
        )
        if on
    )
    _audit(
        db, org, "person.added", f"{name} <{email}>" + (f" ({flags})" if flags else ""), actor, now
    )
    db.commit()
    return person


def set_active(
    db: Session,
    org: Organisation,
    person: Person,
    *,
    active: bool,
    actor: str,
    now: datetime,
    actor_id: int | None = None,
) -> None:
    if person.active == active:
        return
    if not active:
        _keep_an_administrator(db, org, person, actor_id=actor_id, doing="deactivate")
    person.active = active
    if not active:
        sessions.end_for_people(db, [person.id])
    action = "person.activated" if active else "person.deactivated"
    _audit(db, org, action, f"{person.name} <{person.email}>", actor, now)
    db.commit()


def remove(
    db: Session,
    org: Organisation,
    person: Person,
    *,
    actor: str,
    now: datetime,
    actor_id: int | None = None,
) -> None:
    _keep_an_administrator(db, org, person, actor_id=actor_id, doing="remove")
    detail = f"{person.name} <{person.email}>"
    sessions.end_for_people(db, [person.id])
    db.delete(person)
    _audit(db, org, "person.removed", detail, actor, now)
    db.commit()


def check_password(password: str, *, email: str) -> None:
    """The password rules, on their own: the CLI checks them before it adds anyone."""
    if len(password) < MIN_PASSWORD:
        raise AdminError(
            f"The password is too short: use at least {MIN_PASSWORD} characters.", field="password"
        )
    if len(password) > MAX_PASSWORD:
        raise AdminError(f"Use at most {MAX_PASSWORD} characters.", field="password")
    if password.strip().casefold() == email.strip().casefold():
        raise AdminError("The password must not be the email address.", field="password")


def set_password(
    db: Session,
    org: Organisation,
    person: Person,
    *,
    password: str,
    actor: str,
    now: datetime,
    password_cost: PasswordCost = PasswordCost.STANDARD,
) -> None:
    """Hashed with argon2id (sp/passwords.py); the password itself is never stored or logged."""
    check_password(password, email=person.email)
    person.password_hash = hash_password(password, password_cost)
    sessions.end_for_people(db, [person.id])  # whoever knew the old one is signed out
    _audit(db, org, "person.password_set", f"{person.name} <{person.email}>", actor, now)
    db.commit()


def _keep_an_administrator(
    db: Session, org: Organisation, person: Person, *, actor_id: int | None, doing: str
) -> None:
    """Nobody locks themselves, or their organisation, out of Settings and People."""
    if actor_id is not None and person.id == actor_id:
        raise AdminError(f"You cannot {doing} yourself. Ask another administrator.")
    if person.is_admin and person.active:
        others = db.scalar(
            select(func.count(Person.id)).where(
                Person.organisation_id == org.id,
                Person.is_admin.is_(True),
                Person.active.is_(True),
                Person.id != person.id,
            )
        )
        if not others:
            raise AdminError(
                f"{person.name} is the last active administrator of {org.name}: "
                f"add or activate another administrator before you {doing} them."
            )


def _audit(
    db: Session, org: Organisation, action: str, detail: str, actor: str, now: datetime
) -> None:
    audit.record(db, organisation_id=org.id, actor=actor, action=action, detail=detail, now=now)
