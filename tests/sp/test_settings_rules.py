"""The rules behind the SAML 2.0 form, without Flask: certificates, URLs, the Entra Identifier."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mock_idp import certificates
from mock_idp.certificates import SigningPair
from sp.idp_certificate import (
    NOT_A_CERTIFICATE,
    CertificateError,
    certificate_warnings,
    parse_certificate,
)
from sp.sso_settings import (
    InvalidSettings,
    SettingsInput,
    endpoint_problem,
    identifier_problem,
    url_problem,
    validate,
)

TENANT = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
IDENTIFIER = f"https://sts.windows.net/{TENANT}/"
LOGIN_URL = f"https://login.microsoftonline.com/{TENANT}/saml2"


@pytest.fixture(scope="module")
def pair() -> SigningPair:
    return certificates.generate(datetime.now().astimezone())


def _input(cert: str | bytes | None, **values: str) -> SettingsInput:
    fields = {"login_url": LOGIN_URL, "identifier": IDENTIFIER, "logout_url": LOGIN_URL}
    return SettingsInput(**{**fields, **values}, certificate=cert)  # type: ignore[arg-type]


# --- certificates: every form Entra downloads, and what is not a certificate -------------


def test_certificate_base64_as_entra_downloads_it(pair: SigningPair) -> None:
    pem = pair.cert_pem()  # PEM armour, 76-column lines, CRLF
    assert "\r\n" in pem

    info = parse_certificate(pem)

    assert info.thumbprint == pair.thumbprint
    assert len(info.thumbprint) == 40 and info.thumbprint == info.thumbprint.upper()
    assert info.not_after == pair.cert.not_valid_after_utc
    assert info.key_bits == 2048
    assert info.subject == "CN=Microsoft Azure Federated SSO Certificate"


@pytest.mark.parametrize(
    "form",
    [
        "raw DER (.cer)",
        "bare base64",
        "PEM bytes with a UTF-8 BOM",
        "PEM wrapped at 64, LF",
        "PEM with spaces around",
    ],
)
def test_every_certificate_encoding_gives_the_same_certificate(
    pair: SigningPair, form: str
) -> None:
    pem64 = parse_certificate(pair.cert_pem()).pem
    encodings: dict[str, str | bytes] = {
        "raw DER (.cer)": pair.cert_der,
        "bare base64": pair.cert_b64,
        "PEM bytes with a UTF-8 BOM": b"\xef\xbb\xbf" + pair.cert_pem().encode(),
        "PEM wrapped at 64, LF": pem64,
        "PEM with spaces around": "\n  " + pair.cert_pem() + "  \n",
    }

    info = parse_certificate(encodings[form])

    assert info.thumbprint == pair.thumbprint
    assert info.pem == pem64  # stored in one canonical form


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("hello", NOT_A_CERTIFICATE),
        (base64.b64encode(b"not DER at all").decode(), NOT_A_CERTIFICATE),
        ("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----", NOT_A_CERTIFICATE),
        (b"\xff\xfe binary junk", NOT_A_CERTIFICATE),
        (b"\x30\x03\x02\x01\x00", NOT_A_CERTIFICATE),  # DER, but not a certificate
    ],
)
def test_what_is_not_a_certificate_is_said_so(data: str | bytes, message: str) -> None:
    with pytest.raises(CertificateError) as refused:
        parse_certificate(data)
    assert refused.value.message == message


def test_a_private_key_is_refused_and_named(pair: SigningPair) -> None:
    with pytest.raises(CertificateError, match="This is a private key"):
        parse_certificate(pair.key_pem().decode() + pair.cert_pem())


def test_two_certificates_at_once_are_refused(pair: SigningPair) -> None:
    with pytest.raises(CertificateError, match="one certificate at a time"):
        parse_certificate(pair.cert_pem() + pair.cert_pem())


def test_an_ec_certificate_is_refused() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "EC")])
    now = datetime.now().astimezone()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )

    with pytest.raises(CertificateError, match="elliptic-curve .* not an RSA key"):
        parse_certificate(cert.public_bytes(serialization.Encoding.PEM))


def test_a_short_rsa_key_is_refused() -> None:
    weak = certificates.generate(datetime.now().astimezone(), key_size=1024)

    with pytest.raises(CertificateError, match="1024 bits; at least 2048"):
        parse_certificate(weak.cert_pem())


def test_an_expired_certificate_is_an_error(pair: SigningPair) -> None:
    later = pair.cert.not_valid_after_utc + timedelta(seconds=1)

    with pytest.raises(InvalidSettings) as refused:
        validate(_input(pair.cert_pem()), None, later)

    assert refused.value.problems["certificate"].startswith(
        f"The certificate expired on {pair.cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC."
    )


def test_a_certificate_expiring_soon_is_a_warning(pair: SigningPair) -> None:
    info = parse_certificate(pair.cert_pem())
    soon = info.not_after - timedelta(days=10, hours=1)

    _data, cert = validate(_input(pair.cert_pem()), None, soon)
    warnings = certificate_warnings(info, soon)

    assert cert is not None
    assert len(warnings) == 1 and "in 10 days. Plan the rollover" in warnings[0]
    assert certificate_warnings(info, info.not_after - timedelta(days=31)) == ()


def test_a_certificate_not_yet_valid_is_a_warning(pair: SigningPair) -> None:
    info = parse_certificate(pair.cert_pem())

    (warning,) = certificate_warnings(info, info.not_before - timedelta(hours=2))

    assert "is not valid until" in warning


# --- URLs and the Microsoft Entra Identifier --------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        LOGIN_URL,
        f"http://localhost:8001/{TENANT}/saml2",
        f"http://127.0.0.1:8001/{TENANT}/saml2",
        f"http://[::1]:8001/{TENANT}/saml2",
    ],
)
def test_https_or_loopback_http_urls_are_accepted(url: str) -> None:
    assert url_problem(url, "Login URL") is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://login.example.com/saml2", "must start with https://"),
        ("ftp://login.example.com/saml2", "must start with https://"),
        ("login.microsoftonline.com/x/saml2", "must be a full URL"),
        ("https://user:secret@login.example.com/saml2", "must be a full URL"),
        ("https://login.example.com/saml2#frag", "must be a full URL"),
        ("https://login.example.com:99999/saml2", "must be a full URL"),
        ("https://login.example.com/sa ml2", "without spaces"),
        ("https://x.example/" + "a" * 2100, "at most 2048 characters"),
    ],
)
def test_bad_urls_are_explained(url: str, message: str) -> None:
    problem = url_problem(url, "Login URL")

    assert problem is not None and message in problem and "Login URL" in problem


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"https://sts.windows.net/{TENANT}/", "looks like the Microsoft Entra Identifier"),
        ("https://example.com/", "Entra's SAML endpoint"),
        (f"https://login.microsoftonline.com/{TENANT}/wsfed", "Entra's SAML endpoint"),
        (f"https://login.microsoftonline.com/{TENANT}/saml2?x=1", "Entra's SAML endpoint"),
        ("http://login.example.com/t/saml2", "must start with https://"),
    ],
)
def test_login_and_logout_urls_must_be_entras_saml2_endpoint(url: str, message: str) -> None:
    problem = endpoint_problem(url, "Logout URL")

    assert problem is not None and message in problem and "Logout URL" in problem


def test_entras_saml2_endpoint_is_accepted_by_tenant_id_or_domain() -> None:
    assert endpoint_problem(LOGIN_URL, "Login URL") is None
    assert endpoint_problem("https://login.microsoftonline.com/contoso.com/saml2", "x") is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter the Microsoft Entra Identifier"),
        (f"https://sts.windows.net/{TENANT}", "exactly as Entra shows it"),  # no trailing slash
        (f"https://sts.windows.net/{TENANT.upper()}/", "exactly as Entra shows it"),
        (f"http://sts.windows.net/{TENANT}/", "exactly as Entra shows it"),
        (LOGIN_URL, "This looks like the Login URL"),
        ("https://perform.trakstar.com", "has the form https://sts.windows.net/{tenant-id}/"),
    ],
)
def test_the_identifier_must_be_entras_exactly(value: str, message: str) -> None:
    problem = identifier_problem(value)

    assert problem is not None and message in problem


def test_the_identifier_in_entras_form_is_accepted() -> None:
    assert identifier_problem(IDENTIFIER) is None


def test_urls_of_another_tenant_are_refused(pair: SigningPair) -> None:
    other = "0b6a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
    data = _input(pair.cert_pem(), logout_url=f"https://login.microsoftonline.com/{other}/saml2")

    with pytest.raises(InvalidSettings) as refused:
        validate(data, None, datetime.now().astimezone())

    assert set(refused.value.problems) == {"logout_url"}
    assert (
        f"is for tenant {other} but the Microsoft Entra Identifier for tenant {TENANT}"
        in (refused.value.problems["logout_url"])
    )


def test_every_problem_is_reported_at_once() -> None:
    data = _input("junk", login_url="http://evil.example/", identifier="nope", logout_url="x")

    with pytest.raises(InvalidSettings) as refused:
        validate(data, None, datetime.now().astimezone())

    assert set(refused.value.problems) == {"login_url", "identifier", "logout_url", "certificate"}


def test_a_first_save_needs_a_certificate() -> None:
    with pytest.raises(InvalidSettings) as refused:
        validate(_input(None), None, datetime.now().astimezone())

    assert refused.value.problems == {
        "certificate": "Paste the Certificate (Base64) from Entra, or upload the .cer file."
    }


def test_values_are_trimmed(pair: SigningPair) -> None:
    data, _cert = validate(
        _input(pair.cert_pem(), login_url=f"  {LOGIN_URL}\n", identifier=f" {IDENTIFIER} "),
        None,
        datetime.now().astimezone(),
    )

    assert (data.login_url, data.identifier) == (LOGIN_URL, IDENTIFIER)
