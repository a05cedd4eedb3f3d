"""In-process benchmarks: the mock's signing path and the SP's verification path."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from bench.stats import Result, paired
from mock_idp import sso
from mock_idp.config import IdpConfig
from mock_idp.state import entra_id
from mock_idp.tenant_file import load_tenant

ROOT = Path(__file__).resolve().parent.parent
SP_URL = "http://localhost:8000"
ACS = f"{SP_URL}/auth/saml/callback?namespace=contoso"


def _tenant_and_issue(now: datetime) -> tuple[object, Callable[[str], str]]:
    config = IdpConfig(sp_url=SP_URL, certs_dir=ROOT / "certs")
    tenant = load_tenant(config.tenant_file, substitutions=config.substitutions(), now=now)
    app = next(iter(tenant.apps.values()))
    user = tenant.user_by_upn("B.Simon@contoso.com")
    assert user is not None
    signed_in = sso.SignedInUser(object_id=user.object_id, authn_instant=now)

    def issue(request_id: str) -> str:
        pending = sso.PendingSignIn(app_id=app.app_id, acs_url=ACS, request_id=request_id)
        form = sso.issue(
            tenant, app, user, pending, signed_in, now=datetime.now(UTC), new_id=entra_id
        )
        return form.saml_response

    return app, issue


def idp_signing() -> Result:
    """One Entra-shaped response (build, sign, serialise) vs the RSA-2048 signature alone."""
    now = datetime.now(UTC)
    app, issue = _tenant_and_issue(now)
    key = app.active_certificate.pair.key  # type: ignore[attr-defined]
    signed_info = b"x" * 732  # the size of Entra's canonical SignedInfo

    def rsa_only() -> bytes:
        return bytes(key.sign(signed_info, padding.PKCS1v15(), hashes.SHA256()))

    return paired(
        "mock: one signed response",
        lambda: issue("id-bench"),
        "RSA-2048 sign of 732 B (floor)",
        rsa_only,
    )


def sp_verification() -> list[Result]:
    """The SP's whole check (gate, pysaml2, exact checks) vs pysaml2 alone on the same bytes."""
    from sp.saml import checks, gate
    from sp.saml.client import SamlClient
    from sp.saml.identity import IdpSettings
    from sp.saml.settings import SpEndpoints

    now = datetime.now(UTC)
    _app, issue = _tenant_and_issue(now)
    tenant_id = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
    idp = IdpSettings(
        sso_url="http://127.0.0.1:8001/x/saml2",
        entity_id=f"https://sts.windows.net/{tenant_id}/",
        logout_url="",
        certificates=((ROOT / "certs" / "idp-signing.crt").read_text(),),
    )
    client = SamlClient(
        SpEndpoints(
            entity_id="https://perform.trakstar.com",
            acs_url=ACS,
            logout_url=f"{SP_URL}/auth/saml/logout?namespace=contoso",
            xmlsec_binary="/usr/bin/xmlsec1",
            clock_skew_seconds=180,
        ),
        idp,
    )
    saml_response = issue("id-bench")
    outstanding = {"id-bench": "/dashboard"}
    expected = checks.Expected(
        acs_url=ACS,
        entity_id="https://perform.trakstar.com",
        idp_entity_id=idp.entity_id,
        tenant_id=tenant_id,
        pending_ids=outstanding.keys(),
        now=now,
        skew=timedelta(minutes=3),
        max_age=timedelta(minutes=10),
    )

    def ours() -> None:
        admitted = gate.admit(saml_response)
        checks.check(client.verify(admitted.b64, outstanding), expected)

    def pysaml2_alone() -> None:
        client.verify(saml_response, outstanding)

    def gate_only() -> None:
        gate.admit(saml_response)

    return [
        paired(
            "SP: gate + pysaml2 + exact checks",
            ours,
            "pysaml2 alone",
            pysaml2_alone,
            rounds=5,
            repeat=5,
        ),
        paired(
            "SP: input gate alone",
            gate_only,
            "base64 decode of the same response",
            lambda: base64.b64decode(saml_response),
            rounds=5,
            repeat=50,
        ),
    ]
