"""Organisations: create them, find them, switch the SSO entitlement and Require SSO.

Every refused admin action raises an `AdminError` with a message for a person: pages show it
next to the form, the CLI prints it and exits non-zero. Nothing is saved when one is raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sp import audit, sessions
from sp.models import Organisation, Person, SamlSettings, SsoIdentity

# The namespace travels in Entra's Reply URL as `?namespace=`: keep it URL-safe and short.
_NAMESPACE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


class AdminError(ValueError):
    """An admin action refused; `message` is safe to show, `field` names the form field."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class UnknownOrganisation(AdminError):
    pass


class NotEntitled(AdminError):
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class OrganisationView:
    namespace: str
    name: str
    sso_entitled: bool
    require_sso: bool
    saml_configured: bool


def view_of(org: Organisation) -> OrganisationView:
    return OrganisationView(
        namespace=org.namespace,
        name=org.name,
        sso_entitled=org.sso_entitled,
        require_sso=org.require_sso,
        saml_configured=org.saml is not None,
    )


def find(db: Session, namespace: str) -> Organisation:
    org = db.scalar(select(Organisation).where(Organisation.namespace == namespace))
    if org is None:
        raise UnknownOrganisation(f"No organisation with namespace '{namespace}'.")
    return org


def list_all(db: Session) -> tuple[OrganisationView, ...]:
    return tuple(
        view_of(o) for o in db.scalars(select(Organisation).order_by(Organisation.namespace))
    )


def create(
    db: Session, *, namespace: str, name: str, sso_entitled: bool, actor: str, now: datetime
) -> Organisation:
    namespace, name = namespace.strip(), " ".join(name.split())
    if not _NAMESPACE.match(namespace):
        raise AdminError(
            f"'{namespace}' is not a valid namespace: use 1 to 64 lowercase letters, digits "
            "and hyphens, starting and ending with a letter or digit.",
            field="namespace",
        )
    if not name or len(name) > 200:
        raise AdminError("Enter the organisation's name (at most 200 characters).", field="name")
    if db.scalar(select(Organisation.id).where(Organisation.namespace == namespace)):
        raise AdminError(f"The namespace '{namespace}' is already taken.", field="namespace")
    org = Organisation(namespace=namespace, name=name, sso_entitled=sso_entitled, require_sso=False)
    db.add(org)
    db.flush()
    entitlement = "with" if sso_entitled else "without"
    detail = f"{name} ({namespace}), {entitlement} the SSO entitlement"
    audit.record(
        db,
        organisation_id=org.id,
        actor=actor,
        action="organisation.created",
        detail=detail,
        now=now,
    )
    db.commit()
    return org


def set_entitlement(
    db: Session, org: Organisation, *, entitled: bool, actor: str, now: datetime
) -> None:
    """Trakstar support's switch for the paid SSO feature. Turning it off also ends Require SSO,
    so the organisation's people are not locked out of a sign-in method they no longer have."""
    if org.sso_entitled == entitled:
        return
    org.sso_entitled = entitled
    detail = "on" if entitled else "off"
    if not entitled and org.require_sso:
        org.require_sso = False
        detail += "; Require SSO turned off with it"
    audit.record(
        db,
        organisation_id=org.id,
        actor=actor,
        action="organisation.sso_entitlement",
        detail=detail,
        now=now,
    )
    db.commit()


def set_require_sso(
    db: Session, org: Organisation, *, required: bool, actor: str, now: datetime
) -> None:
    """Password sign-in off for everyone but administrators; only once SSO can work."""
    if required and not org.sso_entitled:
        raise NotEntitled(
            "Single sign-on is not part of this organisation's subscription. "
            "Contact Trakstar support to enable it."
        )
    if required and db.get(SamlSettings, org.id) is None:
        raise AdminError(
            "Configure SAML 2.0 before you require SSO, or nobody but administrators could "
            "sign in.",
            field="require_sso",
        )
    if org.require_sso == required:
        return
    org.require_sso = required
    if required:
        sessions.end_password_sessions_of_members(db, org.id)
    audit.record(
        db,
        organisation_id=org.id,
        actor=actor,
        action="organisation.require_sso",
        detail="on: password sign-in is off for non-administrators" if required else "off",
        now=now,
    )
    db.commit()


def start_over(db: Session, org: Organisation, *, actor: str, now: datetime) -> str:
    """Back to "no SSO settings, administrators only", so a tutorial can be followed again.

    The SAML settings go, every person who is not an administrator goes (their sessions end
    with them), and Require SSO is turned off; the entitlement and the administrators stay.
    """
    removed = (
        db.execute(
            delete(Person)
            .where(Person.organisation_id == org.id, Person.is_admin.is_(False))
            .returning(Person.email)
        )
        .scalars()
        .all()
    )
    # Links to Entra accounts go with the settings: a new tenant has other object IDs.
    db.execute(delete(SsoIdentity).where(SsoIdentity.organisation_id == org.id))
    saml = db.get(SamlSettings, org.id)
    if saml is not None:
        db.delete(saml)
    org.require_sso = False
    detail = (
        f"SAML settings {'removed' if saml is not None else 'were not set'}; "
        f"{len(removed)} people removed ({', '.join(sorted(removed)) or 'none'}); "
        "Require SSO off"
    )
    audit.record(
        db, organisation_id=org.id, actor=actor, action="organisation.reset", detail=detail, now=now
    )
    db.commit()
    return detail
