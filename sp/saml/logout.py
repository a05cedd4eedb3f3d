"""Single logout for the SP: the checks pysaml2 cannot do on Entra's HTTP-Redirect messages.

Entra signs its LogoutResponse and LogoutRequest over the query string with .NET's lowercase
percent-escapes (`http%3a%2f%2f…`). pysaml2's redirect verifier rebuilds that string from the
decoded values with uppercase escapes, so a genuine signature never verifies (pysaml2#957). The
signature is therefore verified here, with `cryptography`, over the bytes exactly as received,
against the organisation's pasted certificate(s); pysaml2 (in `client.py`) only parses the XML.
No pysaml2 import here: parsing stays in the one adapter module.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from sqlalchemy.orm import Session

from sp.saml import errors, replay
from sp.saml.constants import SIGNATURE_METHODS, SUCCESS
from sp.saml.identity import IdpSettings, entra_tenant_of, load_certificate

if TYPE_CHECKING:
    from sp.saml.client import IdpLogoutRequest, SamlClient

# `cryptography`'s hash class for each hash the allow-list names (constants.SIGNATURE_METHODS).
_HASHES = {"sha256": "SHA256", "sha384": "SHA384", "sha512": "SHA512"}
REQUEST_LIFETIME = timedelta(hours=1)  # replay-cache entry when a LogoutRequest has no expiry


@dataclass(frozen=True, kw_only=True, slots=True)
class SignedRedirect:
    """The verified message parameter (base64, URL-decoded) and the RelayState sent with it."""

    message: str
    relay_state: str


def raw_params(raw_query: bytes) -> dict[str, str]:
    """Each query parameter as sent, still percent-encoded; a repeated one is refused."""
    params: dict[str, str] = {}
    try:  # a browser percent-encodes everything else; raw bytes cannot be what Entra signed
        query = raw_query.decode("ascii")
    except UnicodeDecodeError as exc:
        raise errors.LogoutRejected("the query string is not ASCII") from exc
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if not part:
            continue
        if unquote_plus(name) in params:
            raise errors.LogoutRejected(f"query parameter {name!r} repeated")
        params[unquote_plus(name)] = value
    return params


def verify_redirect(raw_query: bytes, param: str, certificates: Sequence[str]) -> SignedRedirect:
    """SAML bindings §3.4.4.1: the signature covers `param=…&RelayState=…&SigAlg=…` as sent."""
    # `cryptography` is loaded on the first single logout, not when the SP starts.
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    params = raw_params(raw_query)
    for needed in (param, "SigAlg", "Signature"):
        if needed not in params:
            raise errors.LogoutRejected(f"unsigned or incomplete redirect: no {needed}")
    hash_name = SIGNATURE_METHODS.get(unquote_plus(params["SigAlg"]))
    if hash_name is None:
        raise errors.DisallowedAlgorithm(f"SigAlg {unquote_plus(params['SigAlg'])!r}")
    signed = "&".join(f"{k}={params[k]}" for k in (param, "RelayState", "SigAlg") if k in params)
    try:
        signature = base64.b64decode(unquote_plus(params["Signature"]), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise errors.LogoutRejected("Signature is not base64") from exc
    for pem in certificates:
        key = load_certificate(pem).public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            continue
        try:
            algorithm = getattr(hashes, _HASHES[hash_name])()
            key.verify(signature, signed.encode("ascii"), padding.PKCS1v15(), algorithm)
        except InvalidSignature:
            continue
        return SignedRedirect(
            message=unquote_plus(params[param]),
            relay_state=unquote_plus(params.get("RelayState", "")),
        )
    raise errors.LogoutRejected("redirect signature does not verify with the IdP certificate(s)")


def logout_issuers(idp: IdpSettings) -> frozenset[str]:
    """Entra's LogoutResponse Issuer is `https://login.microsoftonline.com/{tid}/` per the
    current docs, `https://sts.windows.net/{tid}/` in older samples: both are accepted."""
    tenant = entra_tenant_of(idp.entity_id)
    if tenant is None:
        return frozenset({idp.entity_id})
    return frozenset({idp.entity_id, f"https://login.microsoftonline.com/{tenant}/"})


def finish(
    client: SamlClient, idp: IdpSettings, raw_query: bytes, *, expected_request_id: str | None
) -> None:
    """The IdP's LogoutResponse: signed as sent, ours (InResponseTo), from Entra, Success."""
    signed = verify_redirect(raw_query, "SAMLResponse", idp.certificates)
    answer = client.read_logout_response(signed.message)
    if not expected_request_id or answer.in_response_to != expected_request_id:
        raise errors.LogoutRejected(
            f"InResponseTo {answer.in_response_to!r}; expected {expected_request_id!r}"
        )
    if answer.issuer not in logout_issuers(idp):
        raise errors.LogoutRejected(f"LogoutResponse Issuer {answer.issuer!r}")
    if answer.status != SUCCESS:
        raise errors.LogoutRejected(f"LogoutResponse status {answer.status!r}")


def answer(
    client: SamlClient,
    idp: IdpSettings,
    raw_query: bytes,
    db: Session,
    *,
    now: datetime,
    skew: timedelta,
) -> IdpLogoutRequest:
    """IdP-initiated: a signed, current, first-seen LogoutRequest from our IdP."""
    signed = verify_redirect(raw_query, "SAMLRequest", idp.certificates)
    request = client.read_logout_request(signed.message, signed.relay_state)
    if request.issuer != idp.entity_id:
        raise errors.LogoutRejected(f"LogoutRequest Issuer {request.issuer!r}")
    expires = request.not_on_or_after
    if expires is not None and expires <= now - skew:
        raise errors.LogoutRejected(f"LogoutRequest expired at {expires}")
    replay.accept_once(
        db,
        (f"logout-request:{request.id}",),
        keep_until=(expires or now + REQUEST_LIFETIME) + skew,
        now=now,
    )
    return request


def names_this_session(
    request: IdpLogoutRequest, *, name_id: str | None, session_index: str | None
) -> bool:
    """Whether a LogoutRequest is about the session this browser holds."""
    if session_index and session_index in request.session_indexes:
        return True
    return bool(name_id) and request.name_id.casefold() == str(name_id).casefold()
