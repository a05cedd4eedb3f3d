"""The automation API: Graph's shapes, a bearer token, clear 4xx errors, no change on error."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from flask import Flask
from flask.testing import FlaskClient

from mock_idp import sso
from mock_idp.admin.export import tenant_document
from mock_idp.app import create_app
from mock_idp.config import IdpConfig
from mock_idp.state import IdpState

ROOT = Path(__file__).resolve().parents[2]
H = {"Authorization": "Bearer tests-token"}
TRAKSTAR_APP_ID = "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60"
TRAKSTAR_TEMPLATE = "4b1d7c8e-2f3a-4e5b-9c6d-7a8b9c0d1e2f"
ADELE = "c1b7f0e2-9d4a-4a36-8e15-7f2b3c6d8e90"
NEW_USER = {
    "accountEnabled": True,
    "displayName": "Pat Lee",
    "mailNickname": "Pat.Lee",
    "userPrincipalName": "Pat.Lee@contoso.com",
    "passwordProfile": {"forceChangePasswordNextSignIn": False, "password": "Str0ng-Pass"},
}


@pytest.fixture
def idp() -> Flask:
    # CSRF stays on: the API must work without form tokens.
    config = IdpConfig(
        base_url="http://127.0.0.1:8001",
        sp_url="http://localhost:8000",
        certs_dir=ROOT / "certs",
        secret_key="tests",
        api_token="tests-token",
    )
    return create_app(config)


@pytest.fixture
def client(idp: Flask) -> FlaskClient:
    return idp.test_client()


@pytest.fixture
def unchanged(idp: Flask) -> Iterator[None]:
    """The test's refused calls must leave the tenant exactly as it was."""
    state: IdpState = idp.extensions["mock_idp"]
    before = tenant_document(state.tenant)
    yield
    assert tenant_document(state.tenant) == before


def state_of(idp: Flask) -> IdpState:
    state: IdpState = idp.extensions["mock_idp"]
    return state


def error_of(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert set(response.json) == {"error"} and set(response.json["error"]) == {"code", "message"}
    return str(response.json["error"]["message"])


def sp_id(client: FlaskClient, app_id: str = TRAKSTAR_APP_ID) -> str:
    found = client.get(f"/v1.0/servicePrincipals?$filter=appId eq '{app_id}'", headers=H).json[
        "value"
    ]
    return str(found[0]["id"])


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic dGVzdHM="},
    ],
)
def test_every_call_needs_the_token(
    client: FlaskClient, unchanged: None, headers: dict[str, str]
) -> None:
    for method, path in [
        ("get", "/v1.0/users"),
        ("post", "/v1.0/users"),
        ("post", "/mock/tenant/reset"),
        ("get", "/v1.0/nothing"),
    ]:
        response = getattr(client, method)(path, headers=headers, json=NEW_USER)
        assert error_of(response, 401)
        assert response.json["error"]["code"] == "InvalidAuthenticationToken"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_create_a_user_who_can_then_sign_in(client: FlaskClient, idp: Flask) -> None:
    response = client.post("/v1.0/users", headers=H, json=NEW_USER)
    assert response.status_code == 201
    assert response.json["userPrincipalName"] == "Pat.Lee@contoso.com"
    assert response.json["@odata.context"].endswith("/v1.0/$metadata#users/$entity")
    user = sso.authenticate(state_of(idp).tenant, "Pat.Lee@contoso.com", "Str0ng-Pass")
    assert user.object_id == response.json["id"]
    by_upn = client.get("/v1.0/users/pat.lee@contoso.com", headers=H).json
    assert by_upn["id"] == user.object_id


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"mailNickname": None}, 400, "Property 'mailNickname' is required"),
        ({"accountEnabled": "yes"}, 400, "'accountEnabled' on 'user' must be true or false"),
        ({"jobTitle": "CEO"}, 400, "Property 'jobTitle' is not supported"),
        ({"passwordProfile": {"password": "weak"}}, 400, "password complexity"),
        ({"userPrincipalName": "B.Simon@contoso.com"}, 400, "userPrincipalName already exists"),
        ({"userPrincipalName": "Pat@fabrikam.com"}, 400, "verified domain names"),
    ],
)
def test_bad_users_are_refused_clearly(
    client: FlaskClient, unchanged: None, change: dict[str, Any], status: int, message: str
) -> None:
    body = {k: v for k, v in {**NEW_USER, **change}.items() if v is not None}
    assert message in error_of(client.post("/v1.0/users", headers=H, json=body), status)


@pytest.mark.parametrize("upn", ["admin@contoso.com", "ADMIN@contoso.com"])
def test_no_user_is_renamed_onto_the_admin(client: FlaskClient, unchanged: None, upn: str) -> None:
    """The admin is a directory object: a user renamed onto its UPN would carry the admin's
    name in every token (security round two, finding 1)."""
    renamed = client.patch(f"/v1.0/users/{ADELE}", headers=H, json={"userPrincipalName": upn})
    assert "userPrincipalName already exists" in error_of(renamed, 400)
    created = client.post("/v1.0/users", headers=H, json={**NEW_USER, "userPrincipalName": upn})
    assert "userPrincipalName already exists" in error_of(created, 400)


def test_unreadable_json_is_refused(client: FlaskClient, unchanged: None) -> None:
    response = client.post(
        "/v1.0/users", headers={**H, "Content-Type": "application/json"}, data=b"{nope"
    )
    assert "Unable to read JSON request payload" in error_of(response, 400)
    assert "must be a JSON object" in error_of(client.post("/v1.0/users", headers=H, json=[1]), 400)


def test_patch_and_delete_a_user(client: FlaskClient, idp: Flask) -> None:
    assert (
        client.patch(
            f"/v1.0/users/{ADELE}", headers=H, json={"accountEnabled": False, "surname": None}
        ).status_code
        == 204
    )
    adele = state_of(idp).tenant.users[ADELE]
    assert (adele.enabled, adele.surname) == (False, "")
    assert client.delete(f"/v1.0/users/{ADELE}", headers=H).status_code == 204
    assert "does not exist" in error_of(client.get(f"/v1.0/users/{ADELE}", headers=H), 404)


def test_a_patch_with_one_bad_value_changes_nothing(client: FlaskClient, unchanged: None) -> None:
    response = client.patch(
        f"/v1.0/users/{ADELE}", headers=H, json={"displayName": "A", "mail": "nope"}
    )
    assert "not a valid email address" in error_of(response, 400)


def test_groups_members_and_group_assignment(client: FlaskClient, idp: Flask) -> None:
    group = client.post(
        "/v1.0/groups",
        headers=H,
        json={
            "displayName": "Trakstar users",
            "mailEnabled": False,
            "mailNickname": "tu",
            "securityEnabled": True,
        },
    )
    assert group.status_code == 201
    gid = group.json["id"]
    ref = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{ADELE}"}
    assert client.post(f"/v1.0/groups/{gid}/members/$ref", headers=H, json=ref).status_code == 204
    assert "already a member" in error_of(
        client.post(f"/v1.0/groups/{gid}/members/$ref", headers=H, json=ref), 400
    )
    assert [
        m["id"] for m in client.get(f"/v1.0/groups/{gid}/members", headers=H).json["value"]
    ] == [ADELE]

    sp = sp_id(client)
    assigned = client.post(
        f"/v1.0/servicePrincipals/{sp}/appRoleAssignedTo",
        headers=H,
        json={
            "principalId": gid,
            "resourceId": sp,
            "appRoleId": "00000000-0000-0000-0000-000000000000",
        },
    )
    assert assigned.status_code == 201 and assigned.json["principalType"] == "Group"
    tenant = state_of(idp).tenant
    sso.authorize(tenant.apps[TRAKSTAR_APP_ID], tenant.users[ADELE])  # in through the group

    assert client.delete(f"/v1.0/groups/{gid}/members/{ADELE}/$ref", headers=H).status_code == 204
    assert not tenant.apps[TRAKSTAR_APP_ID].is_assigned(tenant.users[ADELE])


def test_templates_are_found_by_display_name(client: FlaskClient, unchanged: None) -> None:
    found = client.get(
        "/v1.0/applicationTemplates?$filter=displayName eq 'trakstar'", headers=H
    ).json["value"]
    assert [t["id"] for t in found] == [TRAKSTAR_TEMPLATE]
    assert found[0]["supportedSingleSignOnModes"] == ["saml"]
    message = error_of(
        client.get("/v1.0/applicationTemplates?$filter=startswith(displayName,'T')", headers=H), 400
    )
    assert "Unsupported query" in message


def test_trakstar_is_instantiated_once_non_gallery_apps_any_number(
    client: FlaskClient, idp: Flask
) -> None:
    again = client.post(
        f"/v1.0/applicationTemplates/{TRAKSTAR_TEMPLATE}/instantiate",
        headers=H,
        json={"displayName": "Trakstar 2"},
    )
    assert "only one instance of Trakstar" in error_of(again, 400)
    assert again.json["error"]["code"] == "Request_MultipleObjectsWithSameKeyValue"
    custom = client.post(
        "/v1.0/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate",
        headers=H,
        json={"displayName": "Wiki"},
    )
    assert custom.status_code == 201
    application, principal = custom.json["application"], custom.json["servicePrincipal"]
    assert application["appId"] == principal["appId"] and application["identifierUris"] == []
    assert principal["preferredSingleSignOnMode"] is None
    assert [k["usage"] for k in principal["keyCredentials"]] == ["Sign", "Verify"]
    unknown = client.post(
        "/v1.0/applicationTemplates/00000000-0000-0000-0000-000000000001/instantiate",
        headers=H,
        json={"displayName": "X"},
    )
    assert error_of(unknown, 404)
    assert len(state_of(idp).tenant.apps) == 2


def test_basic_saml_configuration_through_the_application(client: FlaskClient, idp: Flask) -> None:
    app = state_of(idp).tenant.apps[TRAKSTAR_APP_ID]
    object_id = app.application_object_id
    acs = "https://perform.trakstar.com/auth/saml/callback?namespace=contoso"
    body = {
        "web": {"redirectUris": [acs], "logoutUrl": "https://perform.trakstar.com/auth/saml/logout"}
    }
    assert client.patch(f"/v1.0/applications/{object_id}", headers=H, json=body).status_code == 204
    assert app.reply_urls == [acs]
    assert client.get(f"/v1.0/applications/{object_id}", headers=H).json["web"]["redirectUris"] == [
        acs
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"identifierUris": ["https://perform.trakstar.com/other"]}, "fixed value"),
        (
            {"web": {"redirectUris": ["http://perform.example.com/acs"]}},
            "http is accepted only for localhost",
        ),
        (
            {
                "web": {
                    "redirectUris": [
                        "https://perform.trakstar.com/auth/saml/callback?namespace=<YOUR_NAMESPACE>"
                    ]
                }
            },
            "placeholder",
        ),
        ({"web": {"redirectUris": "https://a.example/acs"}}, "must be an array of strings"),
        ({"web": {"homePageUrl": "https://a.example/"}}, "'homePageUrl' is not supported"),
        ({"displayName": "", "web": {"redirectUris": ["https://a.example/acs"]}}, "Enter a name"),
    ],
)
def test_bad_application_patches_change_nothing(
    client: FlaskClient, idp: Flask, unchanged: None, body: dict[str, Any], message: str
) -> None:
    object_id = state_of(idp).tenant.apps[TRAKSTAR_APP_ID].application_object_id
    assert message in error_of(
        client.patch(f"/v1.0/applications/{object_id}", headers=H, json=body), 400
    )


def test_service_principal_patch(client: FlaskClient, idp: Flask) -> None:
    app, sp = state_of(idp).tenant.apps[TRAKSTAR_APP_ID], sp_id(client)
    body = {
        "preferredSingleSignOnMode": "saml",
        "loginUrl": None,
        "samlSingleSignOnSettings": {"relayState": "/goals"},
        "appRoleAssignmentRequired": False,
        "tags": ["WindowsAzureActiveDirectoryIntegratedApp", "HideApp"],
    }
    assert client.patch(f"/v1.0/servicePrincipals/{sp}", headers=H, json=body).status_code == 204
    assert (app.sign_on_url, app.relay_state, app.assignment_required, app.visible) == (
        "",
        "/goals",
        False,
        False,
    )
    shown = client.get(f"/v1.0/servicePrincipals/{sp}", headers=H).json
    assert shown["loginUrl"] is None and "HideApp" in shown["tags"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (
            {"loginUrl": "https://ok.example/", "preferredSingleSignOnMode": "oidc"},
            400,
            "'oidc' is not supported",
        ),
        ({"loginUrl": "ftp://x"}, 400, "not an absolute URL"),
        ({"preferredTokenSigningKeyThumbprint": "00"}, 404, "no certificate with thumbprint '00'"),
        ({"accountEnabled": None}, 400, "must be true or false"),
        ({"samlSingleSignOnSettings": {"relayState": "x" * 300}}, 400, "at most 256"),
    ],
)
def test_bad_service_principal_patches_change_nothing(
    client: FlaskClient, unchanged: None, body: dict[str, Any], status: int, message: str
) -> None:
    sp = sp_id(client)
    assert message in error_of(
        client.patch(f"/v1.0/servicePrincipals/{sp}", headers=H, json=body), status
    )


def test_add_token_signing_certificate_then_activate_it(client: FlaskClient, idp: Flask) -> None:
    app, sp = state_of(idp).tenant.apps[TRAKSTAR_APP_ID], sp_id(client)
    old = app.active_certificate.pair.thumbprint
    response = client.post(
        f"/v1.0/servicePrincipals/{sp}/addTokenSigningCertificate",
        headers=H,
        json={"displayName": "CN=Trakstar 2026"},
    )
    assert response.status_code == 200
    new = response.json
    cert = x509.load_der_x509_certificate(base64.b64decode(new["key"]))
    assert cert.subject.rfc4514_string() == "CN=Trakstar 2026"
    assert new["type"] == "AsymmetricX509Cert" and new["usage"] == "Verify"
    assert app.active_certificate.pair.thumbprint == old  # Inactive until activated

    activate = {"preferredTokenSigningKeyThumbprint": new["thumbprint"].lower()}
    assert (
        client.patch(f"/v1.0/servicePrincipals/{sp}", headers=H, json=activate).status_code == 204
    )
    assert app.active_certificate.pair.thumbprint == new["thumbprint"]
    shown = client.get(f"/v1.0/servicePrincipals/{sp}", headers=H).json
    assert shown["preferredTokenSigningKeyThumbprint"] == new["thumbprint"]
    assert len(shown["keyCredentials"]) == 4  # Sign and Verify for each of the two
    assert len(shown["passwordCredentials"]) == 2
    added = [k for k in shown["keyCredentials"] if k["displayName"] == "CN=Trakstar 2026"]
    assert sorted(k["usage"] for k in added) == ["Sign", "Verify"]
    assert {k["customKeyIdentifier"] for k in added} == {
        p["customKeyIdentifier"]
        for p in shown["passwordCredentials"]
        if p["displayName"] == "CN=Trakstar 2026"
    }
    sign = next(k for k in added if k["usage"] == "Sign")
    assert sign["keyId"] in {p["keyId"] for p in shown["passwordCredentials"]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Property 'displayName' is required"),
        ({"displayName": "Trakstar"}, "must start with 'CN='"),
        ({"displayName": "CN=x", "endDateTime": "2999-01-01T00:00:00Z"}, "at most three years"),
        ({"displayName": "CN=x", "endDateTime": "soon"}, "not an ISO 8601"),
    ],
)
def test_bad_certificate_requests_change_nothing(
    client: FlaskClient, unchanged: None, body: dict[str, Any], message: str
) -> None:
    response = client.post(
        f"/v1.0/servicePrincipals/{sp_id(client)}/addTokenSigningCertificate", headers=H, json=body
    )
    assert message in error_of(response, 400)


def test_assign_and_unassign_a_user(client: FlaskClient, idp: Flask) -> None:
    sp = sp_id(client)
    body = {
        "principalId": ADELE,
        "resourceId": sp,
        "appRoleId": "00000000-0000-0000-0000-000000000000",
    }
    created = client.post(f"/v1.0/servicePrincipals/{sp}/appRoleAssignedTo", headers=H, json=body)
    assert created.status_code == 201 and created.json["principalDisplayName"] == "Adele Vance"
    assert "already exists" in error_of(
        client.post(f"/v1.0/servicePrincipals/{sp}/appRoleAssignedTo", headers=H, json=body), 400
    )
    listed = client.get(f"/v1.0/servicePrincipals/{sp}/appRoleAssignedTo", headers=H).json["value"]
    assert ADELE in {a["principalId"] for a in listed}
    assert (
        client.delete(
            f"/v1.0/servicePrincipals/{sp}/appRoleAssignedTo/{created.json['id']}", headers=H
        ).status_code
        == 204
    )
    assert error_of(
        client.delete(f"/v1.0/servicePrincipals/{sp}/appRoleAssignedTo/{ADELE}", headers=H), 404
    )


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        (
            {"resourceId": "11111111-1111-1111-1111-111111111111"},
            400,
            "must be this service principal's id",
        ),
        (
            {"appRoleId": "11111111-1111-1111-1111-111111111111"},
            400,
            "Permission being assigned was not found",
        ),
        ({"principalId": "11111111-1111-1111-1111-111111111111"}, 404, "No user or group"),
    ],
)
def test_bad_assignments_change_nothing(
    client: FlaskClient, unchanged: None, change: dict[str, str], status: int, message: str
) -> None:
    sp = sp_id(client)
    body = {"principalId": ADELE, "resourceId": sp, **change}
    assert message in error_of(
        client.post(f"/v1.0/servicePrincipals/{sp}/appRoleAssignedTo", headers=H, json=body), status
    )


def test_unknown_paths_and_methods(client: FlaskClient, unchanged: None) -> None:
    assert "Resource not found for the segment 'me'" in error_of(
        client.get("/v1.0/me", headers=H), 400
    )
    assert "HTTP method is not allowed" in error_of(
        client.put("/v1.0/users", headers=H, json={}), 405
    )
    assert error_of(client.get("/v1.0/servicePrincipals/nope", headers=H), 404)
