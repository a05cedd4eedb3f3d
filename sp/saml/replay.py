"""Replay cache: each Response and Assertion ID is accepted once, in every worker process.

The primary key makes the insert atomic across processes; an ID is kept until it would have
expired anyway (NotOnOrAfter plus skew), then purged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sp.models import SeenId
from sp.saml import errors

# Built once (SQLAlchemy would build and key them again on every response); run as plain
# statements on the session's connection: no ORM objects for rows nothing reads back.
_PURGE = delete(SeenId).where(SeenId.expires_at < bindparam("now"))
_CLAIM = insert(SeenId)


def accept_once(db: Session, ids: Iterable[str], *, keep_until: datetime, now: datetime) -> None:
    ids = tuple(ids)
    # One transaction: purging what expired and claiming the IDs commit together (a refused
    # replay rolls the purge back too; the next response does it).
    connection = db.connection()
    try:
        connection.execute(_PURGE, {"now": now})
        connection.execute(_CLAIM, [{"value": v, "expires_at": keep_until} for v in ids])
        db.commit()
    except IntegrityError as exc:
        db.rollback()
        raise errors.ReplayedResponse(f"already seen one of {ids!r}") from exc
