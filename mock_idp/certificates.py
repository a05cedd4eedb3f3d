"""Signing certificates shaped like Entra's for a SAML app (docs/reference/entra.md §6)."""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

ENTRA_CERT_CN = "Microsoft Azure Federated SSO Certificate"


def three_years_after(moment: datetime) -> datetime:
    """Entra's certificates run exactly three calendar years (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year + 3)
    except ValueError:
        return moment.replace(year=moment.year + 3, day=28)


@dataclass(frozen=True, kw_only=True, slots=True)
class SigningPair:
    """A private key loaded once, as a key object, and its certificate."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def thumbprint(self) -> str:
        """SHA-1 of the DER, 40 uppercase hex characters, as Entra's portal shows it."""
        return hashlib.sha1(self.cert_der, usedforsecurity=False).hexdigest().upper()

    @property
    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def cert_b64(self) -> str:
        """Single-line base64 DER, as in KeyInfo and metadata."""
        return base64.b64encode(self.cert_der).decode("ascii")

    def cert_pem(self) -> str:
        """Certificate (Base64) download: PEM armour, 76-character lines, CRLF (as observed)."""
        b64 = self.cert_b64
        lines = [b64[i : i + 76] for i in range(0, len(b64), 76)]
        return "\r\n".join(["-----BEGIN CERTIFICATE-----", *lines, "-----END CERTIFICATE-----", ""])

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def generate(
    now: datetime,
    *,
    common_name: str = ENTRA_CERT_CN,
    valid_for: timedelta | None = None,
    key_size: int = 2048,
) -> SigningPair:
    """Self-signed RSA/SHA-256 certificate with no extensions and a 16-byte serial, like Entra's."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = now.replace(microsecond=0)
    not_after = three_years_after(start) if valid_for is None else start + valid_for
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
        .not_valid_before(start)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return SigningPair(key=key, cert=cert)


@functools.lru_cache(maxsize=64)
def private_key(pem: bytes) -> rsa.RSAPrivateKey:
    """An RSA key object from PEM, validated once per distinct PEM in this process.

    Loading validates the key's numbers (~35 ms for RSA-2048, the bulk of a mock's start and of
    each test app's creation); a key object is immutable, so the same bytes share one object.
    """
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def load(key_path: Path, cert_path: Path) -> SigningPair:
    """Load a pair from PEM files (once, at start)."""
    try:
        key = private_key(key_path.read_bytes())
    except ValueError as error:
        raise ValueError(f"{key_path}: {error}") from error
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return SigningPair(key=key, cert=cert)


def save(pair: SigningPair, key_path: Path, cert_path: Path) -> None:
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(pair.key_pem())
    key_path.chmod(0o600)
    cert_path.write_text(pair.cert_pem(), newline="")


class HeldCertificate(Protocol):
    """An app's certificate as the tenant holds it (`tenant.SigningCertificate`)."""

    @property
    def pair(self) -> SigningPair: ...

    @property
    def active(self) -> bool: ...


def signing_pair(held: Sequence[HeldCertificate], now: datetime) -> SigningPair:
    """The certificate Entra signs with: the active one, unless it has expired and a valid one
    exists; then the newest valid one, even if nobody activated it (Entra's rollover rule)."""
    active = next(c.pair for c in held if c.active)
    if now < active.cert.not_valid_after_utc:
        return active
    valid = [
        c.pair
        for c in held
        if c.pair.cert.not_valid_before_utc <= now < c.pair.cert.not_valid_after_utc
    ]
    return max(valid, key=lambda p: p.cert.not_valid_before_utc) if valid else active


def from_pem(key_pem: str, cert_pem: str) -> SigningPair:
    return SigningPair(
        key=private_key(key_pem.encode()), cert=x509.load_pem_x509_certificate(cert_pem.encode())
    )
