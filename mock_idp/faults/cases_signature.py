"""Cases of docs/reference/attacks.md §3 A (signature presence, placement), C (keys), E (algos)."""

from __future__ import annotations

from lxml import etree

from mock_idp.faults.edits import (
    assertion_of,
    detach,
    ds,
    evil_edit,
    in_assertion,
    issued,
    signature_of,
)
from mock_idp.faults.handmade import ENVELOPED, EXC_C14N, MD5, XSLT, HandmadeShape
from mock_idp.faults.model import (
    DR,
    DRA,
    EA,
    EA_RA,
    Context,
    FaultCase,
    IssuanceEdit,
    Recipe,
    SignWith,
    accept,
    reject,
)
from mock_idp.faults.structure import corrupt_assertion_signature
from mock_idp.protocol.signing import KeyInfoContent, SignatureShape

RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
HMAC_SHA1 = "http://www.w3.org/2000/09/xmldsig#hmac-sha1"
ATTACKER_ISSUER = "https://sts.windows.net/0b6f1e4a-7d3c-4c2e-9a51-6e8f2d1c3b7a/"


def _strip_signatures(root: etree._Element, ctx: Context) -> None:
    for signature in root.xpath("//*[local-name()='Signature']"):
        detach(signature)
    evil_edit(root, ctx)


def _object_in_signature(root: etree._Element, _ctx: Context) -> None:
    holder = etree.SubElement(signature_of(assertion_of(root)), ds("Object"))
    etree.SubElement(holder, ds("KeyName")).text = "unsigned content"


def _by_hand(shape: HandmadeShape) -> Recipe:
    return Recipe(assertion_signature=SignWith(handmade=shape))


def _attacker(key_info: KeyInfoContent, issuance: IssuanceEdit | None = None) -> Recipe:
    """The target user's token signed with the attacker's key, KeyInfo as given."""
    return Recipe(
        issuance=issuance,
        assertion=evil_edit,
        assertion_signature=SignWith(shape=SignatureShape(key_info=key_info), key="attacker"),
    )


CASES: tuple[FaultCase, ...] = (
    FaultCase(
        name="valid",
        description="The baseline: exactly what Entra sends (the app's signing option)",
        source="docs/reference/entra.md §4.4",
        section="-",
        profiles=EA_RA,
        expected=accept(),
    ),
    FaultCase(
        name="signature-stripped",
        description="Every Signature removed, then the NameID changed to the target user",
        source="§3 #1; USENIX 2012 signature exclusion; CVE-2020-12676",
        section="A",
        profiles=EA_RA,
        expected=reject("signature"),
        recipe=Recipe(after_signing=_strip_signatures),
    ),
    FaultCase(
        name="tampered-nameid",
        description="NameID changed after signing; the signature is left as it was",
        source="§3 #2",
        section="A",
        profiles=EA_RA,
        expected=reject("signature"),
        recipe=Recipe(after_signing=in_assertion(evil_edit)),
    ),
    FaultCase(
        name="response-signed-only",
        description="Only the Response is signed (Entra's 'Sign SAML response'); the SP wants "
        "signed assertions",
        source="§3 #3; python3-saml testIsInValidSignIssues",
        section="A",
        profiles=DR,
        expected=reject("signature"),
    ),
    FaultCase(
        name="signature-references-response",
        description="The assertion's Signature references the Response ID, not its own element",
        source="§3 #5; saml-core §5.4; CVE-2020-5390",
        section="A",
        profiles=EA,
        expected=reject("signature"),
        recipe=_by_hand(HandmadeShape(target="response")),
    ),
    FaultCase(
        name="assertion-signature-broken",
        description="Assertion SignatureValue corrupted, then the Response validly signed over it",
        source="§3 #6",
        section="A",
        profiles=DRA,
        expected=reject("signature"),
        recipe=Recipe(response=corrupt_assertion_signature),
    ),
    FaultCase(
        name="two-references",
        description="IdP-signed, with two References in SignedInfo",
        source="§3 #7; OpenSAML TooManyReferences",
        section="A",
        profiles=EA,
        expected=reject("signature"),
        recipe=Recipe(assertion_signature=SignWith(shape=SignatureShape(references=2))),
    ),
    FaultCase(
        name="xslt-transform",
        description="IdP-signed with an extra XSLT Transform (SAMLRaider's 'Test XSLT')",
        source="§3 #7; SAMLRaider applyXSLT",
        section="A",
        profiles=EA,
        expected=reject("algorithm"),
        recipe=_by_hand(HandmadeShape(transforms=(ENVELOPED, XSLT, EXC_C14N))),
    ),
    FaultCase(
        name="no-enveloped-transform",
        description="IdP-signed without the enveloped-signature Transform",
        source="§3 #7; OpenSAML MissingEnvelopedTransform",
        section="A",
        profiles=EA,
        expected=reject("signature"),
        recipe=_by_hand(HandmadeShape(transforms=(EXC_C14N,))),
    ),
    FaultCase(
        name="empty-reference-uri",
        description='IdP-signed with Reference URI="" (the whole document)',
        source="§3 #7; python3-saml testMessageSignedIsValidSignWithEmptyReferenceURI",
        section="A",
        profiles=EA,
        expected=reject("signature"),
        recipe=_by_hand(HandmadeShape(target="document")),
    ),
    FaultCase(
        name="external-reference-uri",
        description="IdP-signed with a Reference to an external URL (SSRF bait)",
        source="§3 #7; pysaml2 4.6.0 SSRF fix",
        section="A",
        profiles=EA,
        expected=reject("signature"),
        recipe=_by_hand(HandmadeShape(target="external")),
    ),
    FaultCase(
        name="ds-object-in-signature",
        description="A ds:Object added inside the assertion's Signature after signing",
        source="§3 #7; pysaml2 7.1.0 hardening",
        section="A",
        profiles=EA,
        expected=reject("malformed"),
        recipe=Recipe(after_signing=_object_in_signature),
    ),
    FaultCase(
        name="wrong-certificate",
        description="Changed to the target user and re-signed with the attacker's key, its "
        "certificate in KeyInfo",
        source="§3 #23; CVE-2015-5372; USENIX 2012",
        section="C",
        profiles=EA,
        expected=reject("signature"),
        recipe=_attacker("cert"),
    ),
    FaultCase(
        name="wrong-key-entra-certificate",
        description="Re-signed with the attacker's key while KeyInfo shows Entra's certificate",
        source="§3 #23",
        section="C",
        profiles=EA,
        expected=reject("signature"),
        recipe=_attacker("other-cert"),
    ),
    FaultCase(
        name="attacker-issuer",
        description="Signed by the attacker's own key under the attacker's own Issuer",
        source="§3 #24",
        section="C",
        profiles=EA,
        expected=reject("signature"),
        recipe=_attacker("cert", issued(issuer=ATTACKER_ISSUER)),
    ),
    FaultCase(
        name="keyinfo-rsa-key-value",
        description="Re-signed with the attacker's key, KeyInfo a bare RSAKeyValue",
        source="§3 #25; CVE-2021-21239",
        section="C",
        profiles=EA,
        expected=reject("signature"),
        recipe=_attacker("key-value"),
    ),
    FaultCase(
        name="keyinfo-none",
        description="Re-signed with the attacker's key and no KeyInfo at all",
        source="§3 #25; python3-saml testIsInValidNoKey",
        section="C",
        profiles=EA,
        expected=reject("signature"),
        recipe=_attacker("none"),
    ),
    FaultCase(
        name="hmac-sha1",
        description="HMAC-SHA1 signature keyed with Entra's public certificate",
        source="§3 #26; CVE-2021-21239",
        section="C",
        profiles=EA,
        expected=reject("algorithm"),
        recipe=Recipe(
            assertion=evil_edit,
            assertion_signature=SignWith(
                shape=SignatureShape(signature_method=HMAC_SHA1, digest_method=SHA1),
                hmac_secret="idp-certificate",
            ),
        ),
    ),
    FaultCase(
        name="sha1",
        description="Signed with Entra's key using RSA-SHA1 and a SHA-1 digest",
        source="§3 #37; python3-saml rejectDeprecatedAlgorithm",
        section="E",
        profiles=EA_RA,
        expected=reject("algorithm"),
        recipe=Recipe(
            assertion_signature=SignWith(
                shape=SignatureShape(signature_method=RSA_SHA1, digest_method=SHA1)
            ),
            response_signature=SignWith(
                shape=SignatureShape(signature_method=RSA_SHA1, digest_method=SHA1)
            ),
        ),
    ),
    FaultCase(
        name="md5-digest",
        description="Signed with Entra's key, the Reference digested with MD5",
        source="§3 #38",
        section="E",
        profiles=EA,
        expected=reject("algorithm"),
        recipe=_by_hand(HandmadeShape(digest_method=MD5)),
    ),
)
