"""The tenant as code: export, load and reset give back the same tenant, keys included."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from mock_idp.admin import assignments, claims_config, directory, gallery, token_signing
from mock_idp.admin.claims_config import ClaimDraft
from mock_idp.admin.directory import UserDraft
from mock_idp.admin.export import export_toml, tenant_document
from mock_idp.app import create_app
from mock_idp.config import DEFAULT_TENANT, TENANTS_DIR, IdpConfig
from mock_idp.protocol.claims import PERSISTENT_FORMAT
from mock_idp.state import IdpState
from mock_idp.tenant import Tenant, TenantConfigError, load_tenant, parse_tenant

ROOT = Path(__file__).resolve().parents[2]
SUBS = {
    "SP_URL": "http://localhost:8000",
    "IDP_URL": "http://127.0.0.1:8001",
    "CERTS_DIR": str(ROOT / "certs"),
}
TRAKSTAR_ID = "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60"
TOKEN = {"Authorization": "Bearer tests-token"}


def guids():  # type: ignore[no-untyped-def]
    counter = iter(range(1, 1000))
    return lambda: f"00000000-0000-4000-8000-{next(counter):012d}"


def reload(tenant: Tenant, now: datetime) -> Tenant:
    return parse_tenant(
        export_toml(tenant, now=now), source="export", base=TENANTS_DIR, substitutions=SUBS, now=now
    )


def private_numbers(tenant: Tenant) -> list[int]:
    return [c.pair.key.private_numbers().d for a in tenant.apps.values() for c in a.certificates]


def busy_tenant(now: datetime) -> Tenant:
    """The default tenant after an afternoon in the admin center."""
    tenant = load_tenant(DEFAULT_TENANT, substitutions=SUBS, now=now)
    new_guid = guids()
    wiki = gallery.add_non_gallery(tenant, "Contoso Wiki", now=now, new_guid=new_guid)
    wiki.identifiers, wiki.reply_urls, wiki.relay_state = (
        ["urn:wiki"],
        ["https://wiki.contoso.com/acs"],
        "/home",
    )
    token_signing.new_certificate(
        wiki, now=now, expires=now + timedelta(days=30), subject="CN=Wiki next"
    )
    token_signing.set_options(wiki, option="both", algorithm="sha1")
    claims_config.set_name_id(wiki, source="user.mail", name_id_format=PERSISTENT_FORMAT)
    claims_config.add_claim(
        wiki, ClaimDraft(name="dept", namespace="https://contoso.com", source="user.surname")
    )
    claims_config.add_group_claim(wiki)
    pilot = directory.create_group(tenant, "Wiki pilot", "Early users", new_guid=new_guid)
    adele = directory.user(tenant, "Adele.Vance@contoso.com")
    directory.add_members(pilot, [adele])
    assignments.assign(tenant, wiki, pilot.object_id)
    pat = directory.create_user(
        tenant,
        UserDraft(upn="Pat@contoso.com", display_name="Pat", password="Str0ng-Pass", enabled=False),
        new_guid=new_guid,
    )
    pat.groups = ("ffffffff-0000-4000-8000-000000000001",)  # an ID with no [[groups]] entry
    trakstar = tenant.apps[TRAKSTAR_ID]
    trakstar.visible, trakstar.sso_mode = False, ""
    token_signing.activate(
        trakstar, token_signing.new_certificate(trakstar, now=now).pair.thumbprint
    )
    return tenant


def test_the_default_tenant_round_trips(now: datetime) -> None:
    tenant = load_tenant(DEFAULT_TENANT, substitutions=SUBS, now=now)
    again = reload(tenant, now)
    assert tenant_document(again) == tenant_document(tenant)
    assert private_numbers(again) == private_numbers(tenant)


def test_a_changed_tenant_round_trips_with_its_generated_keys(now: datetime) -> None:
    tenant = busy_tenant(now)
    again = reload(tenant, now)

    assert tenant_document(again) == tenant_document(tenant)
    assert private_numbers(again) == private_numbers(tenant)
    assert again.apps[TRAKSTAR_ID].active_certificate.pair.thumbprint == (
        tenant.apps[TRAKSTAR_ID].active_certificate.pair.thumbprint
    )
    assert export_toml(again, now=now) == export_toml(tenant, now=now)


def test_an_exported_file_starts_the_mock(now: datetime, tmp_path: Path) -> None:
    path = tmp_path / "tenant.toml"
    path.write_text(export_toml(busy_tenant(now), now=now))
    app = create_app(IdpConfig(tenant_file=path, certs_dir=ROOT / "certs", secret_key="t"))
    state: IdpState = app.extensions["mock_idp"]
    assert {a.name for a in state.tenant.apps.values()} == {"Trakstar", "Contoso Wiki"}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[tenant]\nname='x'\ndomain='x.com'", "missing field 'id'"),
        ("[tenant]\nid='nope'\nname='x'\ndomain='x.com'", "badly formed hexadecimal UUID"),
        ("[tenant", "Expected"),
        (
            "[tenant]\nid='8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14'\nname='x'\ndomain='x.com'\n"
            "[[users]]\nupn='a@x.com'\npassword='p'\n[[users]]\nupn='A@x.com'\npassword='p'",
            "two users have the userPrincipalName 'A@x.com'",
        ),
        (
            "[tenant]\nid='8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14'\nname='x'\ndomain='x.com'\n"
            "[[apps]]\nname='a'\nidentifiers=['urn:a']\n[[apps]]\nname='b'\nidentifiers=['urn:a']",
            "two apps have the Identifier 'urn:a'",
        ),
        (
            "[tenant]\nid='8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14'\nname='x'\ndomain='x.com'\n"
            "[[apps]]\nname='a'\n"
            "certificates=[{generate=true, active=true}, {generate=true, active=true}]",
            "more than one active certificate",
        ),
        (
            "[tenant]\nid='8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14'\nname='x'\ndomain='x.com'\n"
            "[[groups]]\ndisplay_name='g'\nmembers=['nobody@x.com']",
            "unknown member 'nobody@x.com'",
        ),
    ],
)
def test_bad_tenant_files_say_what_is_wrong(now: datetime, toml: str, message: str) -> None:
    with pytest.raises(TenantConfigError, match=message):
        parse_tenant(toml, source="t.toml", base=TENANTS_DIR, substitutions=SUBS, now=now)


@pytest.fixture
def idp() -> Flask:
    config = IdpConfig(
        base_url="http://127.0.0.1:8001",
        sp_url="http://localhost:8000",
        certs_dir=ROOT / "certs",
        secret_key="tests",
        api_token="tests-token",
    )
    return create_app(config)


def test_reset_endpoint_restores_an_exported_tenant(idp: Flask) -> None:
    client, state = idp.test_client(), idp.extensions["mock_idp"]
    exported = client.get("/mock/tenant", headers=TOKEN)
    assert exported.status_code == 200 and exported.mimetype == "application/toml"
    before = tenant_document(state.tenant)

    emptied = client.post("/mock/tenant/reset?file=empty.toml", headers=TOKEN)
    assert emptied.json == {
        "source": "empty.toml",
        "tenant": {
            "id": "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14",
            "name": "Contoso",
            "domain": "contoso.com",
        },
        "users": 0,
        "groups": 0,
        "apps": 0,
    }
    restored = client.post(
        "/mock/tenant/reset",
        headers={**TOKEN, "Content-Type": "application/toml"},
        data=exported.data,
    )
    assert restored.status_code == 200 and restored.json["source"] == "the uploaded tenant file"
    assert tenant_document(state.tenant) == before


def test_a_refused_reset_changes_nothing(idp: Flask) -> None:
    client, state = idp.test_client(), idp.extensions["mock_idp"]
    tenant = state.tenant
    unknown = client.post("/mock/tenant/reset?file=../../etc/passwd", headers=TOKEN)
    assert unknown.status_code == 404
    assert "There is no packaged tenant file '../../etc/passwd'" in unknown.json["error"]["message"]
    bad = client.post("/mock/tenant/reset", headers=TOKEN, data=b"[tenant]\nid = 1")
    assert bad.status_code == 400 and "does not load" in bad.json["error"]["message"]
    not_text = client.post("/mock/tenant/reset", headers=TOKEN, data=b"\xff\xfe")
    assert not_text.status_code == 400 and "UTF-8" in not_text.json["error"]["message"]
    assert state.tenant is tenant
    assert client.post("/mock/tenant/reset", data=b"").status_code == 401


def test_reset_without_a_body_goes_back_to_the_startup_file(idp: Flask) -> None:
    client, state = idp.test_client(), idp.extensions["mock_idp"]
    state.tenant.apps[TRAKSTAR_ID].reply_urls = ["https://changed.example/acs"]
    response = client.post("/mock/tenant/reset", headers=TOKEN)
    assert response.json["source"] == str(DEFAULT_TENANT)
    assert state.tenant.apps[TRAKSTAR_ID].reply_urls == [
        "http://localhost:8000/auth/saml/callback?namespace=contoso"
    ]
    files = client.get("/mock/tenant/files", headers=TOKEN).json
    assert {"default.toml", "empty.toml"} <= set(files["packaged"])
