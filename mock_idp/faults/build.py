"""Build a case's response on the path valid responses take: same builders, same signer.

The steps are Entra's (`mock_idp.sso.sign_as_configured`): build the Assertion, sign it, wrap
it in the Response, sign that; a recipe only adds edits at fixed points between the steps.
With an empty recipe the output is byte for byte what `sign_as_configured` makes.
"""

from __future__ import annotations

import base64
import zlib
from dataclasses import dataclass

from lxml import etree

from mock_idp.certificates import SigningPair
from mock_idp.faults.edits import assertion_of
from mock_idp.faults.handmade import sign_in_place
from mock_idp.faults.model import Context, FaultCase, Profile, SignWith, TreeEdit
from mock_idp.protocol.response import build_assertion, build_response
from mock_idp.protocol.signing import Signer, sign_shaped
from mock_idp.protocol.xml import to_bytes


@dataclass(frozen=True, kw_only=True, slots=True)
class Built:
    xml: bytes  # the document as serialized, before any transport encoding
    saml_response: str  # what the form posts
    relay_state: str | None  # a replacement RelayState, when the case sets one


def build(case: FaultCase, ctx: Context, *, profile: Profile) -> Built:
    recipe = case.recipe
    issuance = recipe.issuance(ctx.issuance, ctx) if recipe.issuance else ctx.issuance
    now = ctx.now + recipe.clock
    assertion = build_assertion(issuance, now=now, new_id=ctx.new_id)
    assertion = _apply(recipe.assertion, assertion, ctx)
    by_hand = recipe.assertion_signature.handmade
    if profile in ("assertion", "both") and by_hand is None:
        assertion = sign(assertion, recipe.assertion_signature, ctx)
    response = build_response(issuance, assertion, now=now, new_id=ctx.new_id)
    if profile in ("assertion", "both") and by_hand is not None:
        sign_in_place(
            assertion_of(response), by_hand, pair=_pairs(recipe.assertion_signature, ctx)[0]
        )
    response = _apply(recipe.response, response, ctx)
    if profile in ("response", "both"):
        response = sign(response, recipe.response_signature, ctx)
    response = _apply(recipe.after_signing, response, ctx)
    xml = to_bytes(response)
    if recipe.serialize is not None:
        xml = recipe.serialize(xml, ctx)
    payload = raw_deflate(xml) if recipe.deflate else xml
    return Built(
        xml=xml,
        saml_response=base64.b64encode(payload).decode("ascii"),
        relay_state=recipe.relay_state,
    )


def sign(element: etree._Element, how: SignWith, ctx: Context) -> etree._Element:
    """Entra's signer for `ENTRA`; the parameterised signer for every other shape."""
    pair, other = _pairs(how, ctx)
    if how.shape is None:
        return Signer(pair=pair).sign(element, algorithm=ctx.algorithm)
    # HMAC key confusion (#26): the "secret" is the IdP's public certificate, which anyone has.
    key = pair.cert_pem().encode() if how.hmac_secret == "idp-certificate" else pair.key
    return sign_shaped(element, how.shape, key=key, cert=pair.cert, other_cert=other.cert)


def _pairs(how: SignWith, ctx: Context) -> tuple[SigningPair, SigningPair]:
    """The signing pair, and the other one (whose certificate a lying KeyInfo shows)."""
    return (ctx.idp, ctx.attacker) if how.key == "idp" else (ctx.attacker, ctx.idp)


def raw_deflate(data: bytes) -> bytes:
    """The HTTP-Redirect binding's encoding (RFC 1951, no zlib header)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _apply(edit: TreeEdit | None, element: etree._Element, ctx: Context) -> etree._Element:
    if edit is None:
        return element
    replacement = edit(element, ctx)
    return element if replacement is None else replacement
