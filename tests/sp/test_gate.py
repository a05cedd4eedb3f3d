"""The input gate on its own: bytes in, one plain SAML Response out, or a typed refusal.

Hand-written documents, independent of the mock: each test names the rule of
docs/reference/attacks.md §5 items 4–5 it holds the gate to.
"""

from __future__ import annotations

import base64
import zlib

import pytest

from sp.saml import errors, gate

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"


def signature(
    method: str = RSA_SHA256,
    digest: str = SHA256,
    c14n: str = EXC,
    transforms: tuple[str, ...] = (ENVELOPED, EXC),
    extra: str = "",
) -> str:
    steps = "".join(f'<Transform Algorithm="{t}"/>' for t in transforms)
    return (
        f'<Signature xmlns="{DS}"><SignedInfo><CanonicalizationMethod Algorithm="{c14n}"/>'
        f'<SignatureMethod Algorithm="{method}"/><Reference URI="#_a"><Transforms>{steps}'
        f'</Transforms><DigestMethod Algorithm="{digest}"/><DigestValue>AA==</DigestValue>'
        f"</Reference></SignedInfo><SignatureValue>AA==</SignatureValue>{extra}</Signature>"
    )


def assertion(name_id: str = "B.Simon@contoso.com", sig: str | None = None, aid: str = "_a") -> str:
    return (
        f'<Assertion xmlns="{SAML}" ID="{aid}"><Issuer>i</Issuer>{sig or signature()}'
        f"<Subject><NameID>{name_id}</NameID></Subject>"
        "<AttributeStatement><Attribute Name='n'><AttributeValue>v</AttributeValue>"
        "</Attribute></AttributeStatement></Assertion>"
    )


def response(body: str | None = None, status: str = "") -> str:
    status = status or f'<samlp:Status><samlp:StatusCode Value="{SUCCESS}"/></samlp:Status>'
    return (
        f'<samlp:Response xmlns:samlp="{SAMLP}" ID="_r"><Issuer xmlns="{SAML}">i</Issuer>'
        f"{status}{assertion() if body is None else body}</samlp:Response>"
    )


def b64(xml: str | bytes) -> str:
    raw = xml.encode() if isinstance(xml, str) else xml
    return base64.b64encode(raw).decode()


def refused(value: str | None) -> errors.SsoError:
    with pytest.raises(errors.SsoError) as caught:
        gate.admit(value)
    return caught.value


def test_a_plain_response_is_admitted_exactly_as_checked() -> None:
    xml = response()
    admitted = gate.admit(b64(xml))

    assert admitted.xml == xml.encode()
    assert base64.b64decode(admitted.b64) == admitted.xml


def test_line_wrapped_base64_is_fine() -> None:
    encoded = b64(response())
    wrapped = "\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))

    assert gate.admit(wrapped).xml == response().encode()


@pytest.mark.parametrize("value", [None, "", "not base64!", "QUJD=A==", "QUJD\x00"])
def test_missing_or_non_strict_base64_is_refused(value: str | None) -> None:
    assert type(refused(value)) is errors.MalformedResponse


def padded_to(size: int) -> str:
    padding = " " * (size - len(response()))
    return response().replace("</samlp:Status>", "</samlp:Status>" + padding)


def test_decoded_size_is_capped_before_parsing() -> None:
    assert len(gate.admit(b64(padded_to(gate.MAX_XML_BYTES))).xml) == gate.MAX_XML_BYTES
    assert "bytes" in refused(b64(padded_to(gate.MAX_XML_BYTES + 1))).detail


def test_deflate_on_post_is_refused_not_inflated() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(response().encode()) + compressor.flush()

    assert "DEFLATE" in refused(b64(deflated)).detail


@pytest.mark.parametrize(
    "raw",
    [response().encode("utf-16"), response().encode("utf-16-le"), b"<a>\x00</a>"],
    ids=["utf-16", "utf-16-no-bom", "nul"],
)
def test_only_utf8_without_nul_is_parsed(raw: bytes) -> None:
    assert type(refused(b64(raw))) is errors.MalformedResponse


@pytest.mark.parametrize(
    "prefix",
    [
        "<!DOCTYPE Response>",
        '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/hostname">]>',
        '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd">',
        "<!DOCTYPE r [<!ENTITY a 'b'>",  # not even well-formed: refused for the DTD first
    ],
)
def test_any_doctype_is_refused_before_a_parser_sees_it(prefix: str) -> None:
    assert "DOCTYPE" in refused(b64(prefix + response())).detail


def test_the_root_must_be_a_samlp_response() -> None:
    assert "not samlp:Response" in refused(b64(assertion())).detail


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("", "0 assertions"),
        (assertion() + assertion(aid="_b"), "2 assertions"),
        (f'<x xmlns="urn:x">{assertion()}</x>', "not a direct child"),
        (assertion() + f'<EncryptedAssertion xmlns="{SAML}"/>', "exactly one"),
        (assertion().replace('ID="_a"', 'ID="_r"'), "twice"),
        (assertion(name_id="B.Simon@contoso.com<!---->.evil"), "comment"),
        (assertion(name_id="B.Simon<?pi x?>@contoso.com"), "processing instruction"),
        (assertion().replace("<AttributeValue>v", "<AttributeValue>v<!---->w"), "comment"),
    ],
    ids=["none", "two", "nested", "encrypted", "duplicate-id", "comment", "pi", "attr-comment"],
)
def test_exactly_one_plain_assertion_with_plain_identity(body: str, why: str) -> None:
    refusal = refused(b64(response(body)))

    assert type(refusal) is errors.MalformedResponse
    assert why in refusal.detail


@pytest.mark.parametrize(
    "sig",
    [
        signature(method="http://www.w3.org/2000/09/xmldsig#rsa-sha1"),
        signature(digest="http://www.w3.org/2000/09/xmldsig#sha1"),
        signature(digest="http://www.w3.org/2001/04/xmldsig-more#md5"),
        signature(method="http://www.w3.org/2000/09/xmldsig#hmac-sha1"),
        signature(c14n="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"),
        signature(transforms=(ENVELOPED, "http://www.w3.org/TR/1999/REC-xslt-19991116", EXC)),
    ],
    ids=["rsa-sha1", "sha1", "md5", "hmac", "inclusive-c14n", "xslt"],
)
def test_every_signature_algorithm_is_allow_listed(sig: str) -> None:
    refusal = refused(b64(response(assertion(sig=sig))))

    assert type(refusal) is errors.DisallowedAlgorithm


@pytest.mark.parametrize(
    ("method", "digest"),
    [
        ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", SHA256),
        (
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
            "http://www.w3.org/2001/04/xmlenc#sha512",
        ),
    ],
)
def test_stronger_algorithms_pass_the_gate(method: str, digest: str) -> None:
    assert gate.admit(b64(response(assertion(sig=signature(method=method, digest=digest)))))


def test_an_object_inside_a_signature_is_refused() -> None:
    sig = signature(extra="<Object><x/></Object>")

    assert "ds:Object" in refused(b64(response(assertion(sig=sig)))).detail


def test_a_response_signature_is_held_to_the_same_list() -> None:
    sha1 = signature(method="http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    xml = response().replace("</Issuer><samlp:Status>", f"</Issuer>{sha1}<samlp:Status>", 1)

    assert type(refused(b64(xml))) is errors.DisallowedAlgorithm


def error_status(message: str) -> str:
    return (
        '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Requester">'
        '<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported"/>'
        f"</samlp:StatusCode><samlp:StatusMessage>{message}</samlp:StatusMessage></samlp:Status>"
    )


def test_an_idp_error_is_reported_with_its_aadsts_code_only() -> None:
    xml = response("", status=error_status("AADSTS75011: <b>whatever</b> the IdP says"))

    refusal = refused(b64(xml.replace("<b>whatever</b>", "&lt;b&gt;whatever&lt;/b&gt;")))

    assert type(refusal) is errors.IdpReportedError
    assert refusal.public_message.endswith("(AADSTS75011)")
    assert "RequestUnsupported" in refusal.detail and "whatever" not in refusal.public_message


def test_an_error_status_wins_over_an_assertion_next_to_it() -> None:
    refusal = refused(b64(response(status=error_status("no code here"))))

    assert type(refusal) is errors.IdpReportedError
    assert refusal.public_message == errors.IdpReportedError.public_message
