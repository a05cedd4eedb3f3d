"""Cases of docs/reference/attacks.md §3 B (wrapping, multiple assertions) and D (c14n, parsing)."""

from __future__ import annotations

from mock_idp.faults import parsing, wrapping
from mock_idp.faults.model import DR, EA, EA_RA, FaultCase, Recipe, Serializer, TreeEdit, reject
from mock_idp.faults.structure import second_signed_assertion

XSW_SOURCE = "§2.2; USENIX 2012 (Somorovsky et al.); SAMLRaider XSWHelpers"


def _xsw(number: int, description: str, edit: TreeEdit, *, signed_response: bool) -> FaultCase:
    return FaultCase(
        name=f"xsw{number}",
        description=description,
        source=f"§3 #{7 + number}; {XSW_SOURCE}",
        section="B",
        profiles=DR if signed_response else EA,
        expected=reject("malformed"),
        recipe=Recipe(after_signing=edit),
    )


def _doctype(name: str, description: str, source: str, serializer: Serializer) -> FaultCase:
    return FaultCase(
        name=name,
        description=description,
        source=source,
        section="D",
        profiles=EA_RA,
        expected=reject("malformed"),
        recipe=Recipe(serialize=serializer),
    )


CASES: tuple[FaultCase, ...] = (
    _xsw(
        1,
        "Signed Response copied into its own Signature; the evil root is read",
        wrapping.xsw1,
        signed_response=True,
    ),
    _xsw(
        2,
        "Signed Response copied before its Signature; the evil root is read",
        wrapping.xsw2,
        signed_response=True,
    ),
    _xsw(
        3,
        "Evil unsigned assertion (new ID) placed before the signed one",
        wrapping.xsw3,
        signed_response=False,
    ),
    _xsw(
        4,
        "Signed assertion moved inside an evil unsigned assertion",
        wrapping.xsw4,
        signed_response=False,
    ),
    _xsw(
        5,
        "Evil assertion keeps the Signature; the unsigned original is appended",
        wrapping.xsw5,
        signed_response=False,
    ),
    _xsw(
        6,
        "Evil assertion keeps the Signature; the original hidden inside it",
        wrapping.xsw6,
        signed_response=False,
    ),
    _xsw(
        7,
        "Evil twin with the same ID inside an unqualified Extensions element",
        wrapping.xsw7,
        signed_response=False,
    ),
    _xsw(
        8,
        "Evil assertion in place; the original inside an unqualified Object in its Signature",
        wrapping.xsw8,
        signed_response=False,
    ),
    FaultCase(
        name="xsw7-samlp-extensions",
        description="XSW7 as in the paper: the evil twin inside samlp:Extensions",
        source=f"§3 #16; {XSW_SOURCE}",
        section="B",
        profiles=EA,
        expected=reject("malformed"),
        recipe=Recipe(after_signing=wrapping.xsw7_paper),
    ),
    FaultCase(
        name="xsw8-ds-object",
        description="XSW8 as in the paper: the original inside a ds:Object",
        source=f"§3 #16; {XSW_SOURCE}",
        section="B",
        profiles=EA,
        expected=reject("malformed"),
        recipe=Recipe(after_signing=wrapping.xsw8_paper),
    ),
    FaultCase(
        name="assertion-appended",
        description="An unsigned evil copy (ID + '_attack') appended after the signed assertion",
        source="§3 #17; CVE-2022-41912 (crewjam/saml)",
        section="B",
        profiles=EA_RA,
        expected=reject("malformed"),
        recipe=Recipe(after_signing=wrapping.append_unsigned),
    ),
    FaultCase(
        name="assertion-prepended",
        description="The same unsigned evil copy inserted before the signed assertion",
        source="§3 #18",
        section="B",
        profiles=EA_RA,
        expected=reject("malformed"),
        recipe=Recipe(after_signing=wrapping.prepend_unsigned),
    ),
    FaultCase(
        name="duplicate-id",
        description="An evil unsigned copy keeping the signed assertion's ID, placed first",
        source="§3 #19",
        section="B",
        profiles=EA_RA,
        expected=reject("malformed"),
        recipe=Recipe(after_signing=wrapping.duplicate_id_first),
    ),
    FaultCase(
        name="assertion-in-advice",
        description="The signed assertion hidden in the Advice of an evil outer assertion",
        source="§3 #20; node-saml advice fixtures",
        section="B",
        profiles=EA,
        expected=reject("malformed"),
        recipe=Recipe(after_signing=wrapping.hidden_in_advice),
    ),
    FaultCase(
        name="two-signed-assertions",
        description="Two assertions, both signed by Entra's key, for two different users",
        source="§3 #17; python3-saml testIsInValidMultipleAssertions",
        section="B",
        profiles=EA,
        expected=reject("malformed"),
        recipe=Recipe(response=second_signed_assertion),
    ),
    FaultCase(
        name="stray-digest-value",
        description="Evil edit plus its matching DigestValue planted in a StatusDetail first",
        source="§3 #21; CVE-2024-45409 (ruby-saml)",
        section="B",
        profiles=EA,
        expected=reject("signature"),
        recipe=Recipe(after_signing=wrapping.stray_digest_value),
    ),
    FaultCase(
        name="attribute-pollution",
        description="A namespaced duplicate saml:ID attribute next to the assertion's ID",
        source="§3 #22; PortSwigger 'The Fragile Lock' (CVE-2025-66567/66568)",
        section="B",
        profiles=EA,
        expected=reject("signature"),
        recipe=Recipe(after_signing=wrapping.attribute_pollution),
    ),
    FaultCase(
        name="comment-in-nameid",
        description="IdP signs B.Simon@contoso.com.evil.example; a comment then splits it "
        "after the victim's address",
        source="§3 #27; CVE-2017-11427/11428/11429/11430, CVE-2018-0489, VU#475445",
        section="D",
        profiles=EA_RA,
        expected=reject("malformed"),
        recipe=Recipe(issuance=parsing.attacker_account, after_signing=parsing.comment_in_name_id),
    ),
    FaultCase(
        name="comment-in-attribute-value",
        description="The same comment split inside the 'name' claim's AttributeValue",
        source="§3 #27; ruby-saml 'injected comment' tests",
        section="D",
        profiles=EA_RA,
        expected=reject("malformed"),
        recipe=Recipe(
            issuance=parsing.attacker_account,
            after_signing=parsing.comment_in_attribute_value,
        ),
    ),
    FaultCase(
        name="void-canonicalization",
        description='xmlns:ns="1" on the signed assertion, the empty-string digest, evil edit',
        source="§3 #28; CVE-2025-66568 / CVE-2025-66567 ('The Fragile Lock')",
        section="D",
        profiles=EA,
        expected=reject("signature"),
        recipe=Recipe(after_signing=parsing.void_canonicalization),
    ),
    FaultCase(
        name="xml-xmlns-attribute",
        description="An xml:xmlns attribute on the Signature, then the evil edit",
        source="§3 #29; CVE-2025-66567 family",
        section="D",
        profiles=EA,
        expected=reject("signature"),
        recipe=Recipe(after_signing=parsing.xml_xmlns_attribute),
    ),
    _doctype(
        "doctype",
        "<!DOCTYPE Response> (no entities) in front of a valid response",
        "§3 #30; python3-saml and ruby-saml >= 1.18 refuse any DTD",
        parsing.doctype_plain,
    ),
    _doctype(
        "xxe-file",
        "External entity reading file:///etc/hostname, used as the NameID",
        "§3 #31; CVE-2016-10127 (pysaml2), CVE-2017-9672, CVE-2021-27736",
        parsing.xxe_file,
    ),
    _doctype(
        "xxe-parameter-entity",
        "External parameter entity fetched from a URL (SAMLRaider 'Test XXE')",
        "§3 #31; SAMLRaider applyXXE",
        parsing.xxe_parameter_entity,
    ),
    _doctype(
        "billion-laughs",
        "Ten levels of nested entities expanding to 10^9 'lol's in the NameID",
        "§3 #32",
        parsing.billion_laughs,
    ),
    _doctype(
        "external-dtd",
        "A DOCTYPE naming an external DTD by URL",
        "§3 #33",
        parsing.external_dtd,
    ),
    _doctype(
        "entity-defined-id",
        "The assertion's ID written as an entity reference declared in the DTD",
        "§3 #34; CVE-2025-23369 (GitHub Enterprise)",
        parsing.entity_defined_id,
    ),
    _doctype(
        "doctype-comment-confusion",
        "DOCTYPE whose quoted SYSTEM literal looks like the start of a comment",
        "§3 #35; CVE-2025-25291 shape",
        parsing.doctype_comment_confusion,
    ),
    _doctype(
        "doctype-cdata-differential",
        "The evil document, then the original hidden in CDATA behind that DOCTYPE",
        "§2.3; CVE-2025-25291 (ruby-saml, SAMLRaider CVE_2025_25291)",
        parsing.cdata_differential,
    ),
)
