"""Entra's smart lockout, per user: after `threshold` wrong passwords the account is locked for
`duration` (AADSTS50053), whatever password is typed during the lock.

As Entra documents it: the same wrong password typed again does not count (the last three
bad-password hashes are remembered); once a lock has run out, the next wrong password locks
again at once; a correct password resets the count. Pure: the caller keeps the `Counter`
(in the shared store, kind "lockout") and passes `now`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from mock_idp.protocol import errors
from mock_idp.protocol.xml import parse_saml_time, saml_time

REMEMBERED_BAD_PASSWORDS = 3


@dataclass(frozen=True, kw_only=True, slots=True)
class Policy:
    """The tenant's settings: Authentication methods > Password protection in Entra."""

    threshold: int = 10
    duration_seconds: int = 60


@dataclass(frozen=True, kw_only=True, slots=True)
class Counter:
    failures: int = 0
    locked_until: datetime | None = None
    recent: tuple[str, ...] = ()  # hashes of the last wrong passwords, newest last

    def to_json(self) -> dict[str, Any]:
        return {
            "failures": self.failures,
            "locked_until": saml_time(self.locked_until) if self.locked_until else None,
            "recent": list(self.recent),
        }

    @classmethod
    def from_json(cls, data: object) -> Counter:
        if not isinstance(data, dict):
            return cls()
        until = data.get("locked_until")
        return cls(
            failures=int(data.get("failures", 0)),
            locked_until=parse_saml_time(until) if isinstance(until, str) else None,
            recent=tuple(str(h) for h in data.get("recent", ())),
        )


def check(counter: Counter, *, now: datetime, login: str) -> None:
    """Refuse any password while the account is locked."""
    if counter.locked_until is not None and now < counter.locked_until:
        raise errors.AccountLocked(
            "The account is locked, you've tried to sign in too many times with an incorrect "
            "user ID or password.",
            login=login,
        )


def failed(counter: Counter, policy: Policy, password: str, *, now: datetime) -> Counter:
    """The counter after a wrong password."""
    digest = hashlib.sha256(password.encode()).hexdigest()[:16]
    if digest in counter.recent:
        return counter  # the same wrong password again: not counted
    recent = (*counter.recent, digest)[-REMEMBERED_BAD_PASSWORDS:]
    failures = counter.failures + 1
    locked_until = counter.locked_until
    if failures >= policy.threshold:
        locked_until = now + timedelta(seconds=policy.duration_seconds)
    return replace(counter, failures=failures, locked_until=locked_until, recent=recent)


def succeeded() -> Counter:
    return Counter()
