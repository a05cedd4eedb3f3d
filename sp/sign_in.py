"""Local sign-in with email and password: administrators always, others unless Require SSO.

Every wrong email or password gets the same answer, after the same work (an argon2 check even
when no account matches), so the form does not tell who has an account.
"""

from __future__ import annotations

import functools

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sp.models import Organisation, Person
from sp.passwords import hash_password, verify_password


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
        "This email and password match accounts in several organisations: "
        "enter your organisation's namespace as well."
    )


@functools.cache
def _dummy_hash() -> str:
    return hash_password("not a password anyone has")


def with_password(db: Session, *, email: str, password: str, namespace: str = "") -> Person:
    """The one active person these credentials open, or a SignInRefused saying why not."""
    query = select(Person).where(
        func.lower(Person.email) == email.strip().casefold(), Person.password_hash.is_not(None)
    )
    if namespace:
        query = query.join(Organisation).where(Organisation.namespace == namespace)
    candidates = db.scalars(query).all()
    if not candidates or not password:
        verify_password(_dummy_hash(), password)
        raise SignInRefused()
    matches = [p for p in candidates if verify_password(p.password_hash, password)]
    if not matches:
        raise SignInRefused()
    if len(matches) > 1:
        raise AmbiguousAccount()
    person = matches[0]
    if not person.active:
        raise AccountInactive()
    if person.organisation.require_sso and not person.is_admin:
        raise SsoRequired(person.organisation.namespace)
    return person
