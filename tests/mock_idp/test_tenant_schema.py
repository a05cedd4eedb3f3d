"""One tenant schema: a tenant file (startup or upload), the admin center and the Graph-shaped API
accept the same values and refuse the rest with the same words, naming the field; nothing
changes on a refusal. Through the real HTTP surface: the reset API and the admin center upload."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_idp.admin.export import tenant_document
from mock_idp.app import create_app
from mock_idp.config import IdpConfig
from mock_idp.state import IdpState
from mock_idp.tenant import TenantConfigError

ROOT = Path(__file__).resolve().parents[2]
TOKEN = {"Authorization": "Bearer tests-token"}
TRAKSTAR_ID = "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60"
HEAD = """
[tenant]
id = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
name = "Contoso"
domain = "contoso.com"

[admin]
upn = "admin@contoso.com"
password = "Adm1n-Passw0rd!"
"""


def make_idp(tenant_file: Path | None = None) -> Flask:
    config = IdpConfig(
        base_url="http://127.0.0.1:8001",
        sp_url="http://localhost:8000",
        certs_dir=ROOT / "certs",
        secret_key="tests",
        api_token="tests-token",
        **({"tenant_file": tenant_file} if tenant_file else {}),
    )
    app = create_app(config)
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def idp() -> Flask:
    return make_idp()


def state(app: Flask) -> IdpState:
    found: IdpState = app.extensions["mock_idp"]
    return found


def upload(client: FlaskClient, text: str) -> tuple[int, str]:
    response = client.post("/mock/tenant/reset", headers=TOKEN, data=text.encode())
    message = response.json["error"]["message"] if response.status_code >= 400 else ""
    return response.status_code, message


def admin_upload(client: FlaskClient, text: str) -> tuple[int, str]:
    client.post("/admin/signin", data={"login": "admin@contoso.com", "passwd": "Adm1n-Passw0rd!"})
    response = client.post(
        "/admin/tenant/reset",
        data={"file": "", "upload": (io.BytesIO(text.encode()), "t.toml")},
        content_type="multipart/form-data",
    )
    return response.status_code, response.text


def app_toml(**lines: str) -> str:
    extra = "\n".join(f"{key} = {value}" for key, value in lines.items())
    return HEAD + f'\n[[apps]]\nname = "Wiki"\nidentifiers = ["urn:wiki"]\n{extra}\n'


def test_an_upload_cannot_read_host_files_and_gives_no_existence_oracle(idp: Flask) -> None:
    client, before = idp.test_client(), tenant_document(state(idp).tenant)
    answers = set()
    for path in ("/etc/hostname", "/no/such/file.pem", str(ROOT / "certs" / "sp-signing.crt")):
        status, message = upload(client, app_toml(verification_certificates=f'["{path}"]'))
        assert status == 400
        answers.add(message)
        status, message = upload(
            client,
            app_toml(certificates=f'[{{ key = "{path}", cert = "{path}", active = true }}]'),
        )
        assert status == 400 and "cannot name files" in message
    status, page = admin_upload(
        idp.test_client(), app_toml(verification_certificates='["/etc/hostname"]')
    )
    assert status == 400 and "an uploaded tenant file cannot name files" in page
    [message] = answers  # the same words whether the file exists or not
    assert "apps[0].verification_certificates[0]: an uploaded tenant file cannot name files" in (
        message
    )
    assert tenant_document(state(idp).tenant) == before


def test_a_verification_certificate_keeps_no_private_key(idp: Flask) -> None:
    key = (ROOT / "certs" / "sp-signing.key").read_text()
    cert = (ROOT / "certs" / "sp-signing.crt").read_text()
    combined = (key + cert).replace("\n", "\\n")
    client = idp.test_client()
    status, _ = upload(client, app_toml(verification_certificates=f'["{combined}"]'))
    assert status == 200
    [wiki] = [a for a in state(idp).tenant.apps.values() if a.name == "Wiki"]
    assert wiki.verification_certificates and "PRIVATE KEY" not in wiki.verification_certificates[0]
    exported = client.get("/mock/tenant", headers=TOKEN).text
    verification = exported[exported.index("verification_certificates") :]
    assert "BEGIN CERTIFICATE" in verification
    assert "PRIVATE KEY" not in verification.split("[[apps.certificates]]")[0]


def test_a_command_line_file_may_name_files_beside_it(tmp_path: Path) -> None:
    (tmp_path / "sp.crt").write_text((ROOT / "certs" / "sp-signing.crt").read_text())
    path = tmp_path / "tenant.toml"
    path.write_text(app_toml(verification_certificates='["sp.crt"]'))
    [wiki] = state(make_idp(path)).tenant.apps.values()
    assert wiki.verification_certificates[0].startswith("-----BEGIN CERTIFICATE-----")


def test_a_javascript_sign_on_url_is_refused_like_basic_saml_configuration(idp: Flask) -> None:
    client, before = idp.test_client(), tenant_document(state(idp).tenant)
    status, message = upload(client, app_toml(sign_on_url='"javascript:alert(1)"'))
    assert status == 400
    assert (
        "apps[0].sign_on_url: Sign on URL 'javascript:alert(1)' is not an absolute URL" in message
    )
    assert tenant_document(state(idp).tenant) == before
    assert "javascript:" not in client.get("/").text


def test_the_same_rule_and_words_for_the_api_and_the_tenant_file(idp: Flask) -> None:
    client = idp.test_client()
    bad = "http://wiki.example.com/acs"
    api = client.patch(
        f"/v1.0/applications/{TRAKSTAR_ID}", headers=TOKEN, json={"web": {"redirectUris": [bad]}}
    )
    rule = f"Reply URL '{bad}' must use https: http is accepted only for localhost."
    assert api.status_code == 400 and api.json["error"]["message"] == rule
    status, message = upload(client, app_toml(reply_urls=f'["{bad}"]'))
    assert status == 400 and f"apps[0].reply_urls: {rule}" in message
    status, page = admin_upload(idp.test_client(), app_toml(reply_urls=f'["{bad}"]'))
    assert status == 400 and "must use https: http is accepted only for localhost" in page


def test_a_tenant_file_user_follows_the_new_user_rules() -> None:
    text = HEAD + '\n[[users]]\nupn = "pat@fabrikam.com"\npassword = "short"\n'
    with pytest.raises(TenantConfigError) as caught:
        state(make_idp(_write(text)))
    problems = caught.value.problems
    assert any(p.startswith("users[0].upn: The domain portion") for p in problems)
    assert any(p.startswith("users[0].password: The specified password") for p in problems)


def _write(text: str) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp())
    path = folder / "tenant.toml"
    path.write_text(text)
    return path


def test_an_unknown_key_is_named_with_a_suggestion(idp: Flask) -> None:
    status, message = upload(idp.test_client(), app_toml(reply_url='["https://w.example/acs"]'))
    assert status == 400
    assert "apps[0]: unknown key 'reply_url'. Did you mean 'reply_urls'?" in message


@pytest.mark.parametrize("depth", [200, 5000])
def test_a_deeply_nested_upload_is_a_clear_400(idp: Flask, depth: int) -> None:
    client, before = idp.test_client(), tenant_document(state(idp).tenant)
    text = HEAD + "x = " + "[" * depth + "]" * depth + "\n"
    status, message = upload(client, text)
    assert status == 400 and "does not load" in message
    status, page = admin_upload(idp.test_client(), text)
    assert status == 400 and "does not load" in page
    assert tenant_document(state(idp).tenant) == before


def test_the_public_home_page_shows_only_what_entra_makes_public(idp: Flask) -> None:
    home = idp.test_client().get("/").text
    assert "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14/saml2" in home  # the Login URL
    for private in ("admin@contoso.com", "Trakstar", "certificate/", "federationmetadata"):
        assert private not in home


def test_basic_saml_shows_every_error_by_its_field_and_keeps_the_input(idp: Flask) -> None:
    client = idp.test_client()
    client.post("/admin/signin", data={"login": "admin@contoso.com", "passwd": "Adm1n-Passw0rd!"})
    bad_reply, bad_logout = "http://perform.example.com/acs", "ftp://x.example/logout"
    response = client.post(
        f"/admin/enterprise-apps/{TRAKSTAR_ID}/sso/saml/basic",
        data={
            "identifier": "https://perform.trakstar.com",
            "reply_url": bad_reply,
            "logout_url": bad_logout,
        },
    )
    page = response.text
    assert response.status_code == 400
    assert 'id="reply-url-error-0">Reply URL' in page and "must use https" in page
    assert 'id="logout-url-error-0">Logout Url' in page and "not an absolute URL" in page
    assert f'id="reply-url-0" value="{bad_reply}"' in page
    assert f'value="{bad_logout}"' in page
    assert 'id="reply-url-1"' not in page  # no phantom empty row
    assert state(idp).tenant.apps[TRAKSTAR_ID].logout_url.startswith("http://localhost:8000")


def test_a_deeply_nested_json_body_is_a_clear_400(idp: Flask) -> None:
    client, before = idp.test_client(), tenant_document(state(idp).tenant)
    nested = b"[" * 100_000 + b"]" * 100_000
    for path in ("/mock/apps", "/v1.0/users"):
        answer = client.post(path, headers={**TOKEN, "Content-Type": "application/json"},
                             data=nested)  # fmt: skip
        assert answer.status_code == 400
        assert "Unable to read JSON request payload" in answer.json["error"]["message"]
    assert tenant_document(state(idp).tenant) == before
