"""The IdP signing certificate an admin gives us: parse what Entra downloads, describe it, date it.

Entra offers Certificate (Base64) as PEM text (CRLF, 76 columns), Certificate (Raw) as DER and the
same PEM as `.pem` (docs/reference/entra.md §6); admins also paste bare base64. All are accepted,
stored as one canonical PEM, and shown by thumbprint (SHA-1, uppercase hex, as Entra shows it).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta

from sp.saml.identity import certificate_der, thumbprint

EXPIRY_WARNING = timedelta(days=30)
MIN_RSA_BITS = 2048
_PEM_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.DOTALL)
NOT_A_CERTIFICATE = (
    "This is not a certificate. Paste the whole Certificate (Base64) file from Entra's SAML "
    "Signing Certificate section, BEGIN and END lines included, or upload the .cer file."
)


class CertificateError(ValueError):
    """Why this is not a certificate we can trust for SAML; the message is for the admin."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, kw_only=True, slots=True)
class CertificateInfo:
    pem: str
    thumbprint: str  # SHA-1 of the DER, uppercase hex: what Entra shows
    subject: str
    not_before: datetime
    not_after: datetime
    key_bits: int

    def expired(self, now: datetime) -> bool:
        return self.not_after <= now

    def expires_soon(self, now: datetime) -> bool:
        return not self.expired(now) and self.not_after - now <= EXPIRY_WARNING


def parse_certificate(data: str | bytes) -> CertificateInfo:
    """PEM (any wrapping, CRLF), bare base64 or Raw DER; one RSA certificate of 2048+ bits."""
    # `cryptography` is loaded when a certificate is first read, not when the SP starts.
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

    der = _der_of(data)
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise CertificateError(NOT_A_CERTIFICATE) from exc
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise CertificateError(
            f"The certificate has {_key_kind(key)} key, not an RSA key. Entra signs SAML with "
            "RSA: download the certificate from the SAML Signing Certificate section."
        )
    if key.key_size < MIN_RSA_BITS:
        raise CertificateError(
            f"The certificate's RSA key has {key.key_size} bits; at least {MIN_RSA_BITS} "
            "are needed (Entra's have 2048)."
        )
    b64 = base64.b64encode(der).decode("ascii")
    return CertificateInfo(
        pem="-----BEGIN CERTIFICATE-----\n"
        + "\n".join(textwrap.wrap(b64, 64))
        + "\n-----END CERTIFICATE-----\n",
        thumbprint=thumbprint(b64),
        subject=cert.subject.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_bits=key.key_size,
    )


def _der_of(data: str | bytes) -> bytes:
    if isinstance(data, bytes):
        data = data.removeprefix(codecs.BOM_UTF8)  # Notepad's UTF-8 files start with one
        if data[:1] == b"\x30":  # an ASN.1 SEQUENCE: Certificate (Raw) from Entra
            return data
        try:
            data = data.decode("ascii")
        except UnicodeDecodeError as exc:
            raise CertificateError(NOT_A_CERTIFICATE) from exc
    if "PRIVATE KEY" in data:
        raise CertificateError(
            "This is a private key. Paste the certificate only, and keep the key secret."
        )
    blocks = _PEM_BLOCK.findall(data)
    if len(blocks) > 1:
        raise CertificateError("Paste one certificate at a time: this text holds several.")
    if not blocks and "-----BEGIN" in data:
        raise CertificateError(NOT_A_CERTIFICATE)
    try:
        der = certificate_der(blocks[0] if blocks else data)
    except (binascii.Error, ValueError) as exc:
        raise CertificateError(NOT_A_CERTIFICATE) from exc
    if not der:
        raise CertificateError(NOT_A_CERTIFICATE)
    return der


def _key_kind(key: object) -> str:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519

    if isinstance(key, ec.EllipticCurvePublicKey):
        return "an elliptic-curve (EC)"
    if isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        return "an EdDSA"
    if isinstance(key, dsa.DSAPublicKey):
        return "a DSA"
    return "a non-RSA"


def certificate_problem(info: CertificateInfo, now: datetime) -> str | None:
    if info.expired(now):
        return (
            f"The certificate expired on {info.not_after:%Y-%m-%d %H:%M} UTC. In Entra, create a "
            "new certificate, make it active, then download Certificate (Base64) again."
        )
    return None


def certificate_warnings(info: CertificateInfo, now: datetime) -> tuple[str, ...]:
    warnings = []
    if info.expires_soon(now):
        days = (info.not_after - now).days
        warnings.append(
            f"The certificate {info.thumbprint} expires on {info.not_after:%Y-%m-%d} UTC, in "
            f"{days} day{'s' if days != 1 else ''}. Plan the rollover: create a new certificate "
            "in Entra and paste it here before you make it active there."
        )
    if info.not_before > now:
        warnings.append(
            f"The certificate {info.thumbprint} is not valid until "
            f"{info.not_before:%Y-%m-%d %H:%M} UTC; check the clocks."
        )
    return tuple(warnings)
