"""Replay cache: each Response and Assertion ID is accepted once, in every worker process.

The primary key makes the insert atomic across processes; an ID is kept until it would have
expired anyway (NotOnOrAfter plus skew), then purged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sp.models import SeenId
from sp.saml import errors


def accept_once(db: Session, ids: Iterable[str], *, keep_until: datetime, now: datetime) -> None:
    ids = tuple(ids)
    # One transaction: purging what expired and claiming the IDs commit together (a refused
    # replay rolls the purge back too; the next response does it).
    try:
        db.execute(delete(SeenId).where(SeenId.expires_at < now))
        for value in ids:
            db.add(SeenId(value=value, expires_at=keep_until))
        db.commit()
    except IntegrityError as exc:
        db.rollback()
        raise errors.ReplayedResponse(f"already seen one of {ids!r}") from exc
