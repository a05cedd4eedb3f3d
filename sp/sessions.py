"""Server-side sign-in sessions: what makes sign-out, single logout, deactivation, Require SSO
and a password change end a session at once, wherever its cookie was copied to.

The browser's cookie carries a random token; the database keeps its SHA-256 and the typed
record of how the person signed in. A request whose token has no row is anonymous. Sessions
live in the database, so every worker of one SP sees the same ones. No Flask here: the web
side is `sp/web_session.py`, the one accessor the views use.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, func, insert, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from sp.models import Person, SignInSession

LIFETIME = timedelta(hours=12)  # absolute: a working day, then sign in again


@dataclass(frozen=True, kw_only=True, slots=True)
class SsoSession:
    """What Entra asserted when this session was opened by single sign-on."""

    namespace: str
    name_id: str
    session_index: str | None
    claims: Mapping[str, tuple[str, ...]]
    attempt_id: str  # the ACS attempt whose checks opened it (the checks page)

    def to_json(self) -> str:
        return json.dumps(
            {
                "namespace": self.namespace,
                "name_id": self.name_id,
                "session_index": self.session_index,
                "claims": {k: list(v) for k, v in self.claims.items()},
                "attempt_id": self.attempt_id,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> SsoSession:
        data = json.loads(text)
        return cls(
            namespace=data["namespace"],
            name_id=data["name_id"],
            session_index=data["session_index"],
            claims={k: tuple(v) for k, v in data["claims"].items()},
            attempt_id=data.get("attempt_id", ""),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class SessionRecord:
    person_id: int
    sso: SsoSession | None
    link_request_id: str


# The statements of every sign-in, built once with bound parameters (SQLAlchemy would build and
# key them again on every request), run as plain statements: sessions are read back only as
# `SessionRecord`s.
_PURGE = delete(SignInSession).where(SignInSession.expires_at < bindparam("now"))
_OPEN = insert(SignInSession)
_FIND = select(
    SignInSession.person_id,
    SignInSession.expires_at,
    SignInSession.sso_record,
    SignInSession.link_request_id,
).where(SignInSession.token_hash == bindparam("token_hash"))
_LINKING = select(SignInSession.person_id, SignInSession.expires_at).where(
    SignInSession.link_request_id == bindparam("request_id")
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    db: Session, *, token: str, person_id: int, sso: SsoSession | None, now: datetime
) -> None:
    connection = db.connection()
    connection.execute(_PURGE, {"now": now})
    connection.execute(
        _OPEN,
        {
            "token_hash": token_hash(token),
            "person_id": person_id,
            "created_at": now,
            "expires_at": now + LIFETIME,
            "sso_namespace": sso.namespace if sso else "",
            "sso_name_id": sso.name_id if sso else "",
            "sso_session_index": (sso.session_index or "") if sso else "",
            "sso_record": sso.to_json() if sso else "",
        },
    )
    db.commit()


def find(db: Session, token: str | None, *, now: datetime) -> SessionRecord | None:
    if not token:
        return None
    # On every request of a signed-in browser: one prebuilt query, a row, no ORM object.
    row = db.connection().execute(_FIND, {"token_hash": token_hash(token)}).first()
    if row is None or _aware(row.expires_at) <= now:
        return None
    return SessionRecord(
        person_id=row.person_id,
        sso=SsoSession.from_json(row.sso_record) if row.sso_record else None,
        link_request_id=row.link_request_id,
    )


def end(db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(SignInSession).where(SignInSession.token_hash == token_hash(token)))
        db.commit()


def end_for_people(db: Session, person_ids: Iterable[int], *, password_only: bool = False) -> int:
    """Every session of these people (or only those not opened by SSO). In the caller's
    transaction: it ends with the change that caused it, or not at all."""
    ids = list(person_ids)
    if not ids:
        return 0
    query = delete(SignInSession).where(SignInSession.person_id.in_(ids))
    if password_only:
        query = query.where(SignInSession.sso_record == "")
    return len(db.execute(query.returning(SignInSession.token_hash)).all())


def end_password_sessions_of_members(db: Session, organisation_id: int) -> int:
    """Require SSO turned on: every password session of a non-administrator ends."""
    members = db.scalars(
        select(Person.id).where(
            Person.organisation_id == organisation_id, Person.is_admin.is_(False)
        )
    ).all()
    return end_for_people(db, members, password_only=True)


def end_by_single_logout(
    db: Session, *, namespace: str, name_id: str, session_indexes: Iterable[str]
) -> int:
    """Entra's LogoutRequest: every session of this namespace it names, by SessionIndex or by
    NameID, in whichever browser it lives (the request may arrive in another one)."""
    named: list[ColumnElement[bool]] = [
        SignInSession.sso_session_index.in_([i for i in session_indexes if i])
    ]
    if name_id:
        named.append(func.lower(SignInSession.sso_name_id) == name_id.lower())
    query = delete(SignInSession).where(SignInSession.sso_namespace == namespace, or_(*named))
    ended = len(db.execute(query.returning(SignInSession.token_hash)).all())
    db.commit()
    return ended


def remember_link_request(db: Session, token: str, request_id: str) -> None:
    row = db.get(SignInSession, token_hash(token))
    if row is not None:
        row.link_request_id = request_id
        db.commit()


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes even for timezone-aware columns; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def linking_person(db: Session, *, request_id: str, now: datetime) -> int | None:
    """The person whose live session sent this AuthnRequest to link their Microsoft account.

    Looked up by request ID, not by cookie: the session cookie is SameSite=Lax and does not
    ride on Entra's cross-site POST. The request ID itself was bound to this browser by the
    pending-request cookie, so only the browser that asked can complete the link.
    """
    if not request_id:
        return None
    row = db.connection().execute(_LINKING, {"request_id": request_id}).first()
    if row is None or _aware(row.expires_at) <= now:
        return None
    person_id: int = row.person_id
    return person_id


def end_linking(db: Session, *, request_id: str) -> None:
    """The password session that asked for the link gives way to the SSO session."""
    db.execute(delete(SignInSession).where(SignInSession.link_request_id == request_id))
    db.commit()
