"""The admin center through its pages: sign-in, CSRF, the gallery-to-SAML flow, errors shown on
the page being edited, assignments, Test this application and My Apps."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from mock_idp.app import create_app
from mock_idp.config import TENANTS_DIR, IdpConfig
from mock_idp.state import IdpState
from tests.flows import answer_kmsi, parse_post_page

ROOT = Path(__file__).resolve().parents[2]
TENANT_ID = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
TRAKSTAR_ID = "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60"
TRAKSTAR_TEMPLATE = "4b1d7c8e-2f3a-4e5b-9c6d-7a8b9c0d1e2f"
SP = "http://localhost:8000"
ACS = f"{SP}/auth/saml/callback?namespace=contoso"
APPS = "/admin/enterprise-apps"


def make_app(tenant_file: Path | None = None, *, csrf: bool = False) -> Flask:
    config = IdpConfig(
        base_url="http://127.0.0.1:8001",
        sp_url=SP,
        certs_dir=ROOT / "certs",
        secret_key="tests",
        api_token="tests-token",
        **({"tenant_file": tenant_file} if tenant_file else {}),
    )
    app = create_app(config)
    app.config["WTF_CSRF_ENABLED"] = csrf
    return app


def state_of(app: Flask) -> IdpState:
    state: IdpState = app.extensions["mock_idp"]
    return state


def admin(client: FlaskClient) -> FlaskClient:
    response = client.post(
        "/admin/signin", data={"login": "ADMIN@contoso.com", "passwd": "Adm1n-Passw0rd!"}
    )
    assert response.status_code == 302, response.text
    return client


def alert(html: str) -> str:
    found = re.search(r'role="alert"[^>]*>([^<]*)<', html)
    assert found, html[:3000]
    return found.group(1).replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")


def end_user_signs_in(
    client: FlaskClient, upn: str = "B.Simon@contoso.com", password: str = "Passw0rd!"
) -> TestResponse:
    """The password page, then "Stay signed in?" answered No (shown by default)."""
    response = client.post(f"/{TENANT_ID}/login/password", data={"login": upn, "passwd": password})
    return answer_kmsi(client, response)  # type: ignore[no-any-return]


@pytest.fixture
def default() -> Flask:
    return make_app()


@pytest.fixture
def empty() -> Flask:
    return make_app(TENANTS_DIR / "empty.toml")


@pytest.fixture
def client(default: Flask) -> FlaskClient:
    return admin(default.test_client())


def test_admin_pages_need_the_admin_sign_in(default: Flask) -> None:
    client = default.test_client()
    response = client.get(f"{APPS}/{TRAKSTAR_ID}/properties")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/signin?next={APPS}/{TRAKSTAR_ID}/properties"

    refused = client.post("/admin/signin", data={"login": "admin@contoso.com", "passwd": "nope"})
    assert refused.status_code == 401 and "Your account or password is incorrect." in refused.text
    assert client.get("/admin/").status_code == 302

    signed_in = client.post(
        "/admin/signin",
        data={"login": "admin@contoso.com", "passwd": "Adm1n-Passw0rd!", "next": f"{APPS}/"},
    )
    assert signed_in.headers["Location"] == f"{APPS}/"
    assert "Trakstar" in client.get(f"{APPS}/").text
    client.post("/admin/signout")
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_the_sign_in_never_redirects_off_site(default: Flask, target: str) -> None:
    response = default.test_client().post(
        "/admin/signin",
        data={"login": "admin@contoso.com", "passwd": "Adm1n-Passw0rd!", "next": target},
    )
    assert response.headers["Location"] == "/admin/"


def test_an_end_user_session_is_not_an_admin_session(default: Flask) -> None:
    client = default.test_client()
    client.get("/myapps/")
    assert end_user_signs_in(client).headers["Location"] == "/myapps/"  # type: ignore[attr-defined]
    assert client.get("/admin/").status_code == 302


def test_admin_forms_need_the_csrf_token(tmp_path: Path) -> None:
    app = make_app(csrf=True)
    client = admin_with_csrf(app)
    response = client.post(
        f"{APPS}/{TRAKSTAR_ID}/properties",
        data={"name": "Hacked", "enabled": "no", "assignment_required": "no", "visible": "no"},
    )
    assert response.status_code == 400
    trakstar = state_of(app).tenant.apps[TRAKSTAR_ID]
    assert (trakstar.name, trakstar.enabled) == ("Trakstar", True)


def admin_with_csrf(app: Flask) -> FlaskClient:
    client = app.test_client()
    page = client.get("/admin/signin").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    data = {"login": "admin@contoso.com", "passwd": "Adm1n-Passw0rd!", "csrf_token": token.group(1)}
    assert client.post("/admin/signin", data=data).status_code == 302
    return client


def test_the_tutorial_steps_from_the_gallery_to_set_up_trakstar(empty: Flask) -> None:
    client = admin(empty.test_client())
    gallery = client.get(f"{APPS}/new?q=Trakstar").text
    assert 'id="gallery-trakstar"' in gallery

    added = client.post(f"{APPS}/gallery/{TRAKSTAR_TEMPLATE}", data={"name": "Trakstar"})
    [app] = state_of(empty).tenant.apps.values()
    assert added.headers["Location"] == f"{APPS}/{app.app_id}"
    assert client.get(f"{APPS}/{app.app_id}/sso").text.count("Select a single sign-on method") == 1
    chosen = client.post(f"{APPS}/{app.app_id}/sso/method", data={"mode": "saml"})
    assert chosen.headers["Location"] == f"{APPS}/{app.app_id}/sso/saml"

    form = client.get(f"{APPS}/{app.app_id}/sso/saml/basic").text
    assert (
        'placeholder="https://perform.trakstar.com/auth/saml/callback?namespace=&lt;YOUR_NAMESPACE&gt;"'
        in form
    )
    placeholder = "https://perform.trakstar.com/auth/saml/callback?namespace=<YOUR_NAMESPACE>"
    refused = client.post(
        f"{APPS}/{app.app_id}/sso/saml/basic",
        data={"identifier": "https://perform.trakstar.com", "reply_url": placeholder},
    )
    assert refused.status_code == 400
    assert "still contains the placeholder <YOUR_NAMESPACE>" in alert(refused.text)
    assert f'value="{placeholder.replace("<", "&lt;").replace(">", "&gt;")}"' in refused.text
    assert app.reply_urls == []

    saved = client.post(
        f"{APPS}/{app.app_id}/sso/saml/basic",
        data={
            "identifier": "https://perform.trakstar.com",
            "reply_url": [ACS, ""],
            "sign_on_url": f"{SP}/auth/saml/?namespace=contoso",
            "logout_url": f"{SP}/auth/saml/logout?namespace=contoso",
        },
    )
    assert saved.status_code == 302 and app.reply_urls == [ACS]

    page = client.get(f"{APPS}/{app.app_id}/sso/saml").text
    assert f'<code id="login-url">http://127.0.0.1:8001/{TENANT_ID}/saml2</code>' in page
    assert f'<code id="entra-identifier">https://sts.windows.net/{TENANT_ID}/</code>' in page
    assert f'<code id="logout-url">http://127.0.0.1:8001/{TENANT_ID}/saml2</code>' in page
    assert app.active_certificate.pair.thumbprint in page

    again = client.post(f"{APPS}/gallery/{TRAKSTAR_TEMPLATE}", data={"name": "Trakstar"})
    assert again.status_code == 400 and "only one instance of Trakstar" in alert(again.text)
    assert len(state_of(empty).tenant.apps) == 1


def test_the_own_sp_quick_start_registers_any_sp_and_signs_b_simon_in_to_it(
    default: Flask,
) -> None:
    """docs/own-sp.md: Create your own application, SAML, Basic SAML Configuration, assign."""
    client = admin(default.test_client())
    acs, identifier = "http://localhost:5000/saml/acs", "https://my-sp.example/saml"

    added = client.post(f"{APPS}/custom", data={"name": "My SP", "kind": "non-gallery"})
    [app] = [a for a in state_of(default).tenant.apps.values() if a.name == "My SP"]
    assert added.headers["Location"] == f"{APPS}/{app.app_id}"
    client.post(f"{APPS}/{app.app_id}/sso/method", data={"mode": "saml"})
    saved = client.post(
        f"{APPS}/{app.app_id}/sso/saml/basic", data={"identifier": identifier, "reply_url": acs}
    )
    assert saved.status_code == 302 and app.reply_urls == [acs]
    b_simon = state_of(default).tenant.user_by_upn("B.Simon@contoso.com")
    assert b_simon is not None
    client.post(f"{APPS}/{app.app_id}/users-and-groups/add", data={"principal": b_simon.object_id})
    saml_page = client.get(f"{APPS}/{app.app_id}/sso/saml").text
    assert f"federationmetadata.xml?appid={app.app_id}" in saml_page

    client.get(f"{APPS}/{app.app_id}/sso/saml/test")  # no Sign on URL: IdP-initiated
    posted = parse_post_page(end_user_signs_in(client).text)  # type: ignore[attr-defined]

    assert posted.action == acs
    xml = base64.b64decode(posted.saml_response).decode()
    assert f"<Audience>{identifier}</Audience>" in xml
    assert ">B.Simon@contoso.com</NameID>" in xml


def test_add_reply_url_keeps_what_was_typed(client: FlaskClient) -> None:
    response = client.post(
        f"{APPS}/{TRAKSTAR_ID}/sso/saml/basic",
        data={
            "identifier": "https://perform.trakstar.com",
            "reply_url": [ACS, "https://b.example/acs"],
            "reply_url_default": "1",
            "action": "add-reply-url",
        },
    )
    assert response.status_code == 200
    assert 'id="reply-url-2" value=""' in response.text
    assert 'id="reply-url-default-1" checked' in response.text


def test_the_default_reply_url_is_used_first(client: FlaskClient, default: Flask) -> None:
    other = "https://perform.trakstar.com/auth/saml/callback?namespace=contoso"
    client.post(
        f"{APPS}/{TRAKSTAR_ID}/sso/saml/basic",
        data={
            "identifier": "https://perform.trakstar.com",
            "reply_url": [ACS, other],
            "reply_url_default": "1",
        },
    )
    assert state_of(default).tenant.apps[TRAKSTAR_ID].reply_urls == [other, ACS]


def test_properties_are_saved_and_bad_names_shown(client: FlaskClient, default: Flask) -> None:
    trakstar = state_of(default).tenant.apps[TRAKSTAR_ID]
    form = {
        "name": "Trakstar Perform",
        "enabled": "yes",
        "assignment_required": "no",
        "visible": "no",
    }
    assert client.post(f"{APPS}/{TRAKSTAR_ID}/properties", data=form).status_code == 302
    assert (trakstar.name, trakstar.assignment_required, trakstar.visible) == (
        "Trakstar Perform",
        False,
        False,
    )

    refused = client.post(
        f"{APPS}/{TRAKSTAR_ID}/properties", data={**form, "name": " ", "visible": "yes"}
    )
    assert refused.status_code == 400 and "Enter a name" in alert(refused.text)
    assert trakstar.visible is False


def test_assign_and_remove_through_the_pages(client: FlaskClient, default: Flask) -> None:
    tenant = state_of(default).tenant
    adele = tenant.user_by_upn("Adele.Vance@contoso.com")
    assert adele is not None
    page = client.get(f"{APPS}/{TRAKSTAR_ID}/users-and-groups/add?q=adele").text
    assert "Adele Vance" in page and "Megan Bowen" not in page
    client.post(f"{APPS}/{TRAKSTAR_ID}/users-and-groups/add", data={"principal": adele.object_id})
    assert tenant.apps[TRAKSTAR_ID].is_assigned(adele)

    nothing = client.post(f"{APPS}/{TRAKSTAR_ID}/users-and-groups/add", data={})
    assert nothing.status_code == 400 and "Select at least one" in alert(nothing.text)

    client.post(
        f"{APPS}/{TRAKSTAR_ID}/users-and-groups/remove", data={"principal": adele.object_id}
    )
    assert not tenant.apps[TRAKSTAR_ID].is_assigned(adele)
    listed = client.get(f"{APPS}/{TRAKSTAR_ID}/users-and-groups").text
    assert "Removed Adele Vance from Trakstar." in listed  # the notification
    assert f'id="select-{adele.object_id}"' not in listed  # and no longer a row


def test_test_this_application_opens_in_a_new_tab_as_entras_does(client: FlaskClient) -> None:
    page = client.get(f"{APPS}/{TRAKSTAR_ID}/sso/saml").text
    link = re.search(r'<a [^>]*id="test-this-application"[^>]*>', page)

    assert link is not None
    assert 'target="_blank"' in link.group(0)
    assert 'rel="noopener"' in link.group(0)  # the new tab cannot script the admin center


def test_test_this_application_goes_to_the_sign_on_url(client: FlaskClient) -> None:
    response = client.get(f"{APPS}/{TRAKSTAR_ID}/sso/saml/test")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{SP}/auth/saml/?namespace=contoso"


def test_without_a_sign_on_url_test_this_application_is_idp_initiated(
    client: FlaskClient, default: Flask
) -> None:
    trakstar = state_of(default).tenant.apps[TRAKSTAR_ID]
    trakstar.sign_on_url, trakstar.relay_state = "", "/goals"
    to_sign_in = client.get(f"{APPS}/{TRAKSTAR_ID}/sso/saml/test")
    assert to_sign_in.headers["Location"] == f"/{TENANT_ID}/login"

    posted = parse_post_page(end_user_signs_in(client).text)  # type: ignore[attr-defined]

    assert posted.action == ACS and posted.relay_state == "/goals"
    xml = base64.b64decode(posted.saml_response).decode()
    assert "InResponseTo" not in xml and f'Destination="{ACS.replace("&", "&amp;")}"' in xml
    again = client.get(f"{APPS}/{TRAKSTAR_ID}/sso/saml/test")  # signed in now: straight to the ACS
    assert parse_post_page(again.text).action == ACS


def test_idp_initiated_still_checks_assignment(client: FlaskClient, default: Flask) -> None:
    state_of(default).tenant.apps[TRAKSTAR_ID].sign_on_url = ""
    client.get(f"{APPS}/{TRAKSTAR_ID}/sso/saml/test")
    response = end_user_signs_in(client, "Adele.Vance@contoso.com")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "AADSTS50105" in response.text  # type: ignore[attr-defined]


def test_my_apps_shows_assigned_visible_apps_and_launches_them(default: Flask) -> None:
    client = default.test_client()
    assert client.get("/myapps/").headers["Location"] == f"/{TENANT_ID}/login"
    end_user_signs_in(client)
    page = client.get("/myapps/").text
    assert f'id="tile-{TRAKSTAR_ID}"' in page and "B.Simon" in page

    launch = re.search(rf'id="tile-{TRAKSTAR_ID}" href="([^"]+)"', page)
    assert launch
    response = client.get(launch.group(1).replace("&amp;", "&"))
    assert response.headers["Location"] == f"{SP}/auth/saml/?namespace=contoso"

    state_of(default).tenant.apps[TRAKSTAR_ID].visible = False
    assert f'id="tile-{TRAKSTAR_ID}"' not in client.get("/myapps/").text


def test_my_apps_shows_nothing_to_an_unassigned_user(default: Flask) -> None:
    client = default.test_client()
    client.get("/myapps/")
    end_user_signs_in(client, "Adele.Vance@contoso.com")
    page = client.get("/myapps/").text
    assert "Adele Vance" in page and 'id="no-apps"' in page


def test_certificates_page_rotates_and_refuses_deleting_the_active_one(
    client: FlaskClient, default: Flask
) -> None:
    app = state_of(default).tenant.apps[TRAKSTAR_ID]
    old = app.active_certificate.pair.thumbprint
    client.post(f"{APPS}/{TRAKSTAR_ID}/sso/saml/certificates/new", data={"expires": ""})
    new = app.certificates[-1].pair.thumbprint
    assert not app.certificates[-1].active

    raw = client.get(f"/{TENANT_ID}/apps/{TRAKSTAR_ID}/certificate/{new}.cer?kind=raw")
    assert (
        raw.status_code == 200 and raw.data == app.certificates[-1].pair.cert_der
    )  # inactive: downloadable

    client.post(f"{APPS}/{TRAKSTAR_ID}/sso/saml/certificates/{new}/activate")
    assert app.active_certificate.pair.thumbprint == new
    refused = client.post(f"{APPS}/{TRAKSTAR_ID}/sso/saml/certificates/{new}/delete")
    assert refused.status_code == 409 and "cannot be deleted" in alert(refused.text)
    bad_date = client.post(
        f"{APPS}/{TRAKSTAR_ID}/sso/saml/certificates/new", data={"expires": "2099-01-01"}
    )
    assert bad_date.status_code == 400 and "at most three years" in alert(bad_date.text)
    assert [c.pair.thumbprint for c in app.certificates] == [old, new]


def test_a_restricted_claim_is_refused_on_its_page(client: FlaskClient, default: Flask) -> None:
    response = client.post(
        f"{APPS}/{TRAKSTAR_ID}/sso/saml/claims/new",
        data={
            "name": "objectidentifier",
            "namespace": "http://schemas.microsoft.com/identity/claims",
            "source": "user.mail",
        },
    )
    assert response.status_code == 400 and "restricted claim" in alert(response.text)
    assert 'value="objectidentifier"' in response.text
    assert len(state_of(default).tenant.apps[TRAKSTAR_ID].claim_rules) == 4


def test_users_are_created_and_errors_shown_on_the_form(
    client: FlaskClient, default: Flask
) -> None:
    form = {
        "upn": "Pat.Lee@fabrikam.com",
        "display_name": "Pat Lee",
        "password": "Str0ng-Pass",
        "enabled": "on",
    }
    refused = client.post("/admin/users/new", data=form)
    assert refused.status_code == 400 and "verified domain names" in alert(refused.text)
    assert 'value="Pat.Lee@fabrikam.com"' in refused.text
    created = client.post("/admin/users/new", data={**form, "upn": "Pat.Lee@contoso.com"})
    assert created.headers["Location"] == "/admin/users"
    assert state_of(default).tenant.user_by_upn("pat.lee@contoso.com") is not None


def test_the_new_password_is_shown_once_after_create(client: FlaskClient) -> None:
    form = {"upn": "Pat.Lee@contoso.com", "display_name": "Pat Lee", "password": "Str0ng-Pass"}

    listed = client.post("/admin/users/new", data=form, follow_redirects=True).text
    again = client.get("/admin/users").text

    assert "Successfully created user Pat.Lee@contoso.com." in listed
    assert '<code id="new-password">Str0ng-Pass</code>' in listed
    assert "Shown only this once" in listed
    assert "Str0ng-Pass" not in again and 'id="new-password"' not in again


def test_a_refused_new_user_shows_no_password_panel(client: FlaskClient) -> None:
    form = {"upn": "B.Simon2", "display_name": "B.Simon", "password": "Str0ng-Pass"}

    refused = client.post("/admin/users/new", data=form)

    assert refused.status_code == 400
    assert 'id="new-password"' not in refused.text
    assert 'id="new-password"' not in client.get("/admin/users").text


def test_the_new_user_form_says_what_the_upn_and_the_optional_names_need(
    client: FlaskClient,
) -> None:
    form = client.get("/admin/users/new").text

    upn_hint = re.search(r'id="upn-hint">(.*?)</div>', form, re.S)
    claims_hint = re.search(r'id="claims-hint">(.*?)</div>', form, re.S)
    assert upn_hint and "B.Simon@contoso.com" in upn_hint.group(1)
    assert "not B.Simon alone" in upn_hint.group(1)
    assert claims_hint is not None
    for claim in ("givenname", "surname", "emailaddress", "left out"):
        assert claim in " ".join(claims_hint.group(1).split())


def test_the_tenant_page_resets_and_a_bad_upload_changes_nothing(
    client: FlaskClient, default: Flask
) -> None:
    state = state_of(default)
    before = state.tenant
    bad = client.post(
        "/admin/tenant/reset",
        data={"file": "", "upload": (__import__("io").BytesIO(b"[tenant]\nid = 'nope'"), "t.toml")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "does not load" in alert(bad.text)
    assert state.tenant is before

    client.post("/admin/tenant/reset", data={"file": "empty.toml"})
    assert state.tenant.apps == {} and state.tenant.users == {}
    client.post("/admin/tenant/reset", data={"file": ""})  # the startup file again
    assert TRAKSTAR_ID in state.tenant.apps


@pytest.mark.parametrize(
    "path",
    [
        f"{APPS}/new?template=00000000-0000-0000-0000-000000000000",
        f"{APPS}/00000000-0000-0000-0000-000000000000/sso/saml",
        f"{APPS}/{TRAKSTAR_ID}/sso/saml/claims/9",
        "/admin/users/nobody@contoso.com",
        "/admin/groups/nope",
    ],
)
def test_unknown_objects_are_404_pages(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_adding_an_unknown_template_is_404(client: FlaskClient, default: Flask) -> None:
    count = len(state_of(default).tenant.apps)
    response = client.post(
        f"{APPS}/gallery/00000000-0000-0000-0000-000000000000", data={"name": "X"}
    )
    assert response.status_code == 404 and len(state_of(default).tenant.apps) == count


def test_metadata_publishes_the_active_certificate_and_inactive_ones_on_request(
    client: FlaskClient, default: Flask
) -> None:
    app = state_of(default).tenant.apps[TRAKSTAR_ID]
    client.post(f"{APPS}/{TRAKSTAR_ID}/sso/saml/certificates/new", data={"expires": ""})
    active, inactive = (c.pair.cert_b64 for c in app.certificates)
    url = f"/{TENANT_ID}/federationmetadata/2007-06/federationmetadata.xml?appid={TRAKSTAR_ID}"

    published = client.get(url).text
    assert (
        published.count(active) == 4 and inactive not in published
    )  # Signature + 3 KeyDescriptors

    both = client.get(url + "&includeInactive=true").text
    assert both.count(inactive) == 3 and both.count(active) == 4
    download = client.get(url + "&download=1")
    assert download.headers["Content-Disposition"] == 'attachment; filename="Trakstar.xml"'
