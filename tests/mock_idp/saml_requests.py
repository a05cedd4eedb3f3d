"""What an SP sends the mock, built independently of the mock's own code.

Requests are written as XML text; Redirect signatures use `cryptography`, POST signatures
python3-saml (xmlsec), so a bug in the mock's verifier cannot be mirrored here.
"""

from __future__ import annotations

import base64
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from flask.testing import FlaskClient
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from mock_idp.certificates import SigningPair
from tests.flows import answer_kmsi

TENANT_ID = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
SAML2 = f"/{TENANT_ID}/saml2"
SP_ENTITY = "https://perform.trakstar.com"
ACS = "http://localhost:8000/auth/saml/callback?namespace=contoso"
LOGOUT_URL = "http://localhost:8000/auth/saml/logout?namespace=contoso"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SAMLP_NS = 'xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"'
SAML_NS = 'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"'


def authn_request(
    *,
    request_id: str = "id-req-1",
    acs: str | None = ACS,
    issuer: str = SP_ENTITY,
    attrs: str = "",
    body: str = "",
) -> bytes:
    acs_attr = f'AssertionConsumerServiceURL="{acs.replace("&", "&amp;")}" ' if acs else ""
    return (
        f"<samlp:AuthnRequest {SAMLP_NS} {SAML_NS} "
        f'ID="{request_id}" Version="2.0" IssueInstant="2026-11-28T09:30:00Z" '
        f"{acs_attr}{attrs}>"
        f"<saml:Issuer>{issuer}</saml:Issuer>{body}</samlp:AuthnRequest>"
    ).encode()


def logout_request(
    *, request_id: str = "id-logout-1", issuer: str = SP_ENTITY, name_id: str | None = "x"
) -> bytes:
    name = f"<saml:NameID>{name_id}</saml:NameID>" if name_id is not None else ""
    return (
        f"<samlp:LogoutRequest {SAMLP_NS} {SAML_NS} "
        f'ID="{request_id}" Version="2.0" IssueInstant="2026-11-28T09:30:00Z">'
        f"<saml:Issuer>{issuer}</saml:Issuer>{name}</samlp:LogoutRequest>"
    ).encode()


def deflate_b64(xml: bytes) -> str:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(compressor.compress(xml) + compressor.flush()).decode()


def redirect_query(
    xml: bytes,
    *,
    param: str = "SAMLRequest",
    relay_state: str | None = None,
    sign_with: SigningPair | None = None,
    extra: str = "",
) -> str:
    """The query string an SP redirects with (uppercase escapes, as urlencode writes them)."""
    fields = [(param, deflate_b64(xml))]
    if relay_state is not None:
        fields.append(("RelayState", relay_state))
    if sign_with is not None:
        fields.append(("SigAlg", RSA_SHA256))
        signed = urlencode(fields, quote_via=quote)
        signature = sign_with.key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
        fields.append(("Signature", base64.b64encode(signature).decode()))
    query = urlencode(fields, quote_via=quote)
    return f"{query}&{extra}" if extra else query


def sign_post(xml: bytes, pair: SigningPair) -> bytes:
    """An enveloped RSA-SHA256 signature by xmlsec (python3-saml), as a POST-binding SP sends."""
    key = pair.key_pem().decode()
    cert = pair.cert_pem()
    signed = OneLogin_Saml2_Utils.add_sign(xml.decode(), key, cert)
    return signed if isinstance(signed, bytes) else signed.encode()


def get(idp: FlaskClient, query: str):  # type: ignore[no-untyped-def]
    return idp.get(f"{SAML2}?{query}")


def post(idp: FlaskClient, xml: bytes, relay_state: str | None = None):  # type: ignore[no-untyped-def]
    data = {"SAMLRequest": base64.b64encode(xml).decode()}
    if relay_state is not None:
        data["RelayState"] = relay_state
    return idp.post(SAML2, data=data)


def password_step(idp: FlaskClient, upn: str = "B.Simon@contoso.com", password: str = "Passw0rd!"):  # type: ignore[no-untyped-def]
    """The password page, then "Stay signed in?" answered No (the tenant shows it by default)."""
    response = idp.post(f"/{TENANT_ID}/login/password", data={"loginfmt": upn, "passwd": password})
    return answer_kmsi(idp, response)


@dataclass(frozen=True)
class Redirect:
    """A redirect's target, its raw query and the decoded parameters."""

    base: str
    raw_query: str
    params: dict[str, str]


def split_redirect(location: str) -> Redirect:
    parts = urlsplit(location)
    return Redirect(
        base=f"{parts.scheme}://{parts.netloc}{parts.path}",
        raw_query=parts.query,
        params=dict(parse_qsl(parts.query, keep_blank_values=True)),
    )


def inflate(value: str) -> bytes:
    return zlib.decompress(base64.b64decode(value), -15)
