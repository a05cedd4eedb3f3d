"""A pipeline sets up the tenant from nothing through the API, as the tutorial's admin would by
hand; Trakstar (the SP) is then given the new certificate and B.Simon signs in."""

from __future__ import annotations

import base64
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from mock_idp.app import create_app
from mock_idp.config import IdpConfig
from sp.db import get_db
from sp.models import Organisation, SamlSettings
from tests.flows import is_signed_in, post_to_acs, sign_in_at_idp, start_sp_login

ROOT = Path(__file__).resolve().parents[2]
H = {"Authorization": "Bearer pipeline-token"}
SP_URL = "http://localhost:8000"


def idp_app() -> Flask:
    config = IdpConfig(
        base_url="http://127.0.0.1:8001",
        sp_url=SP_URL,
        certs_dir=ROOT / "certs",
        secret_key="tests",
        api_token="pipeline-token",
    )
    app = create_app(config)
    app.config["WTF_CSRF_ENABLED"] = False  # the sign-in pages' forms; the API needs none
    return app


def ok(response, status: int = 200):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response.json


def set_up_trakstar(api: FlaskClient) -> tuple[str, str]:
    """The tutorial's Entra steps; returns the Base64 certificate and the Login URL."""
    ok(api.post("/mock/tenant/reset?file=empty.toml", headers=H))
    [template] = ok(
        api.get("/v1.0/applicationTemplates?$filter=displayName eq 'Trakstar'", headers=H)
    )["value"]
    created = ok(
        api.post(
            f"/v1.0/applicationTemplates/{template['id']}/instantiate",
            headers=H,
            json={"displayName": "Trakstar"},
        ),
        201,
    )
    app_object, sp = created["application"]["id"], created["servicePrincipal"]["id"]
    ok(
        api.patch(
            f"/v1.0/servicePrincipals/{sp}", headers=H, json={"preferredSingleSignOnMode": "saml"}
        ),
        204,
    )
    urls = {
        "identifierUris": ["https://perform.trakstar.com"],
        "web": {
            "redirectUris": [f"{SP_URL}/auth/saml/callback?namespace=contoso"],
            "logoutUrl": f"{SP_URL}/auth/saml/logout?namespace=contoso",
        },
    }
    ok(api.patch(f"/v1.0/applications/{app_object}", headers=H, json=urls), 204)
    ok(
        api.patch(
            f"/v1.0/servicePrincipals/{sp}",
            headers=H,
            json={"loginUrl": f"{SP_URL}/auth/saml/?namespace=contoso"},
        ),
        204,
    )
    cert = ok(
        api.post(
            f"/v1.0/servicePrincipals/{sp}/addTokenSigningCertificate",
            headers=H,
            json={"displayName": "CN=Trakstar SSO"},
        )
    )
    ok(
        api.patch(
            f"/v1.0/servicePrincipals/{sp}",
            headers=H,
            json={"preferredTokenSigningKeyThumbprint": cert["thumbprint"]},
        ),
        204,
    )
    user = ok(
        api.post(
            "/v1.0/users",
            headers=H,
            json={
                "accountEnabled": True,
                "displayName": "B.Simon",
                "mailNickname": "BSimon",
                "userPrincipalName": "B.Simon@contoso.com",
                "mail": "B.Simon@contoso.com",
                "passwordProfile": {"password": "Passw0rd!"},
            },
        ),
        201,
    )
    ok(
        api.post(
            f"/v1.0/servicePrincipals/{sp}/appRoleAssignedTo",
            headers=H,
            json={"principalId": user["id"], "resourceId": sp},
        ),
        201,
    )
    tenant = ok(api.get("/v1.0/organization", headers=H))["value"][0]["id"]
    return cert["key"], f"http://127.0.0.1:8001/{tenant}/saml2"


def trust(sp_app: Flask, cert_b64: str, login_url: str) -> None:
    """Trakstar's admin pastes the Certificate (Base64) and the Login URL (tutorial step)."""
    lines = [cert_b64[i : i + 64] for i in range(0, len(cert_b64), 64)]
    pem = "\n".join(["-----BEGIN CERTIFICATE-----", *lines, "-----END CERTIFICATE-----", ""])
    with sp_app.app_context():
        db = get_db()
        org = db.scalar(select(Organisation).where(Organisation.namespace == "contoso"))
        assert org is not None
        settings = db.get(SamlSettings, org.id)
        assert settings is not None
        settings.certificate_pem, settings.idp_sso_url = pem, login_url
        db.commit()


def test_a_pipeline_sets_up_trakstar_and_b_simon_signs_in(sp_app: Flask) -> None:
    idp = idp_app()
    api, browser_idp, browser_sp = idp.test_client(), idp.test_client(), sp_app.test_client()
    cert_b64, login_url = set_up_trakstar(api)

    before_trust = sign_in_at_idp(browser_idp, start_sp_login(browser_sp))
    refused = post_to_acs(browser_sp, before_trust.saml_response, before_trust.relay_state)
    assert refused.status_code == 403 and "does not trust" in refused.text  # old cert
    assert not is_signed_in(browser_sp)

    trust(sp_app, cert_b64, login_url)
    posted = sign_in_at_idp(browser_idp, start_sp_login(browser_sp))
    assert post_to_acs(browser_sp, posted.saml_response, posted.relay_state).status_code == 303
    assert is_signed_in(browser_sp)
    signed_with = base64.b64decode(posted.saml_response)
    assert cert_b64.encode() in signed_with  # KeyInfo carries the certificate the pipeline got
