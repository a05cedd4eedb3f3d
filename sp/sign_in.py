"""Local sign-in with email and password: administrators always, others unless Require SSO.

Every attempt costs exactly one argon2 check, whatever matches: a dummy hash when no account
does, and, for an email held in several organisations without a namespace, the question
"which organisation?" before any password is checked (checking each account's hash would
make the time grow with the number of accounts, an oracle and an amplifier). Wrong
credentials all get the same answer; repeated failures pause the form (sp/throttle.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sp import throttle
from sp.models import Organisation, Person
from sp.passwords import PasswordCost, dummy_hash, hash_password, needs_rehash, verify_password


class SignInRefused(Exception):
    status = 401
    message = "Email or password is incorrect."


class AccountInactive(SignInRefused):
    status = 403
    message = "Your Trakstar account is not active. Ask your Trakstar administrator to activate it."


class SsoRequired(SignInRefused):
    status = 403

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        self.namespace = namespace
        self.message = (
            "Your organisation requires single sign-on: use Sign in with SSO with the "
            f"namespace '{namespace}'."
        )


class AmbiguousAccount(SignInRefused):
    status = 409
    message = (
        "This email has accounts in several organisations: "
        "enter your organisation's namespace as well."
    )


class Throttled(SignInRefused):
    status = 429

    def __init__(self, wait: timedelta) -> None:
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        super().__init__(minutes)
        self.message = (
            "Too many failed sign-ins. Wait "
            f"{minutes} minute{'s' if minutes > 1 else ''} and try again, or sign in with SSO."
        )


def with_password(
    db: Session,
    *,
    email: str,
    password: str,
    namespace: str = "",
    client: str = "",
    now: datetime,
    password_cost: PasswordCost = PasswordCost.STANDARD,
) -> Person:
    """The one active person these credentials open, or a SignInRefused saying why not.

    A hash made at another cost than `password_cost` is replaced once its password is known."""
    keys = {throttle.PER_EMAIL: email, throttle.PER_ADDRESS: client}
    wait = throttle.paused_for(db, keys, now=now)
    if wait is not None:
        raise Throttled(wait)
    try:
        person = _check(db, email=email, password=password, namespace=namespace, cost=password_cost)
    except (AmbiguousAccount, AccountInactive, SsoRequired):
        raise
    except SignInRefused:
        throttle.failed(db, keys, now=now)
        raise
    if person.password_hash and needs_rehash(person.password_hash, password_cost):
        person.password_hash = hash_password(password, password_cost)
        db.commit()
    throttle.succeeded(db, email)
    return person


def _check(db: Session, *, email: str, password: str, namespace: str, cost: PasswordCost) -> Person:
    query = select(Person).where(
        func.lower(Person.email) == email.strip().casefold(), Person.password_hash.is_not(None)
    )
    if namespace:
        query = query.join(Organisation).where(Organisation.namespace == namespace)
    candidates = db.scalars(query).all()
    if len(candidates) != 1 or not password:
        verify_password(dummy_hash(cost), password)  # the same one check as a real account
        if len(candidates) > 1 and password:
            raise AmbiguousAccount()
        raise SignInRefused()
    person = candidates[0]
    if not verify_password(person.password_hash, password):
        raise SignInRefused()
    if not person.active:
        raise AccountInactive()
    if person.organisation.require_sso and not person.is_admin:
        raise SsoRequired(person.organisation.namespace)
    return person
