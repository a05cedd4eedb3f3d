"""Entra's signature, built directly by `Signer`, is byte for byte what signxml makes of the
same element in Entra's shape, and verifies: on every signing option, both algorithms, and on
an element signed inside a tree as well as a detached one."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime

import pytest
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.verifier import SignatureConfiguration, XMLVerifier

from mock_idp.certificates import SigningPair
from mock_idp.protocol.response import build_assertion, build_response
from mock_idp.protocol.signing import Algorithm, SignatureShape, Signer, sign_shaped
from mock_idp.protocol.xml import DS, SAML, to_bytes
from tests.mock_idp.test_response import issuance

SHAPES: dict[Algorithm, SignatureShape] = {
    "sha256": SignatureShape(),
    "sha1": SignatureShape(
        signature_method=SignatureMethod.RSA_SHA1.value,
        digest_method=DigestAlgorithm.SHA1.value,
    ),
}


def by_signxml(element: etree._Element, pair: SigningPair, algorithm: Algorithm) -> bytes:
    signed = sign_shaped(copy.deepcopy(element), SHAPES[algorithm], key=pair.key, cert=pair.cert)
    return to_bytes(signed)


@pytest.mark.parametrize("algorithm", ["sha256", "sha1"])
@pytest.mark.parametrize("option", ["assertion", "response", "both"])
def test_the_direct_signature_is_signxmls_byte_for_byte(
    option: str,
    algorithm: Algorithm,
    now: datetime,
    new_id: Callable[[], str],
    idp_pair: SigningPair,
) -> None:
    iss = issuance(now)
    signer = Signer(pair=idp_pair)
    assertion = build_assertion(iss, now=now, new_id=new_id)
    if option in ("assertion", "both"):
        expected = by_signxml(assertion, idp_pair, algorithm)
        assertion = signer.sign(assertion, algorithm=algorithm)
        assert to_bytes(assertion) == expected
    response = build_response(iss, assertion, now=now, new_id=new_id)
    if option in ("response", "both"):
        expected = by_signxml(response, idp_pair, algorithm)
        response = signer.sign(response, algorithm=algorithm)
        assert to_bytes(response) == expected
    signatures = response.findall(f".//{{{DS}}}Signature")
    assert len(signatures) == (2 if option == "both" else 1)


def test_an_element_inside_a_tree_is_signed_as_a_document_of_its_own(
    now: datetime, new_id: Callable[[], str], idp_pair: SigningPair
) -> None:
    """The fault catalogue may sign an Assertion already placed in a Response: the digest is
    the Assertion's own exclusive C14N, so it verifies once the Response is serialised."""
    iss = issuance(now)
    response = build_response(iss, build_assertion(iss, now=now, new_id=new_id), now=now,
                              new_id=new_id)  # fmt: skip
    assertion = response.find(f"{{{SAML}}}Assertion")
    assert assertion is not None
    Signer(pair=idp_pair).sign(assertion)
    config = SignatureConfiguration(
        location=f"{{{SAML}}}Assertion/",
        signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    )
    verified = XMLVerifier().verify(
        to_bytes(response), x509_cert=idp_pair.cert_pem(), expect_config=config, id_attribute="ID"
    )
    signed = verified.signed_xml  # type: ignore[union-attr]
    assert signed is not None and signed.get("ID") == assertion.get("ID")


def test_a_changed_claim_after_signing_no_longer_verifies(
    now: datetime, new_id: Callable[[], str], idp_pair: SigningPair
) -> None:
    assertion = Signer(pair=idp_pair).sign(build_assertion(issuance(now), now=now, new_id=new_id))
    name_id = assertion.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID")
    assert name_id is not None
    name_id.text = "attacker@contoso.com"
    with pytest.raises(Exception, match="[Dd]igest"):
        XMLVerifier().verify(to_bytes(assertion), x509_cert=idp_pair.cert_pem(), id_attribute="ID")
