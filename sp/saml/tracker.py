"""Pending AuthnRequest IDs, bound to one browser and consumed by the first response either way.

The browser holds a random key in a SameSite=None cookie (it must survive Entra's cross-site
POST); the database holds only its SHA-256, so a stolen database cannot replay a browser.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, bindparam, delete, insert, or_, select
from sqlalchemy.orm import Session

from sp.models import PendingRequest

COOKIE = "sp_saml_pending"
# The __Host- prefix makes browsers refuse the cookie unless this origin set it (Secure, Path=/,
# no Domain): a sibling subdomain cannot plant a key it knows and so bind our pending request to
# its own sign-in (login CSRF, docs/reference/attacks.md #42, #60). It needs a secure context.
HOST_COOKIE = "__Host-sp_saml_pending"


def cookie_name(secure: bool) -> str:
    return HOST_COOKIE if secure else COOKIE


@dataclass(frozen=True, kw_only=True, slots=True)
class Pending:
    request_id: str
    namespace: str
    return_to: str


def new_browser_key() -> str:
    return secrets.token_urlsafe(32)


def _hash(browser_key: str) -> str:
    return hashlib.sha256(browser_key.encode()).hexdigest()


MAX_PER_BROWSER = 5  # a few tabs signing in at once; an attacker's loop keeps no more rows

# The statements of every sign-in, built once with bound parameters: SQLAlchemy would otherwise
# build and key each one again on every request (about 0.1 ms a statement). Run as plain
# statements on the session's connection: no ORM object for rows nothing reads back.
_REMEMBER = insert(PendingRequest)
# One statement: the expired requests go, and the cap: only this browser's newest requests stay
# pending (1,500 GETs, 5 rows).
_PURGE_AND_CAP = delete(PendingRequest).where(
    or_(
        PendingRequest.expires_at < bindparam("now"),
        and_(
            PendingRequest.browser_hash == bindparam("browser_hash"),
            PendingRequest.request_id.not_in(
                select(PendingRequest.request_id)
                .where(PendingRequest.browser_hash == bindparam("browser_hash"))
                .order_by(PendingRequest.expires_at.desc())
                .limit(MAX_PER_BROWSER)
                .scalar_subquery()
            ),
        ),
    )
)
_CONSUME = (
    delete(PendingRequest)
    .where(
        PendingRequest.browser_hash == bindparam("browser_hash"),
        PendingRequest.namespace == bindparam("namespace"),
    )
    .returning(
        PendingRequest.request_id,
        PendingRequest.namespace,
        PendingRequest.return_to,
        PendingRequest.expires_at,
    )
)


def remember(
    db: Session,
    *,
    browser_key: str,
    request_id: str,
    namespace: str,
    return_to: str,
    now: datetime,
    ttl: timedelta,
) -> None:
    browser_hash = _hash(browser_key)
    connection = db.connection()
    connection.execute(
        _REMEMBER,
        {
            "request_id": request_id,
            "browser_hash": browser_hash,
            "namespace": namespace,
            "return_to": return_to,
            "expires_at": now + ttl,
        },
    )
    connection.execute(_PURGE_AND_CAP, {"now": now, "browser_hash": browser_hash})
    db.commit()


def consume(
    db: Session, *, browser_key: str | None, namespace: str, now: datetime
) -> dict[str, Pending]:
    """Remove and return this browser's live requests for this namespace (used once, always)."""
    if not browser_key:
        return {}
    rows = (
        db.connection()
        .execute(_CONSUME, {"browser_hash": _hash(browser_key), "namespace": namespace})
        .all()
    )
    db.commit()
    return {
        row.request_id: Pending(
            request_id=row.request_id, namespace=row.namespace, return_to=row.return_to
        )
        for row in rows
        if _aware(row.expires_at) > now
    }


def pending_count(db: Session, *, browser_key: str | None) -> int:
    if not browser_key:
        return 0
    rows = db.scalars(
        select(PendingRequest.request_id).where(PendingRequest.browser_hash == _hash(browser_key))
    ).all()
    return len(rows)


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes even for timezone-aware columns; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
