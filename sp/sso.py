"""Trakstar's SSO use cases: start a sign-in for a namespace, finish it at the ACS.

Each step is one of the SP's SAML modules; this module only orders them. Nothing here reads
Flask's request or session: the views pass in what they took from HTTP.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from sp import account_links, sessions
from sp.acs_checks import Trace
from sp.config import SpConfig
from sp.models import Organisation, Person, SamlSettings
from sp.saml import checks, errors, replay, tracker
from sp.saml.identity import IdpSettings, VerifiedResponse, entra_tenant_of, thumbprint
from sp.saml.settings import SpEndpoints

if TYPE_CHECKING:
    from sp.saml import gate
    from sp.saml.client import LoginRedirect, SamlClient

DEFAULT_RETURN = "/dashboard"


@dataclass(frozen=True, kw_only=True, slots=True)
class SsoOrganisation:
    """An organisation that may sign in with SSO, as each SSO request reads it."""

    id: int
    namespace: str


@dataclass(frozen=True, kw_only=True, slots=True)
class SignedIn:
    person: account_links.Claimant  # as read by this very sign-in: the session needs no re-read
    namespace: str
    return_to: str
    name_id: str
    session_index: str | None
    claims: dict[str, tuple[str, ...]]


class ClientCache:
    """pysaml2 clients per organisation and settings version (building one parses metadata)."""

    def __init__(self, config: SpConfig) -> None:
        self._config = config
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, IdpSettings], SamlClient] = {}

    def get(self, namespace: str, idp: IdpSettings) -> SamlClient:
        key = (namespace, idp)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                from sp.saml.client import SamlClient  # the SAML adapter, on the first sign-in

                endpoints = SpEndpoints(
                    entity_id=self._config.entity_id,
                    acs_url=self._config.acs_url(namespace),
                    logout_url=self._config.logout_url(namespace),
                    xmlsec_binary=self._config.xmlsec_binary,
                    clock_skew_seconds=self._config.clock_skew_seconds,
                )
                self._clients = {k: v for k, v in self._clients.items() if k[0] != namespace}
                client = self._clients[key] = SamlClient(endpoints, idp)
            return client


# The queries of every sign-in, built once with bound parameters: SQLAlchemy would otherwise
# build and key each one again on every request (about 0.1 ms a query).
# Run as plain statements, rows read as our own types: no ORM object for what SSO only reads
# (loading one costs three to five times the query).
# One query, on every SSO request: the organisation and its settings, if any.
_ORGANISATION = (
    select(
        Organisation.id,
        Organisation.namespace,
        Organisation.sso_entitled,
        SamlSettings.organisation_id.label("settings_of"),  # NULL: no settings yet
        SamlSettings.idp_sso_url,
        SamlSettings.idp_entity_id,
        SamlSettings.idp_logout_url,
        SamlSettings.certificate_pem,
        SamlSettings.previous_certificate_pem,
    )
    .outerjoin(SamlSettings, SamlSettings.organisation_id == Organisation.id)
    .where(Organisation.namespace == bindparam("namespace"))
)
_PERSON = select(
    Person.id,
    Person.email,
    Person.name,
    Person.active,
    Person.is_admin,
    Person.password_hash,
).where(
    Person.organisation_id == bindparam("organisation_id"),
    func.lower(Person.email) == bindparam("email"),
)


def organisation_for_sso(db: Session, namespace: str | None) -> tuple[SsoOrganisation, IdpSettings]:
    """The organisation, if it has the SSO entitlement and finished SAML settings."""
    row = db.connection().execute(_ORGANISATION, {"namespace": namespace or ""}).first()
    if row is None or not row.sso_entitled:
        raise errors.SsoNotAvailable(f"namespace {namespace!r}: unknown or not entitled")
    if row.settings_of is None:
        raise errors.SsoNotConfigured(f"namespace {namespace!r} has no SAML settings")
    certificates = tuple(p for p in (row.certificate_pem, row.previous_certificate_pem) if p)
    return SsoOrganisation(id=row.id, namespace=row.namespace), IdpSettings(
        sso_url=row.idp_sso_url,
        entity_id=row.idp_entity_id,
        logout_url=row.idp_logout_url,
        certificates=certificates,
    )


def safe_return_path(value: str | None) -> str:
    """Only a same-origin relative path: `/x`, never `//host`, `/\\host` or a scheme (#58)."""
    if (
        not value
        or len(value) > 512
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 0x20 for c in value)
    ):
        return DEFAULT_RETURN
    return value


def start(
    db: Session,
    clients: ClientCache,
    config: SpConfig,
    *,
    namespace: str | None,
    browser_key: str,
    return_to: str | None,
    now: datetime,
) -> LoginRedirect:
    """Build the AuthnRequest, remember its ID for this browser, return the redirect."""
    org, idp = organisation_for_sso(db, namespace)
    target = safe_return_path(return_to)
    login = clients.get(org.namespace, idp).start_login(relay_state=target)
    tracker.remember(
        db,
        browser_key=browser_key,
        request_id=login.request_id,
        namespace=org.namespace,
        return_to=target,
        now=now,
        ttl=timedelta(seconds=config.pending_ttl_seconds),
    )
    return login


def finish(
    db: Session,
    clients: ClientCache,
    config: SpConfig,
    *,
    namespace: str | None,
    saml_response: str | None,
    browser_key: str | None,
    now: datetime,
    refused: errors.SsoError | None = None,
    trace: Trace | None = None,
) -> SignedIn:
    """Gate, verify, check, refuse replays, then map to an existing, active person.

    `refused`: the view already refused the body (type, size); it is raised once the pending
    request is spent, like every other refusal. `trace` records each step's result.
    """
    trace = trace or Trace(attempt_id="")
    org, idp = organisation_for_sso(db, namespace)
    trace.organisation_id = org.id
    # Consumed before anything can fail: a request ID is good for one response, whatever it is.
    pending = tracker.consume(db, browser_key=browser_key, namespace=org.namespace, now=now)
    with trace.step(0):
        if refused is not None:
            raise refused
    with trace.step(1):
        from sp.saml import gate  # lxml and the gate load with the first response, not at start

        admitted = gate.admit(saml_response)
    with trace.step(2, f"{len(pending)} pending"):
        if not pending:
            raise errors.UnsolicitedResponse("no sign-in pending for this browser")
    client = clients.get(org.namespace, idp)
    with trace.step(3, f"trusted thumbprint(s) {sorted(thumbprint(p) for p in idp.certificates)}"):
        try:
            verified = client.verify(admitted.b64, {rid: p.return_to for rid, p in pending.items()})
        except errors.InvalidSignature as exc:
            raise explain_signature_failure(exc, admitted, idp) from exc
    skew = timedelta(seconds=config.clock_skew_seconds)
    with trace.step(4, f"Audience {config.entity_id}, Recipient {config.acs_url(org.namespace)}"):
        _exact_checks(verified, config, org, idp, pending.keys(), now)
    with trace.step(5, f"assertion {verified.assertion.id}"):
        replay.accept_once(
            db,
            (f"response:{verified.id}", f"assertion:{verified.assertion.id}"),
            keep_until=_expiry(verified, now) + skew,
            now=now,
        )
    assertion = verified.assertion
    with trace.step(6, f"NameID {assertion.name_id} ({assertion.name_id_format})"):
        account_links.require_email_format(assertion)
    with trace.step(7):
        account = account_links.account_of(assertion)
        trace.note(f"tenant {account.tenant_id}, object {account.object_id}")
    request_id = str(verified.in_response_to)
    linking = sessions.linking_person(db, request_id=request_id, now=now)
    with trace.step(8):
        person = _person_for(db, org, verified, linking=linking)
        trace.note(f"{person.name} <{person.email}>")
    trace.person_id = person.id
    with trace.step(9, "linking from the person's own session" if linking else ""):
        account_links.admit(db, org.id, person, account, now=now, linking=linking is not None)
    if linking is not None:
        sessions.end_linking(db, request_id=request_id)
    return SignedIn(
        person=person,
        namespace=org.namespace,
        return_to=pending[str(verified.in_response_to)].return_to,
        name_id=verified.assertion.name_id,
        session_index=verified.assertion.session_index,
        claims=dict(verified.assertion.attributes),
    )


def _exact_checks(
    verified: VerifiedResponse,
    config: SpConfig,
    org: SsoOrganisation,
    idp: IdpSettings,
    pending_ids: Collection[str],
    now: datetime,
) -> None:
    checks.check(
        verified,
        checks.Expected(
            acs_url=config.acs_url(org.namespace),
            entity_id=config.entity_id,
            idp_entity_id=idp.entity_id,
            tenant_id=entra_tenant_of(idp.entity_id),
            pending_ids=pending_ids,
            now=now,
            skew=timedelta(seconds=config.clock_skew_seconds),
            max_age=timedelta(seconds=config.max_response_age_seconds),
        ),
    )


def explain_signature_failure(
    error: errors.InvalidSignature, admitted: gate.AdmittedResponse, idp: IdpSettings
) -> errors.InvalidSignature:
    """Say which certificate signed and which ones we trust: after Entra rotates its signing
    certificate, this is the one thing the administrator needs to see."""
    trusted = sorted({thumbprint(pem) for pem in idp.certificates})
    claimed = sorted(filter(None, map(_thumbprint_or_none, admitted.claimed_certificates)))
    detail = f"{error.detail}; KeyInfo certificate(s) {claimed or 'none'}; trusted {trusted}"
    if "Signature missing for assertion" in error.detail:
        return errors.UnsignedAssertion(detail)
    untrusted = [t for t in claimed if t not in trusted]
    if untrusted:
        return errors.UntrustedCertificate(detail, thumbprint=untrusted[0])
    return errors.InvalidSignature(detail)


def _thumbprint_or_none(b64: str) -> str | None:
    """KeyInfo is attacker-controlled: garbage there names nothing, it must not fail the page."""
    try:
        return thumbprint(b64) if b64 else None
    except ValueError:  # binascii.Error is a ValueError
        return None


def _expiry(verified: VerifiedResponse, now: datetime) -> datetime:
    times = [c.not_on_or_after for c in verified.assertion.confirmations if c.not_on_or_after]
    if verified.assertion.not_on_or_after:
        times.append(verified.assertion.not_on_or_after)
    return max(times, default=now)


def _person_for(
    db: Session, org: SsoOrganisation, verified: VerifiedResponse, *, linking: int | None = None
) -> account_links.Claimant:
    """NameID is the UPN/email (Trakstar matches it to usernames); no just-in-time accounts.
    When linking, it must name the person who asked for the link."""
    # ASCII only: Python's casefold() and the database's lower() disagree beyond it (the Kelvin
    # sign would match "k", "ß" would match "ss"), and a UPN is ASCII anyway.
    if not verified.assertion.name_id.isascii():
        raise errors.UnknownPerson(f"non-ASCII NameID {verified.assertion.name_id!r}")
    email = verified.assertion.name_id.lower()
    row = db.connection().execute(_PERSON, {"organisation_id": org.id, "email": email}).first()
    if linking is not None and (row is None or row.id != linking):
        raise errors.LinkMismatch(f"NameID {email!r} while person #{linking} asked to link")
    if row is None:
        raise errors.UnknownPerson(f"no person {email!r} in {org.namespace!r}")
    if not row.active:
        raise errors.InactivePerson(f"person {email!r} in {org.namespace!r} is not active")
    return account_links.Claimant(
        id=row.id,
        email=row.email,
        name=row.name,
        is_admin=row.is_admin,
        holds_password=bool(row.password_hash),
    )
