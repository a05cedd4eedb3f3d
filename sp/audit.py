"""The audit log: who changed what in an organisation, and when (shown to its administrators)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sp.models import AuditEntry

# Action keys as stored; the labels are what the audit page and the CLI show.
LABELS = {
    "organisation.created": "Organisation created",
    "organisation.sso_entitlement": "SSO entitlement changed",
    "organisation.require_sso": "Require SSO changed",
    "organisation.reset": "Organisation started over",
    "saml.settings": "SAML settings changed",
    "saml.previous_certificate_removed": "Old certificate removed",
    "person.added": "Person added",
    "person.activated": "Person activated",
    "person.deactivated": "Person deactivated",
    "person.removed": "Person removed",
    "person.password_set": "Password set",
    "sso.linked": "Microsoft account linked",
    "sso.relinked": "Microsoft account link removed",
    "sso.identity_refused": "Single sign-on refused (account link)",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditRecord:
    at: datetime
    actor: str
    action: str
    detail: str

    @property
    def label(self) -> str:
        return LABELS.get(self.action, self.action)


def record(
    db: Session, *, organisation_id: int, actor: str, action: str, detail: str, now: datetime
) -> None:
    """Add an entry to the caller's transaction: it is written with the change, or not at all."""
    if action not in LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    db.add(
        AuditEntry(
            organisation_id=organisation_id, actor=actor, at=now, action=action, detail=detail
        )
    )


def entries(db: Session, organisation_id: int, *, limit: int = 200) -> tuple[AuditRecord, ...]:
    """Newest first."""
    rows = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.organisation_id == organisation_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return tuple(
        AuditRecord(at=_utc(r.at), actor=r.actor, action=r.action, detail=r.detail) for r in rows
    )


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns; we only store UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
