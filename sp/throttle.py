"""Throttling of password sign-in: a few wrong passwords per email, then a pause.

Keyed by what was typed (the email) and by the client address, whether or not an account
exists, so the pause says nothing about who has an account. While a key is paused, the form
answers at once without an argon2 check: a guessing loop costs us nothing and learns nothing.
Kept in the database, so every worker counts the same failures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from sp.models import PasswordThrottle

WINDOW = timedelta(minutes=15)


@dataclass(frozen=True, kw_only=True, slots=True)
class Limit:
    kind: str
    max_failures: int


PER_EMAIL = Limit(kind="email", max_failures=5)
PER_ADDRESS = Limit(kind="address", max_failures=30)


def _key(limit: Limit, value: str) -> str:
    return hashlib.sha256(f"{limit.kind}:{value.strip().casefold()}".encode()).hexdigest()


def paused_for(db: Session, keys: dict[Limit, str], *, now: datetime) -> timedelta | None:
    """How long until a paused key may try again, or None when none is paused."""
    waits = []
    for limit, value in keys.items():
        row = db.get(PasswordThrottle, _key(limit, value))
        if row is None:
            continue
        ends = _aware(row.window_start) + WINDOW
        if row.failures >= limit.max_failures and ends > now:
            waits.append(ends - now)
    return max(waits, default=None)


def failed(db: Session, keys: dict[Limit, str], *, now: datetime) -> None:
    db.execute(delete(PasswordThrottle).where(PasswordThrottle.window_start < now - WINDOW))
    for limit, value in keys.items():
        row = db.get(PasswordThrottle, _key(limit, value))
        if row is None:
            db.add(PasswordThrottle(key_hash=_key(limit, value), failures=1, window_start=now))
        elif _aware(row.window_start) + WINDOW <= now:
            row.failures, row.window_start = 1, now
        else:
            row.failures += 1
    db.commit()


def succeeded(db: Session, email: str) -> None:
    row = db.get(PasswordThrottle, _key(PER_EMAIL, email))
    if row is not None:
        db.delete(row)
        db.commit()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
