"""The signed-in person as flask-login sees it: a small immutable value, loaded per request."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from flask import abort
from flask_login import LoginManager, current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from sp.models import Organisation, Person

# Every signed-in request loads its member: one prebuilt query, a row, no ORM object.
_MEMBER = (
    select(
        Person.id,
        Person.email,
        Person.name,
        Person.active,
        Person.is_admin,
        Organisation.namespace,
        Organisation.require_sso,
    )
    .join(Organisation, Organisation.id == Person.organisation_id)
    .where(Person.id == bindparam("person_id"))
)

login_manager = LoginManager()
login_manager.login_view = "perform.login"
login_manager.session_protection = "strong"


@dataclass(frozen=True, kw_only=True, slots=True)
class Member:
    id: int
    email: str
    name: str
    namespace: str
    is_admin: bool
    active: bool

    # flask-login's user protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @classmethod
    def of(cls, person: Person) -> Member:
        return cls(
            id=person.id,
            email=person.email,
            name=person.name,
            namespace=person.organisation.namespace,
            is_admin=person.is_admin,
            active=person.active,
        )


P = ParamSpec("P")
R = TypeVar("R")


def admin_required(view: Callable[P, R]) -> Callable[P, R]:
    """Settings and People: sign in first (redirect), then administrators only (403 page)."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()  # type: ignore[no-any-return]
        if not current_user.is_admin:
            abort(
                403,
                description="Only Trakstar administrators can open Settings and People. "
                "Ask your Trakstar administrator if you need a change there.",
            )
        return view(*args, **kwargs)

    return wrapped


def load_member(db: Session, member_id: str, *, signed_in_by_sso: bool) -> Member | None:
    """A deactivated or removed person loses their session on the next request, and so does a
    password session of a non-administrator once their organisation requires SSO."""
    if not member_id.isdigit():
        return None
    row = db.connection().execute(_MEMBER, {"person_id": int(member_id)}).first()
    if row is None or not row.active:
        return None
    if row.require_sso and not row.is_admin and not signed_in_by_sso:
        return None
    return Member(
        id=row.id,
        email=row.email,
        name=row.name,
        namespace=row.namespace,
        is_admin=row.is_admin,
        active=row.active,
    )
