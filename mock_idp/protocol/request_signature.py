"""Signed requests: "Require verification certificates" (docs/reference/entra.md §3).

HTTP-Redirect: the signature covers `SAMLRequest=…&RelayState=…&SigAlg=…` exactly as the bytes
arrived in the query string (SAML bindings §3.4.4.1). Rebuilding that string from decoded values
re-encodes it, and a sender's lowercase or unusual escapes then no longer verify, so it is cut
out of the raw query. HTTP-POST: an enveloped signature over the whole request, verified with
signxml in `signing.py` (the one signxml module). Only RSA-SHA256 is accepted: Entra refuses
weaker algorithms unless an admin opts in, which the mock does not model.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from urllib.parse import unquote_plus

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from mock_idp.protocol import errors
from mock_idp.protocol.signing import verify_enveloped
from mock_idp.protocol.xml import SAMLP

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
_SIGNED_PARAMS = ("RelayState", "SigAlg")


def _unsigned() -> errors.RequestNotSigned:
    return errors.RequestNotSigned(
        "The request sent by client is not signed while the application requires signed requests."
    )


def _bad(detail: str) -> errors.RequestNotSigned:
    return errors.RequestNotSigned(
        f"The signature of the SAML request could not be verified with the application's "
        f"verification certificates ({detail})."
    )


def raw_params(raw_query: bytes) -> dict[str, str]:
    """Each parameter's value exactly as sent (still percent-encoded); a repeated one is refused."""
    params: dict[str, str] = {}
    try:  # a browser percent-encodes everything else; raw bytes cannot be what the SP signed
        query = raw_query.decode("ascii")
    except UnicodeDecodeError as exc:
        raise _bad("the query string is not ASCII") from exc
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        name = unquote_plus(name)
        if name in params:
            raise errors.InvalidSamlRequest("The request is not a valid Saml2 protocol message.")
        params[name] = value
    return params


def verify_redirect(raw_query: bytes, message: str, certificates_pem: Sequence[str]) -> None:
    """`message` is `SAMLRequest` (or `SAMLResponse`); raises AADSTS76021 unless it verifies."""
    params = raw_params(raw_query)
    if "Signature" not in params or "SigAlg" not in params:
        raise _unsigned()
    sig_alg = unquote_plus(params["SigAlg"])
    if sig_alg != RSA_SHA256:
        raise _bad(f"SigAlg {sig_alg!r} is not accepted")
    signed = "&".join(
        f"{name}={params[name]}" for name in (message, *_SIGNED_PARAMS) if name in params
    )
    try:
        signature = base64.b64decode(unquote_plus(params["Signature"]), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _bad("Signature is not base64") from exc
    for pem in certificates_pem:
        key = x509.load_pem_x509_certificate(pem.encode()).public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            continue
        try:
            key.verify(signature, signed.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            continue
        return
    raise _bad("no verification certificate matches")


def verify_post(
    xml: bytes, *, tag: str, request_id: str, has_signature: bool, certificates_pem: Sequence[str]
) -> None:
    """The enveloped Signature must cover the request itself: its root, by its ID."""
    if not has_signature:
        raise _unsigned()
    signed = verify_enveloped(xml, certificates_pem)
    if signed is None:
        raise _bad("enveloped signature")
    if signed.tag != f"{{{SAMLP}}}{tag}" or signed.get("ID") != request_id:
        raise _bad("the signature does not cover the request")
