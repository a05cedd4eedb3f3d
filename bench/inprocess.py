"""In-process benchmarks: the mock's signing path and the SP's verification path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from bench.stats import Goal, Result, Row, paired, ratio_row
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


def sp_verification() -> Row:
    """The SP's whole check of one response (gate, pysaml2 with the in-process signature
    backend, exact checks) vs python3-saml strict on the same bytes."""
    from bench.peers.python3_saml import verifier
    from sp.saml import checks, gate
    from sp.saml.client import SamlClient
    from sp.saml.identity import IdpSettings
    from sp.saml.settings import SpEndpoints

    now = datetime.now(UTC)
    _app, issue = _tenant_and_issue(now)
    tenant_id = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
    idp = IdpSettings(
        sso_url=f"http://127.0.0.1:8001/{tenant_id}/saml2",
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

    def ours() -> str:
        admitted = gate.admit(saml_response)
        verified = client.verify(admitted.b64, outstanding)
        checks.check(verified, expected)
        return verified.assertion.name_id

    python3_saml = verifier(
        saml_response,
        request_id="id-bench",
        host="localhost:8000",
        idp_entity_id=idp.entity_id,
        sso_url=idp.sso_url,
    )
    assert ours() == python3_saml() == "B.Simon@contoso.com"  # both accept, same identity
    result = paired("ours", ours, "python3-saml strict", python3_saml, rounds=7, repeat=10)
    return ratio_row(
        result,
        "SP: verify one Entra response (gate + pysaml2 + checks) vs python3-saml strict",
        Goal("<=", 3.0, "≤ 3× (stretch ≤ 1.5×)"),
    )


def authn_request_url(sp_url: str, idp_url: str) -> str:
    """The mock's /saml2 URL carrying a real AuthnRequest from the SP (built in-process)."""
    import tempfile

    from sp.app import create_app
    from sp.config import SpConfig
    from sp.db import get_db
    from sp.seed import DEFAULT_SEED, load_seed

    folder = tempfile.mkdtemp(prefix="bench-")
    app = create_app(
        SpConfig(base_url=sp_url, database_url=f"sqlite:///{folder}/sp.sqlite3", secret_key="b")
    )
    with app.app_context():
        load_seed(
            get_db(),
            DEFAULT_SEED,
            substitutions={"IDP_URL": idp_url, "CERTS_DIR": str(ROOT / "certs")},
            now=datetime.now(UTC),
        )
    response = app.test_client().get("/auth/saml/?namespace=contoso")
    assert response.status_code == 302, response.text
    return str(response.headers["Location"])
