"""The `entra` fixture and its client, as a project that depends on ours uses them."""

from __future__ import annotations

import base64
import time

import pytest
from lxml import etree

from mock_idp.testing import EntraClient, EntraError, EntraServer

NS = {
    "p": "urn:oasis:names:tc:SAML:2.0:protocol",
    "a": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
ACS = "https://sp.example.com/saml/acs"


def decoded(saml_response: str) -> etree._Element:
    return etree.fromstring(base64.b64decode(saml_response))


def test_the_tenant_starts_empty_apart_from_its_admin(entra: EntraClient) -> None:
    assert entra.call("GET", "/v1.0/users")["value"] == []
    assert entra.call("GET", "/v1.0/servicePrincipals")["value"] == []
    assert "admin@contoso.com" in entra.export()


def test_add_app_gives_what_an_sp_administrator_copies(entra: EntraClient) -> None:
    app = entra.add_app(
        name="My SP", identifier="urn:my-sp", reply_url=ACS,
        sign_on_url="https://sp.example.com/login", logout_url="https://sp.example.com/logout",
    )  # fmt: skip
    assert app.login_url == f"{entra.url}/{entra.tenant_id}/saml2" == app.logout_url
    assert app.entra_identifier == f"https://sts.windows.net/{entra.tenant_id}/"
    assert app.certificate_pem.startswith("-----BEGIN CERTIFICATE-----")
    assert app.certificate_base64 in app.metadata_xml
    assert app.metadata_url.endswith(f"appid={app.app_id}")
    assert app.identifier == "urn:my-sp" and app.reply_url == ACS
    assert entra.get_app(app.app_id).thumbprint == app.thumbprint


def test_the_tenant_is_reset_between_tests(entra: EntraClient) -> None:
    assert entra.call("GET", "/v1.0/servicePrincipals")["value"] == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reply_url": "http://sp.example.com/acs"}, "reply_urls: Reply URL 'http://sp.example"),
        ({"reply_url": ACS, "sign_on_url": "javascript:alert(1)"}, "sign_on_url: Sign on URL"),
        ({"reply_url": ACS, "signing_option": "never"}, "signing.option: Signing Option must"),
        ({"reply_url": ACS, "claims": {"name": "user.shoesize"}}, "claims[0].source: 'user.sh"),
    ],
)
def test_a_refused_app_names_the_field_and_adds_nothing(
    entra: EntraClient, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(EntraError) as caught:
        entra.add_app(name="Bad", identifier="urn:bad", **kwargs)  # type: ignore[arg-type]
    assert caught.value.status == 400 and message in caught.value.message
    assert entra.call("GET", "/v1.0/servicePrincipals")["value"] == []


def test_response_is_signed_for_the_assigned_user_with_the_options(entra: EntraClient) -> None:
    app = entra.add_app(
        name="My SP", identifier="urn:my-sp", reply_url=ACS, signing_option="both",
        name_id_source="user.mail", claims={"email": "user.mail"},
    )  # fmt: skip
    user = entra.add_user(
        "pat@contoso.com", password="Passw0rd!", display_name="Pat", mail="pat@contoso.com"
    )
    entra.assign(user, app)
    xml = decoded(entra.response(app, user, in_response_to="_req1"))
    assert xml.get("InResponseTo") == "_req1" and xml.get("Destination") == ACS
    assert xml.findtext("a:Issuer", namespaces=NS) == app.entra_identifier
    assert xml.find("ds:Signature", NS) is not None  # both: the Response is signed too
    assert xml.findtext(".//a:NameID", namespaces=NS) == "pat@contoso.com"
    assert xml.findtext(".//a:Audience", namespaces=NS) == "urn:my-sp"
    names = [a.get("Name") for a in xml.iterfind(".//a:Attribute", NS)]
    assert "email" in names


def test_response_refuses_unknown_cases_apps_and_unassigned_users(entra: EntraClient) -> None:
    app = entra.add_app(name="My SP", identifier="urn:my-sp", reply_url=ACS)
    user = entra.add_user("pat@contoso.com", password="Passw0rd!")
    with pytest.raises(EntraError, match="AADSTS50105"):
        entra.response(app, user)
    entra.assign(user, app)
    with pytest.raises(EntraError, match="no fault case 'xsw99'.*Did you mean") as caught:
        entra.response(app, user, case="xsw99")
    assert caught.value.status == 400
    with pytest.raises(EntraError, match="No application with the ID 'nope'"):
        entra.get_app("nope")
    entra.disable(user)
    with pytest.raises(EntraError, match="AADSTS50057"):
        entra.response(app, user)


def test_a_case_response_and_the_cases_list(entra: EntraClient) -> None:
    cases = {c.name: c for c in entra.cases()}
    assert cases["valid"].expected == "accept"
    assert cases["audience-mismatch"].expected == "reject"
    app = entra.add_app(name="My SP", identifier="urn:my-sp", reply_url=ACS)
    group = entra.add_group("SP users", members=[entra.add_user("pat@contoso.com", "Passw0rd!")])
    entra.assign(group, app)
    xml = decoded(entra.response(app, "pat@contoso.com", case="audience-mismatch"))
    assert xml.findtext(".//a:Audience", namespaces=NS) != "urn:my-sp"


@pytest.mark.entra_keep_state
def test_a_test_may_keep_the_state_of_the_one_before(entra: EntraClient) -> None:
    assert [a["displayName"] for a in entra.call("GET", "/v1.0/servicePrincipals")["value"]] == [
        "My SP"
    ]


def test_the_same_client_drives_a_mock_started_elsewhere() -> None:
    with EntraServer() as elsewhere:
        client = EntraClient(elsewhere.url, elsewhere.token)
        assert client.tenant_id == elsewhere.tenant_id
        with pytest.raises(EntraError, match="401"):
            EntraClient(elsewhere.url, "wrong").add_user("x@contoso.com")


def test_fixture_start_and_reset_cost(entra: EntraClient) -> None:
    """Measured, not asserted tightly: start well under 2 s, a reset well under 0.2 s."""
    began = time.perf_counter()
    with EntraServer() as client:
        started = time.perf_counter() - began
        client.tenant_id  # noqa: B018 (the first call answers)
        began = time.perf_counter()
        for _ in range(10):
            client.reset()
        reset = (time.perf_counter() - began) / 10
    print(f"\nentra fixture: start {started * 1000:.0f} ms, reset {reset * 1000:.1f} ms")
    assert started < 5 and reset < 1
