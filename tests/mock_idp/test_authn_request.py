"""AuthnRequest decoding and Entra's first checks, each with its AADSTS code."""

from __future__ import annotations

import base64
import zlib

import pytest

from mock_idp.protocol import errors
from mock_idp.protocol.authn_request import (
    check_policy,
    choose_reply_url,
    decode_post,
    decode_redirect,
    parse_authn_request,
)

ACS = "http://localhost:8000/auth/saml/callback?namespace=contoso"


def request_xml(request_id: str = "id-1", extra: str = "", body: str = "") -> bytes:
    return (
        '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="{request_id}" Version="2.0" IssueInstant="2026-11-28T09:30:00Z" '
        f'AssertionConsumerServiceURL="{ACS.replace("&", "&amp;")}" {extra}>'
        f"<saml:Issuer>https://perform.trakstar.com</saml:Issuer>{body}</samlp:AuthnRequest>"
    ).encode()


def deflated(xml: bytes) -> str:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(compressor.compress(xml) + compressor.flush()).decode()


def test_redirect_binding_round_trip() -> None:
    request = parse_authn_request(decode_redirect(deflated(request_xml())))
    assert request.id == "id-1"
    assert request.issuer == "https://perform.trakstar.com"
    assert request.acs_url == ACS


def test_missing_saml_request_is_750054() -> None:
    with pytest.raises(errors.SamlRequestMissing) as caught:
        decode_redirect(None)
    assert caught.value.text.startswith("AADSTS750054: SAMLRequest or SAMLResponse must be")


@pytest.mark.parametrize("value", ["%%%", base64.b64encode(b"<not deflated/>").decode()])
def test_wrong_encoding_is_75005(value: str) -> None:
    with pytest.raises(errors.InvalidSamlRequest):
        parse_authn_request(decode_redirect(value))


def test_post_binding_is_plain_base64() -> None:
    xml = request_xml()
    assert decode_post(base64.b64encode(xml).decode()) == xml


@pytest.mark.parametrize(
    "xml",
    [
        b"<x/>",
        b"not xml",
        request_xml().replace(b'Version="2.0"', b""),
        b'<!DOCTYPE x [<!ENTITY e "e">]>' + request_xml(),
    ],
)
def test_not_a_saml2_authn_request_is_75005(xml: bytes) -> None:
    with pytest.raises(errors.InvalidSamlRequest):
        parse_authn_request(xml)


def test_id_starting_with_a_digit_is_7500529() -> None:
    with pytest.raises(errors.InvalidRequestId) as caught:
        parse_authn_request(request_xml("1abc"))
    assert caught.value.code == 7500529


def test_reply_url_must_be_configured() -> None:
    request = parse_authn_request(request_xml())
    assert choose_reply_url(request, [ACS], "app") == ACS
    with pytest.raises(errors.ReplyUrlMismatch) as caught:
        choose_reply_url(request, [ACS + "x"], "app-id")
    assert "AADSTS50011" in caught.value.text and "'app-id'" in caught.value.text


def test_absent_acs_uses_the_default_or_fails_with_900971() -> None:
    request = parse_authn_request(request_xml().replace(b"AssertionConsumerServiceURL", b"x"))
    assert choose_reply_url(request, [ACS], "app") == ACS
    with pytest.raises(errors.NoReplyAddress):
        choose_reply_url(request, [], "app")


@pytest.mark.parametrize(
    ("extra", "body", "error"),
    [
        (
            'ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"',
            "",
            errors.UnsupportedBinding,
        ),
        ("", '<samlp:NameIDPolicy Format="urn:example:bogus"/>', errors.InvalidNameIdPolicy),
        (
            "",
            "<saml:Subject><saml:NameID>x</saml:NameID></saml:Subject>",
            errors.UnsupportedProperty,
        ),
    ],
)
def test_request_policy_errors(extra: str, body: str, error: type[errors.AadstsError]) -> None:
    with pytest.raises(error):
        check_policy(parse_authn_request(request_xml(extra=extra, body=body)))
