"""Our own view of a SAML exchange, free of pysaml2 types: what the IdP is, what it asserted."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509

_ENTRA_ISSUER = re.compile(
    r"^https://sts\.windows\.net/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/$"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class IdpSettings:
    """What an organisation's admin pasted from Entra; certificates are PEM texts."""

    sso_url: str
    entity_id: str
    logout_url: str
    certificates: tuple[str, ...]


def entra_tenant_of(entity_id: str) -> str | None:
    """The tenant GUID inside `https://sts.windows.net/{tenant}/`, or None for another form."""
    match = _ENTRA_ISSUER.match(entity_id)
    return match.group(1) if match else None


@dataclass(frozen=True, kw_only=True, slots=True)
class SubjectConfirmation:
    method: str
    recipient: str | None
    in_response_to: str | None
    not_on_or_after: datetime | None
    not_before: datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class VerifiedAssertion:
    """The one signed assertion, as pysaml2 verified it. Identity comes only from here."""

    id: str
    issuer: str
    issue_instant: datetime
    name_id: str
    name_id_format: str | None
    # One tuple of Audience values per AudienceRestriction: SAML core §2.5.1.4 wants every
    # restriction to name us, not just one of them.
    audience_restrictions: tuple[tuple[str, ...], ...]
    not_before: datetime | None
    not_on_or_after: datetime | None
    confirmations: tuple[SubjectConfirmation, ...]
    authn_instant: datetime | None
    session_index: str | None
    attributes: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, kw_only=True, slots=True)
class VerifiedResponse:
    """The Response around it. With Entra's default signing these fields are NOT signed."""

    id: str
    destination: str | None
    issuer: str | None
    in_response_to: str | None
    issue_instant: datetime
    assertion: VerifiedAssertion


def certificate_der(pem_or_b64: str) -> bytes:
    """DER bytes of a PEM or bare base64 certificate, however it is wrapped."""
    body = re.sub(r"-----(BEGIN|END) CERTIFICATE-----", "", pem_or_b64)
    return base64.b64decode("".join(body.split()), validate=True)


def thumbprint(pem: str) -> str:
    """SHA-1 of the DER in uppercase hex, as Entra shows it."""
    return hashlib.sha1(certificate_der(pem), usedforsecurity=False).hexdigest().upper()


def load_certificate(pem: str) -> x509.Certificate:
    from cryptography import x509  # on first use: the SP's start does not need it (~20 ms)

    return x509.load_der_x509_certificate(certificate_der(pem))
