"""Settings > Authentication & SSO > SAML 2.0: what the admin pastes from Entra, checked and saved.

The rules are pure (they take `now`); `save` adds the database write and its audit entry.
Every problem is reported at once, field by field, and nothing is saved while any remains.
During a certificate rollover the replaced certificate is kept, and both verify (sp/sso.py
trusts `certificate_pem` and `previous_certificate_pem`) until the admin removes the old one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from sp import audit
from sp.config import LOOPBACK_HOSTS, SpConfig
from sp.idp_certificate import (
    CertificateError,
    CertificateInfo,
    certificate_problem,
    certificate_warnings,
    parse_certificate,
)
from sp.models import Organisation, SamlSettings
from sp.organisations import AdminError, NotEntitled

if TYPE_CHECKING:
    from sp.saml import metadata
from sp.saml.identity import entra_tenant_of

MAX_URL = 2048
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_STS = re.compile(rf"^https?://sts\.windows\.net/({_GUID})/?$", re.IGNORECASE)
_IDENTIFIER_FORM = "https://sts.windows.net/{tenant-id}/"


class InvalidSettings(AdminError):
    """One message per form field that is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("The SAML settings were not saved: " + " ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True, kw_only=True, slots=True)
class SpValues:
    """What the admin copies into Entra's Basic SAML Configuration."""

    namespace: str
    entity_id: str
    acs_url: str
    sign_on_url: str


def values_for(config: SpConfig, namespace: str) -> SpValues:
    return SpValues(
        namespace=namespace,
        entity_id=config.entity_id,
        acs_url=config.acs_url(namespace),
        sign_on_url=config.sign_on_url(namespace),
    )


def url_problem(value: str, label: str) -> str | None:
    """https, or http on localhost/loopback only (docs/reference/entra.md §1: Entra's own rule)."""
    if len(value) > MAX_URL or any(c.isspace() for c in value):
        return f"The {label} must be one URL of at most {MAX_URL} characters, without spaces."
    try:
        parts = urlsplit(value)
        host, _port = (parts.hostname or "").lower(), parts.port  # .port checks the number
    except ValueError:
        host = ""
    if not host or parts.username is not None or parts.fragment:
        return f"The {label} must be a full URL such as https://login.microsoftonline.com/…/saml2."
    if parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS):
        return None
    return f"The {label} must start with https:// (http:// is accepted only for localhost)."


_SAML2_PATH = re.compile(r"^/[^/]+/saml2/?$")
_ENDPOINT_FORM = "https://login.microsoftonline.com/{tenant-id}/saml2"


def endpoint_problem(value: str, label: str) -> str | None:
    """Login URL and Logout URL: one endpoint, `/{tenant}/saml2` (docs/reference/entra.md §1)."""
    if problem := url_problem(value, label):
        return problem
    parts = urlsplit(value)
    if (parts.hostname or "").lower() == "sts.windows.net":
        return (
            f"This looks like the Microsoft Entra Identifier. The {label} has the form "
            f"{_ENDPOINT_FORM}: copy it from the 'Set up Trakstar' section in Entra."
        )
    if not _SAML2_PATH.match(parts.path) or parts.query:
        return (
            f"The {label} is Entra's SAML endpoint, of the form {_ENDPOINT_FORM} (the Login URL "
            "and the Logout URL are the same): copy it from the 'Set up Trakstar' section."
        )
    return None


def identifier_problem(value: str) -> str | None:
    """Exactly Entra's Issuer: the responses' Issuer is compared with it character by character."""
    if entra_tenant_of(value):
        return None
    if not value:
        return f"Enter the Microsoft Entra Identifier, of the form {_IDENTIFIER_FORM}."
    if _STS.match(value):
        return (
            f"Enter the Microsoft Entra Identifier exactly as Entra shows it: {_IDENTIFIER_FORM} "
            "with https, a lowercase tenant ID and the trailing slash."
        )
    if "/saml2" in value or "login.microsoftonline.com" in value:
        return (
            "This looks like the Login URL. The Microsoft Entra Identifier has the form "
            f"{_IDENTIFIER_FORM}."
        )
    return (
        f"The Microsoft Entra Identifier has the form {_IDENTIFIER_FORM}: copy it from the "
        "'Set up Trakstar' section in Entra."
    )


def _tenant_in_url(url: str) -> str | None:
    """Entra's Login and Logout URLs are `…/{tenant-id}/saml2`."""
    match = re.match(rf"^[a-z]+://[^/]+/({_GUID})/", url, re.IGNORECASE)
    return match.group(1).lower() if match else None


@dataclass(frozen=True, kw_only=True, slots=True)
class SettingsInput:
    login_url: str
    identifier: str
    logout_url: str = ""
    certificate: str | bytes | None = None  # None or empty: keep the saved certificate
    keep_previous: bool = True  # rollover: keep trusting the replaced certificate


def choose_certificate(pasted: str, uploaded: bytes) -> str | bytes | None:
    """The pasted text or the uploaded `.cer`; neither keeps the saved certificate."""
    if pasted.strip() and uploaded.strip():
        raise InvalidSettings(
            {"certificate": "Paste the certificate or upload the .cer file, not both."}
        )
    return uploaded if uploaded.strip() else (pasted if pasted.strip() else None)


def read_metadata(
    *,
    upload: bytes,
    url: str,
    xmlsec_binary: str,
    fetch: Callable[[str], bytes] | None = None,
) -> metadata.FederationMetadata:
    """Entra's Federation Metadata XML, uploaded or fetched, its signature checked."""
    url = url.strip()
    if bool(upload.strip()) == bool(url):
        raise InvalidSettings(
            {"metadata": "Upload the Federation Metadata XML file or enter its URL (one of them)."}
        )
    if url and (problem := url_problem(url, "App Federation Metadata Url")):
        raise InvalidSettings({"metadata": problem})
    # The reader, the fetcher and lxml load with the first metadata, not at the SP's start.
    from sp.saml import fetch as fetcher
    from sp.saml import metadata

    try:
        xml = upload or (fetch or fetcher.fetch)(url)
        return metadata.read(xml, xmlsec_binary=xmlsec_binary)
    except metadata.MetadataError as exc:
        raise InvalidSettings({"metadata": str(exc)}) from exc


def input_from_metadata(meta: metadata.FederationMetadata) -> SettingsInput:
    """The form as the metadata fills it: the certificate that signed the file, as PEM."""
    return SettingsInput(
        login_url=meta.sso_url,
        identifier=meta.entity_id,
        logout_url=meta.logout_url,
        certificate=parse_certificate(meta.certificates[0]).pem,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class SettingsView:
    login_url: str
    identifier: str
    logout_url: str
    certificate: CertificateInfo
    previous: CertificateInfo | None
    updated_at: datetime


def current(db: Session, org: Organisation) -> SettingsView | None:
    row = db.get(SamlSettings, org.id)
    if row is None:
        return None
    return SettingsView(
        login_url=row.idp_sso_url,
        identifier=row.idp_entity_id,
        logout_url=row.idp_logout_url,
        certificate=parse_certificate(row.certificate_pem),
        previous=parse_certificate(row.previous_certificate_pem)
        if row.previous_certificate_pem
        else None,
        updated_at=row.updated_at,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class Saved:
    changed: bool
    warnings: tuple[str, ...]


def validate(
    data: SettingsInput, saved: SettingsView | None, now: datetime
) -> tuple[SettingsInput, CertificateInfo | None]:
    """The input trimmed, and the new certificate if one was given; raises InvalidSettings."""
    data = replace(
        data,
        login_url=data.login_url.strip(),
        identifier=data.identifier.strip(),
        logout_url=data.logout_url.strip(),
    )
    problems: dict[str, str] = {}
    if not data.login_url:
        problems["login_url"] = "Enter the Login URL from Entra's 'Set up Trakstar' section."
    elif problem := endpoint_problem(data.login_url, "Login URL"):
        problems["login_url"] = problem
    if problem := identifier_problem(data.identifier):
        problems["identifier"] = problem
    if data.logout_url and (problem := endpoint_problem(data.logout_url, "Logout URL")):
        problems["logout_url"] = problem
    tenant = entra_tenant_of(data.identifier)
    for field, label in (("login_url", "Login URL"), ("logout_url", "Logout URL")):
        url_tenant = _tenant_in_url(getattr(data, field))
        if field not in problems and tenant and url_tenant and url_tenant != tenant:
            problems[field] = (
                f"The {label} is for tenant {url_tenant} but the Microsoft Entra Identifier for "
                f"tenant {tenant}: copy both from the same Entra application."
            )
    certificate = None
    if data.certificate:
        try:
            certificate = parse_certificate(data.certificate)
            if problem := certificate_problem(certificate, now):
                problems["certificate"] = problem
        except CertificateError as exc:
            problems["certificate"] = exc.message
    elif saved is None:
        problems["certificate"] = (
            "Paste the Certificate (Base64) from Entra, or upload the .cer file."
        )
    if problems:
        raise InvalidSettings(problems)
    return data, certificate


def save(
    db: Session, org: Organisation, data: SettingsInput, *, actor: str, now: datetime
) -> Saved:
    """Validate, write, audit what changed (who, when, what) in one transaction."""
    if not org.sso_entitled:
        raise NotEntitled(
            "Single sign-on is not part of this organisation's subscription. "
            "Contact Trakstar support to enable it."
        )
    saved = current(db, org)
    data, new_cert = validate(data, saved, now)
    active, previous, cert_change = _certificates(saved, new_cert, keep=data.keep_previous)
    changes = [
        f"{label}: {old or '(none)'} → {new or '(none)'}"
        for label, old, new in (
            ("Login URL", saved and saved.login_url, data.login_url),
            ("Microsoft Entra Identifier", saved and saved.identifier, data.identifier),
            ("Logout URL", saved and saved.logout_url, data.logout_url),
        )
        if (old or "") != new
    ] + cert_change
    if not changes:
        return Saved(changed=False, warnings=())
    row = db.get(SamlSettings, org.id) or SamlSettings(organisation_id=org.id)
    row.idp_sso_url, row.idp_entity_id = data.login_url, data.identifier
    row.idp_logout_url = data.logout_url
    row.certificate_pem = active.pem
    row.previous_certificate_pem = previous.pem if previous else ""
    row.updated_at = now
    db.add(row)
    audit.record(
        db,
        organisation_id=org.id,
        actor=actor,
        action="saml.settings",
        detail="; ".join(changes),
        now=now,
    )
    db.commit()
    return Saved(changed=True, warnings=certificate_warnings(active, now))


def _certificates(
    saved: SettingsView | None, new: CertificateInfo | None, *, keep: bool
) -> tuple[CertificateInfo, CertificateInfo | None, list[str]]:
    """The active and previous certificate after this save, and what changed about them."""
    if saved is None:
        assert new is not None  # validate() insists on one for a first save
        return new, None, [f"Certificate: (none) → {_describe(new)}"]
    if new is None or new.thumbprint == saved.certificate.thumbprint:
        return saved.certificate, saved.previous, []
    old = saved.certificate
    previous = old if keep else None
    change = f"Certificate: {old.thumbprint} → {_describe(new)}"
    change += "; old one kept for rollover" if keep else "; old one no longer trusted"
    changes = [change]
    if saved.previous and saved.previous.thumbprint not in (new.thumbprint, old.thumbprint):
        changes.append(f"Previous certificate {saved.previous.thumbprint} no longer trusted")
    return new, previous, changes


def _describe(cert: CertificateInfo) -> str:
    return f"{cert.thumbprint} (expires {cert.not_after:%Y-%m-%d})"


def remove_previous_certificate(
    db: Session, org: Organisation, *, actor: str, now: datetime
) -> None:
    """End of a rollover: only the active certificate verifies from now on."""
    row = db.get(SamlSettings, org.id)
    if row is None or not row.previous_certificate_pem:
        raise AdminError("There is no old certificate to remove.")
    old = parse_certificate(row.previous_certificate_pem)
    row.previous_certificate_pem = ""
    row.updated_at = now
    audit.record(
        db,
        organisation_id=org.id,
        actor=actor,
        action="saml.previous_certificate_removed",
        detail=f"{old.thumbprint} (expires {old.not_after:%Y-%m-%d}) no longer trusted",
        now=now,
    )
    db.commit()
