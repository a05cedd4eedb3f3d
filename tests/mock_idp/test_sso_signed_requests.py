"""'Require verification certificates': signed AuthnRequests verified as Entra does (§3)."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from flask.testing import FlaskClient

from mock_idp.certificates import SigningPair
from mock_idp.state import IdpState
from tests.mock_idp.saml_requests import (
    authn_request,
    deflate_b64,
    get,
    logout_request,
    post,
    redirect_query,
    sign_post,
)


@pytest.fixture
def sp_pair(attacker_pair: SigningPair) -> SigningPair:
    """Stands for the SP's request-signing pair (any pair that is not the IdP's)."""
    return attacker_pair


@pytest.fixture
def requires_signatures(idp_state: IdpState, sp_pair: SigningPair) -> None:
    app = idp_state.tenant.app_by_identifier("https://perform.trakstar.com")
    app.require_signed_requests = True
    app.verification_certificates = [sp_pair.cert_pem()]


def goes_to_sign_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and response.headers["Location"].endswith("/login")


def lowercase_signed_query(xml: bytes, pair: SigningPair, relay_state: str) -> str:
    """Signed over lowercase escapes, as .NET senders write them: only a raw-query verifier
    (not one that re-encodes the decoded values) accepts this."""

    def enc(value: str) -> str:
        return "".join(c if c.isalnum() or c in "-_.~" else f"%{ord(c):02x}" for c in value)

    signed = (
        f"SAMLRequest={enc(deflate_b64(xml))}&RelayState={enc(relay_state)}"
        f"&SigAlg={enc('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')}"
    )
    signature = pair.key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signed}&Signature={enc(base64.b64encode(signature).decode())}"


@pytest.mark.usefixtures("requires_signatures")
def test_a_signed_redirect_request_is_accepted(idp: FlaskClient, sp_pair: SigningPair) -> None:
    query = redirect_query(authn_request(), relay_state="/dashboard", sign_with=sp_pair)
    assert goes_to_sign_in(get(idp, query))


@pytest.mark.usefixtures("requires_signatures")
def test_the_signature_is_checked_over_the_raw_query(
    idp: FlaskClient, sp_pair: SigningPair
) -> None:
    query = lowercase_signed_query(authn_request(), sp_pair, "/goals/1?tab=all")
    assert "%2f" in query and "%2F" not in query
    assert goes_to_sign_in(get(idp, query))


@pytest.mark.usefixtures("requires_signatures")
def test_a_changed_relay_state_breaks_the_signature(idp: FlaskClient, sp_pair: SigningPair) -> None:
    query = redirect_query(authn_request(), relay_state="/dashboard", sign_with=sp_pair)
    response = get(idp, query.replace("RelayState=%2Fdashboard", "RelayState=%2Fadmin"))
    assert response.status_code == 400 and "AADSTS76021" in response.text


@pytest.mark.usefixtures("requires_signatures")
def test_rsa_sha1_is_refused(idp: FlaskClient, sp_pair: SigningPair) -> None:
    sig_alg = quote("http://www.w3.org/2000/09/xmldsig#rsa-sha1", safe="")
    signed = f"SAMLRequest={quote(deflate_b64(authn_request()), safe='')}&SigAlg={sig_alg}"
    signature = sp_pair.key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA1())
    query = f"{signed}&Signature={quote(base64.b64encode(signature).decode(), safe='')}"
    response = get(idp, query)
    assert response.status_code == 400 and "AADSTS76021" in response.text


@pytest.mark.usefixtures("requires_signatures")
def test_the_wrong_key_is_refused(
    idp: FlaskClient, idp_pair: SigningPair, sp_pair: SigningPair
) -> None:
    response = get(idp, redirect_query(authn_request(), sign_with=idp_pair))
    assert response.status_code == 400 and "AADSTS76021" in response.text


@pytest.mark.usefixtures("requires_signatures")
def test_a_signed_post_request_is_accepted(idp: FlaskClient, sp_pair: SigningPair) -> None:
    assert goes_to_sign_in(post(idp, sign_post(authn_request(), sp_pair)))


@pytest.mark.usefixtures("requires_signatures")
def test_a_post_request_changed_after_signing_is_refused(
    idp: FlaskClient, sp_pair: SigningPair
) -> None:
    signed = sign_post(authn_request(), sp_pair)
    changed = signed.replace(b"namespace=contoso", b"namespace=contosa")
    assert changed != signed
    response = post(idp, changed)
    assert response.status_code == 400 and "AADSTS76021" in response.text


@pytest.mark.usefixtures("requires_signatures")
def test_a_logout_request_must_be_signed_too(idp: FlaskClient, sp_pair: SigningPair) -> None:
    unsigned = get(idp, redirect_query(logout_request()))
    assert unsigned.status_code == 400 and "AADSTS76021" in unsigned.text
    signed = get(idp, redirect_query(logout_request(), sign_with=sp_pair))
    assert signed.status_code == 302


def test_without_the_setting_signatures_are_ignored(idp: FlaskClient, sp_pair: SigningPair) -> None:
    garbage = redirect_query(authn_request(), extra="SigAlg=x&Signature=bm90LWEtc2ln")
    assert goes_to_sign_in(get(idp, garbage))
    assert goes_to_sign_in(get(idp, redirect_query(authn_request(), sign_with=sp_pair)))
