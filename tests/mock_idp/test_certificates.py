"""Entra-shaped signing certificates (docs/reference/entra.md §6)."""

from __future__ import annotations

from datetime import UTC, datetime

from cryptography.x509.oid import NameOID

from mock_idp import certificates


def test_three_calendar_years_even_from_a_leap_day() -> None:
    assert certificates.three_years_after(datetime(2026, 11, 28, 9, tzinfo=UTC)) == datetime(
        2029, 11, 28, 9, tzinfo=UTC
    )
    assert certificates.three_years_after(datetime(2028, 2, 29, tzinfo=UTC)) == datetime(
        2031, 2, 28, tzinfo=UTC
    )


def test_a_generated_certificate_is_shaped_like_entras() -> None:
    now = datetime(2026, 11, 28, 9, 30, 15, 500000, tzinfo=UTC)
    pair = certificates.generate(now)
    cert = pair.cert

    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == "Microsoft Azure Federated SSO Certificate"
    assert cert.issuer == cert.subject
    assert cert.not_valid_before_utc == datetime(2026, 11, 28, 9, 30, 15, tzinfo=UTC)
    assert cert.not_valid_after_utc == datetime(2029, 11, 28, 9, 30, 15, tzinfo=UTC)
    assert len(cert.extensions) == 0
    assert pair.key.key_size == 2048
    assert cert.signature_hash_algorithm is not None
    assert cert.signature_hash_algorithm.name == "sha256"
    assert len(pair.thumbprint) == 40
    assert pair.thumbprint == pair.thumbprint.upper()
    pem = pair.cert_pem()
    assert pem.startswith("-----BEGIN CERTIFICATE-----\r\n")
    assert all(len(line) <= 76 for line in pem.split("\r\n"))
