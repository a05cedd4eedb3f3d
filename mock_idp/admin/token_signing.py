"""SAML Signing Certificate: new certificates, activation, deletion, signing option and algorithm.

Entra's rules (docs/reference/entra.md §6): a new certificate defaults to three years and may not
run longer; it is saved Inactive until "Make certificate active", which makes the old one Inactive;
the active certificate cannot be deleted. Graph's `addTokenSigningCertificate` takes a `displayName`
that must start with `CN=`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol, cast

from mock_idp import certificates
from mock_idp.admin.errors import InvalidValue, NotAllowed, NotFound
from mock_idp.certificates import ENTRA_CERT_CN, SigningPair, three_years_after
from mock_idp.tenant import EnterpriseApp, SigningCertificate, SigningOption

SIGNING_OPTIONS: dict[str, str] = {
    "response": "Sign SAML response",
    "assertion": "Sign SAML assertion",
    "both": "Sign SAML response and assertion",
}
ALGORITHMS: dict[str, str] = {"sha256": "SHA-256", "sha1": "SHA-1"}
DEFAULT_SUBJECT = f"CN={ENTRA_CERT_CN}"
CN_MAX = 64


class PairFactory(Protocol):
    """`certificates.generate`'s shape; tests pass a faster one."""

    def __call__(
        self, now: datetime, *, common_name: str = ..., valid_for: timedelta = ...
    ) -> SigningPair: ...


def find(app: EnterpriseApp, thumbprint: str) -> SigningCertificate:
    wanted = thumbprint.strip().upper()
    for cert in app.certificates:
        if cert.pair.thumbprint == wanted:
            return cert
    raise NotFound(f"The app {app.name} has no certificate with thumbprint '{thumbprint}'.")


def new_certificate(
    app: EnterpriseApp,
    *,
    now: datetime,
    expires: datetime | None = None,
    subject: str = DEFAULT_SUBJECT,
    new_pair: PairFactory = certificates.generate,
) -> SigningCertificate:
    """A new Inactive certificate; the active one keeps signing until this one is activated."""
    start = now.replace(microsecond=0)
    latest = three_years_after(start)
    valid_for = (latest if expires is None else expires) - start
    if valid_for <= timedelta(0):
        raise InvalidValue("The expiration date must be in the future.", field="expires")
    if start + valid_for > latest:
        raise InvalidValue(
            "The expiration date can be at most three years from today "
            f"({latest.date().isoformat()}).",
            field="expires",
        )
    common_name = _common_name(subject)
    cert = SigningCertificate(
        pair=new_pair(now, common_name=common_name, valid_for=valid_for), active=False
    )
    app.certificates.append(cert)
    return cert


def activate(app: EnterpriseApp, thumbprint: str) -> SigningCertificate:
    """ "Make certificate active": this one signs from now on, the others become Inactive."""
    chosen = find(app, thumbprint)
    for cert in app.certificates:
        cert.active = cert is chosen
    return chosen


def delete(app: EnterpriseApp, thumbprint: str) -> SigningCertificate:
    cert = find(app, thumbprint)
    if cert.active:
        raise NotAllowed(
            "The active certificate cannot be deleted: make another certificate active first."
        )
    app.certificates.remove(cert)
    return cert


def set_options(app: EnterpriseApp, *, option: str, algorithm: str) -> None:
    if option not in SIGNING_OPTIONS:
        raise InvalidValue(
            f"Signing Option must be one of: {', '.join(SIGNING_OPTIONS.values())}.",
            field="option",
        )
    if algorithm not in ALGORITHMS:
        raise InvalidValue("Signing Algorithm must be SHA-256 or SHA-1.", field="algorithm")
    app.signing_option = cast(SigningOption, option)
    app.signing_algorithm = cast(Literal["sha256", "sha1"], algorithm)


def _common_name(subject: str) -> str:
    subject = subject.strip()
    if not subject.startswith("CN=") or not subject[3:].strip():
        raise InvalidValue(
            f"The certificate's display name must start with 'CN=' (got '{subject}').",
            field="subject",
        )
    common_name = subject[3:].strip()
    # X.509 limits a CN to 64 characters; the separators would make it a different name.
    if len(common_name) > CN_MAX or any(c in ',+\\<>;"=' for c in common_name):
        raise InvalidValue(
            f"The certificate's display name must be one CN=… of at most {CN_MAX} "
            'characters, without , + \\ < > ; " or =.',
            field="subject",
        )
    return common_name


def parse_expiry(text: str) -> datetime | None:
    """The New Certificate form's Expiration date (YYYY-MM-DD, UTC); empty means the default."""
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise InvalidValue(f"'{text}' is not a date: use YYYY-MM-DD.", field="expires") from exc
