"""The signed-in person as flask-login sees it: a small immutable value, loaded per request."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import LoginManager
from sqlalchemy.orm import Session

from sp.models import Person

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


def load_member(db: Session, member_id: str) -> Member | None:
    """A deactivated or removed person loses their session on the next request."""
    person = db.get(Person, int(member_id)) if member_id.isdigit() else None
    if person is None or not person.active:
        return None
    return Member.of(person)
