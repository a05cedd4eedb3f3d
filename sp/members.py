"""The signed-in person as flask-login sees it: a small immutable value, loaded per request."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from flask import abort
from flask_login import LoginManager, current_user
from sqlalchemy.orm import Session, joinedload

from sp.models import Person

# A person with their organisation, in one query (every signed-in request loads one); the
# option is built once.
WITH_ORGANISATION = (joinedload(Person.organisation),)

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
    person = (
        db.get(Person, int(member_id), options=WITH_ORGANISATION) if member_id.isdigit() else None
    )
    if person is None or not person.active:
        return None
    if person.organisation.require_sso and not person.is_admin and not signed_in_by_sso:
        return None
    return Member.of(person)
