"""The mock's side of the catalogue: cases are built on Entra's path and are what they claim.

- the `valid` case is byte for byte what Entra's signing path makes, for each signing option;
- every IdP-signed negative carries a signature xmlsec1 verifies with Entra's certificate (the
  SP must refuse it for what it says, not for a broken signature);
- the XSW cases have the layouts of docs/reference/attacks.md §2.2;
- serialization and transport cases are what their names say.
"""

from __future__ import annotations

import base64
import itertools
import re
import subprocess
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from mock_idp.certificates import SigningPair
from mock_idp.faults.build import build
from mock_idp.faults.catalogue import BY_NAME, CATALOGUE, get
from mock_idp.faults.model import Context, FaultCase, Profile
from mock_idp.protocol import claims
from mock_idp.protocol.response import Issuance
from mock_idp.protocol.xml import SAML, to_bytes
from mock_idp.sso import sign_as_configured
from mock_idp.tenant import EnterpriseApp, SigningCertificate

TENANT = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
ISSUER = f"https://sts.windows.net/{TENANT}/"
ACS = "http://localhost:8000/auth/saml/callback?namespace=contoso"
VICTIM = "B.Simon@contoso.com"
EVIL = "admin@contoso.com"
ASSERTION = f"{{{SAML}}}Assertion"


def counter() -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: f"_00000000-0000-4000-8000-{next(numbers):012d}"


def issuance(now: datetime) -> Issuance:
    user = {
        "user.userprincipalname": VICTIM,
        "user.objectid": "3a9e6b42-7c1d-4f8e-a5b0-2d6c9e1f4a73",
        "user.displayname": "B.Simon",
        "user.mail": VICTIM,
    }
    return Issuance(
        issuer=ISSUER,
        destination=ACS,
        in_response_to="id-request-1",
        audience="https://perform.trakstar.com",
        name_id=VICTIM,
        name_id_format=claims.EMAIL_FORMAT,
        claims=claims.release(
            user,
            claims.DEFAULT_RULES,
            tenant_id=TENANT,
            idp_entity_id=ISSUER,
            auth_methods=(claims.PASSWORD_METHOD,),
        ),
        authn_instant=now,
    )


def context(now: datetime, idp: SigningPair, attacker: SigningPair) -> Context:
    return Context(
        issuance=issuance(now),
        now=now,
        new_id=counter(),
        idp=idp,
        attacker=attacker,
        victim=VICTIM,
        evil=EVIL,
    )


def made(case: str | FaultCase, ctx: Context, profile: Profile = "assertion") -> bytes:
    found = get(case) if isinstance(case, str) else case
    return build(found, ctx, profile=profile).xml


@pytest.mark.parametrize("option", ["assertion", "response", "both"])
def test_the_valid_case_is_byte_for_byte_entras_signing_path(
    option: Profile, now: datetime, idp_pair: SigningPair, attacker_pair: SigningPair
) -> None:
    app = EnterpriseApp(
        app_id="app",
        name="Trakstar",
        signing_option=option,  # type: ignore[arg-type]
        certificates=[SigningCertificate(pair=idp_pair, active=True)],
    )
    entra = to_bytes(sign_as_configured(app, issuance(now), now=now, new_id=counter()))

    assert made("valid", context(now, idp_pair, attacker_pair), option) == entra


def idp_signed(case: FaultCase) -> bool:
    """Built wrong by the IdP itself, then signed with Entra's key, never touched after."""
    recipe, signing = case.recipe, case.recipe.assertion_signature
    return (
        "assertion" in case.profiles
        and case.delivery == "post"
        and recipe.after_signing is None
        and recipe.serialize is None
        and not recipe.deflate
        and recipe.response is None
        and signing.key == "idp"
        and signing.hmac_secret is None
    )


# Built to be unverifiable: the point of these shapes is that no verifier should try.
UNVERIFIABLE = {"no-enveloped-transform", "external-reference-uri"}
IDP_SIGNED = [c for c in CATALOGUE if idp_signed(c) and c.name not in UNVERIFIABLE]


@pytest.mark.parametrize("case", IDP_SIGNED, ids=lambda c: c.name)
def test_idp_signed_negatives_verify_with_entras_certificate(
    case: FaultCase,
    now: datetime,
    idp_pair: SigningPair,
    attacker_pair: SigningPair,
    tmp_path: Path,
) -> None:
    xml = made(case, context(now, idp_pair, attacker_pair))
    document, cert = tmp_path / "response.xml", tmp_path / "idp.pem"
    document.write_bytes(xml)
    cert.write_text(idp_pair.cert_pem())
    assertion = etree.fromstring(xml).find(ASSERTION)
    assert assertion is not None

    result = subprocess.run(
        [
            "xmlsec1",
            "--verify",
            "--enabled-reference-uris",
            "empty,same-doc",
            "--pubkey-cert-pem",
            str(cert),
            "--id-attr:ID",
            "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
            "--id-attr:ID",
            "urn:oasis:names:tc:SAML:2.0:protocol:Response",
            "--node-id",
            str(assertion.get("ID")),
            str(document),
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def test_unverifiable_shapes_are_refused_by_xmlsec1_too(
    now: datetime, idp_pair: SigningPair, attacker_pair: SigningPair, tmp_path: Path
) -> None:
    """The two shapes left out above really fail: they are not accidentally valid."""
    cert = tmp_path / "idp.pem"
    cert.write_text(idp_pair.cert_pem())
    for name in sorted(UNVERIFIABLE):
        xml = made(name, context(now, idp_pair, attacker_pair))
        (tmp_path / f"{name}.xml").write_bytes(xml)
        node = etree.fromstring(xml).find(ASSERTION)
        assert node is not None
        result = subprocess.run(
            ["xmlsec1", "--verify", "--enabled-reference-uris", "empty,same-doc"]
            + ["--pubkey-cert-pem", str(cert), "--id-attr:ID", ASSERTION[1:].replace("}", ":")]
            + ["--node-id", str(node.get("ID")), str(tmp_path / f"{name}.xml")],
            capture_output=True,
            check=False,
        )
        assert result.returncode != 0, name


def layout(xml: bytes) -> str:
    """Responses, Assertions, Signatures, Extensions and Objects, nested, with ID markers."""
    root = etree.fromstring(xml)
    original = {e.get("ID") for e in root.iter() if isinstance(e.tag, str) and e.get("ID")}

    def walk(element: etree._Element) -> str:
        name = etree.QName(element).localname
        inner = [
            walk(child)
            for child in element
            if isinstance(child.tag, str)
            and etree.QName(child).localname
            in ("Response", "Assertion", "Signature", "Extensions", "Object", "Advice")
        ]
        label = name
        if element.get("ID"):
            label += "#" + element.get("ID", "")[-2:]
        return label + (f"[{','.join(inner)}]" if inner else "")

    assert original
    return walk(root)


XSW_LAYOUTS = {
    # docs/reference/attacks.md §2.2 "Resulting layout"; IDs: the counter's last two digits.
    "xsw1": "Response#03[Signature[Response#02[Assertion#01]],Assertion#01]",
    "xsw2": "Response#03[Response#02[Assertion#01],Signature,Assertion#01]",
    "xsw3": "Response#02[Assertion#03,Assertion#01[Signature]]",
    "xsw4": "Response#02[Assertion#03[Assertion#01[Signature]]]",
    "xsw5": "Response#02[Assertion#03[Signature],Assertion#01]",
    "xsw6": "Response#02[Assertion#03[Signature[Assertion#01]]]",
    "xsw7": "Response#02[Extensions[Assertion#01],Assertion#01[Signature]]",
    "xsw8": "Response#02[Assertion#01[Signature[Object[Assertion#01]]]]",
}


@pytest.mark.parametrize(("name", "expected"), XSW_LAYOUTS.items())
def test_xsw_cases_have_samlraiders_layouts(
    name: str, expected: str, now: datetime, idp_pair: SigningPair, attacker_pair: SigningPair
) -> None:
    profile: Profile = "response" if name in ("xsw1", "xsw2") else "assertion"
    xml = made(name, context(now, idp_pair, attacker_pair), profile)

    assert layout(xml) == expected
    assert EVIL.encode() in xml and VICTIM.encode() in xml  # evil edit, original kept


def test_post_sign_tampering_changes_only_what_it_says(
    now: datetime, idp_pair: SigningPair, attacker_pair: SigningPair
) -> None:
    valid = made("valid", context(now, idp_pair, attacker_pair))
    tampered = made("tampered-nameid", context(now, idp_pair, attacker_pair))

    assert tampered.replace(EVIL.encode(), VICTIM.encode()) == valid


def test_comment_injection_splits_the_attackers_own_signed_name(
    now: datetime, idp_pair: SigningPair, attacker_pair: SigningPair
) -> None:
    xml = made("comment-in-nameid", context(now, idp_pair, attacker_pair))

    assert re.search(rb"<NameID[^>]*>B\.Simon@contoso\.com<!---->\.evil\.example</NameID>", xml)


@pytest.mark.parametrize(
    "name", [c.name for c in CATALOGUE if c.recipe.serialize and c.section == "D"]
)
def test_dtd_cases_start_with_a_doctype(
    name: str, now: datetime, idp_pair: SigningPair, attacker_pair: SigningPair
) -> None:
    assert made(name, context(now, idp_pair, attacker_pair)).startswith(b"<!DOCTYPE ")


@pytest.mark.parametrize(("name", "size"), [("deflated", None), ("deflate-bomb", 20 << 20)])
def test_deflated_cases_inflate_to_the_response(
    name: str, size: int | None, now: datetime, idp_pair: SigningPair, attacker_pair: SigningPair
) -> None:
    built = build(get(name), context(now, idp_pair, attacker_pair), profile="assertion")
    raw = base64.b64decode(built.saml_response)

    assert not raw.startswith(b"<")
    assert zlib.decompress(raw, -15) == built.xml
    if size:
        assert len(built.xml) == size and len(raw) < 64 * 1024


@pytest.mark.parametrize(("name", "size"), [("oversized-response", 300), ("oversized-post", 600)])
def test_oversized_cases_have_their_size(
    name: str, size: int, now: datetime, idp_pair: SigningPair, attacker_pair: SigningPair
) -> None:
    assert len(made(name, context(now, idp_pair, attacker_pair))) == size * 1024


def test_every_case_is_named_sourced_and_judged() -> None:
    assert len(BY_NAME) == len(CATALOGUE) > 80
    for case in CATALOGUE:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9+]+)*", case.name), case.name
        assert case.description and case.source and case.profiles
        assert (case.expected.verdict == "reject") == (case.expected.refusal is not None)
        assert case.needs_test_mode == (case.delivery == "capture")
