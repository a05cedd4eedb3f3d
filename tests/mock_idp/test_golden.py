"""Golden files: the exact wire XML of every variant the mock emits, with a fixed clock and IDs.

Signatures are deterministic (RSA PKCS#1 v1.5) but the signing key is generated per machine, so
`SignatureValue` and `X509Certificate` are masked, and so is a `DigestValue` whose signed element
contains a masked value (the metadata, and the Response when the Assertion inside is signed too).
Every other byte is pinned, including the other DigestValues.

Regenerate after an intended change, then review `git diff tests/data/golden/`:

    UPDATE_GOLDENS=1 .venv/bin/pytest tests/mock_idp/test_golden.py
"""

from __future__ import annotations

import base64
import difflib
import itertools
import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from mock_idp import sso
from mock_idp.certificates import SigningPair
from mock_idp.protocol import errors
from mock_idp.protocol.logout import build_logout_request, build_logout_response
from mock_idp.protocol.metadata import MetadataSpec, build_metadata, to_document
from mock_idp.protocol.signing import Signer
from mock_idp.protocol.xml import DS, to_bytes
from mock_idp.sessions import PendingSignIn, SignedInUser
from mock_idp.state import IdpState

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "golden"
MASK = "MASKED"
TRAKSTAR = "https://perform.trakstar.com"
ACS = "http://localhost:8000/auth/saml/callback?namespace=contoso"


def ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"_00000000-0000-4000-8000-{next(counter):012d}"


def masked(wire: bytes) -> str:
    """The wire text with the per-machine values masked (see the module docstring)."""
    root = etree.fromstring(wire)
    digests = []
    for signature in root.iter(f"{{{DS}}}Signature"):
        signed = signature.getparent()
        inside = [
            e
            for e in signed.iter(f"{{{DS}}}SignatureValue", f"{{{DS}}}X509Certificate")
            if signature not in e.iterancestors()
        ]
        digests.append(bool(inside))
    text = wire.decode("utf-8")
    for tag in ("SignatureValue", "X509Certificate"):
        text = re.sub(rf"<{tag}>[^<]*</{tag}>", f"<{tag}>{MASK}</{tag}>", text)
    counter = itertools.count()
    return re.sub(
        r"<DigestValue>[^<]*</DigestValue>",
        lambda m: f"<DigestValue>{MASK}</DigestValue>" if digests[next(counter)] else m.group(0),
        text,
    )


def pretty(text: str) -> list[str]:
    parser = etree.XMLParser(remove_blank_text=True)
    body = text.split("?>", 1)[1] if text.startswith("<?xml") else text
    element = etree.fromstring(body.encode(), parser)
    return etree.tostring(element, pretty_print=True, encoding="unicode").splitlines()


def check_golden(name: str, wire: bytes) -> None:
    path = GOLDEN / name
    actual = masked(wire) + "\n"
    if os.environ.get("UPDATE_GOLDENS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"{path} missing: run with UPDATE_GOLDENS=1"
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "\n".join(
            difflib.unified_diff(pretty(expected), pretty(actual), "golden", "now", lineterm="")
        )
        pytest.fail(f"{name} differs from its golden file:\n{diff or '(whitespace only)'}")


def response_wire(
    state: IdpState,
    now: datetime,
    *,
    option: str = "assertion",
    algorithm: str = "sha256",
    request_id: str | None = "id-golden-request",
) -> bytes:
    tenant = state.tenant
    app = tenant.app_by_identifier(TRAKSTAR)
    app.signing_option, app.signing_algorithm = option, algorithm  # type: ignore[assignment]
    user = tenant.user_by_upn("B.Simon@contoso.com")
    pending = PendingSignIn(app_id=app.app_id, acs_url=ACS, request_id=request_id)
    signed_in = SignedInUser(object_id=user.object_id, authn_instant=now.replace(hour=7))
    new_id = ids()
    issuance = sso.issuance_for(tenant, app, user, pending, signed_in, new_id=new_id)
    return to_bytes(sso.sign_as_configured(app, issuance, now=now, new_id=new_id))


@pytest.mark.parametrize(
    ("name", "option", "algorithm"),
    [
        ("response-assertion-signed.xml", "assertion", "sha256"),
        ("response-response-signed.xml", "response", "sha256"),
        ("response-both-signed.xml", "both", "sha256"),
        ("response-assertion-signed-sha1.xml", "assertion", "sha1"),
    ],
)
def test_response_variants(
    name: str, option: str, algorithm: str, idp_state: IdpState, now: datetime
) -> None:
    check_golden(name, response_wire(idp_state, now, option=option, algorithm=algorithm))


def test_idp_initiated_response(idp_state: IdpState, now: datetime) -> None:
    check_golden("response-idp-initiated.xml", response_wire(idp_state, now, request_id=None))


def test_error_response(idp_state: IdpState, now: datetime) -> None:
    error = errors.SpNameQualifierUnsupported(
        "An error occurred while processing a SAML2 Authentication request. AADSTS90011: The "
        "SAML authentication request property 'NameIdentifierPolicy/SPNameQualifier' is not "
        "supported.",
        reply=errors.ErrorReply(acs_url=ACS, in_response_to="id-golden-request", relay_state=None),
    )
    form = sso.error_form(
        idp_state.tenant,
        error,
        now=now,
        new_id=ids(),
        trace_id="0000aaaa-11bb-cccc-dd22-eeeeee333333",
    )
    check_golden("response-error.xml", base64.b64decode(form.saml_response))


def test_logout_response(idp_state: IdpState, now: datetime) -> None:
    element = build_logout_response(
        issuer=idp_state.tenant.logout_issuer,
        in_response_to="id-golden-logout",
        now=now,
        new_id=ids(),
    )
    check_golden("logout-response.xml", to_bytes(element))


def test_logout_request(idp_state: IdpState, now: datetime) -> None:
    element = build_logout_request(
        issuer=idp_state.tenant.issuer,
        destination="http://localhost:8000/auth/saml/logout?namespace=contoso",
        name_id="B.Simon@contoso.com",
        session_index="_00000000-0000-4000-8000-000000000001",
        now=now,
        new_id=ids(),
    )
    check_golden("logout-request.xml", to_bytes(element))


def test_metadata(idp_state: IdpState, idp_pair: SigningPair) -> None:
    tenant_id = idp_state.tenant.tenant_id
    spec = MetadataSpec(
        entity_id=idp_state.tenant.issuer,
        saml2_url=f"http://127.0.0.1:8001/{tenant_id}/saml2",
        wsfed_url=f"http://127.0.0.1:8001/{tenant_id}/wsfed",
        certificates_b64=(idp_pair.cert_b64,),
    )
    signed = Signer(pair=idp_pair).sign(build_metadata(spec, new_id=ids()), after=None)
    check_golden("metadata.xml", to_document(signed))


def test_masking_keeps_deterministic_digests(idp_state: IdpState, now: datetime) -> None:
    """Only the assertion-only digest is pinned; it must not change between two runs."""
    first = masked(response_wire(idp_state, now))
    second = masked(response_wire(idp_state, now))
    assert first == second and first.count(MASK) == 2  # SignatureValue, X509Certificate
