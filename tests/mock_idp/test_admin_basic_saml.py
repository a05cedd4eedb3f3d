"""Basic SAML Configuration is validated as Entra does, and a refused save changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from mock_idp.admin import basic_saml, gallery
from mock_idp.admin.basic_saml import BasicSamlConfig
from mock_idp.admin.errors import AlreadyExists, InvalidValue
from mock_idp.config import DEFAULT_TENANT
from mock_idp.tenant import EnterpriseApp, Tenant, load_tenant

ROOT = Path(__file__).resolve().parents[2]
SUBS = {
    "SP_URL": "http://localhost:8000",
    "IDP_URL": "http://127.0.0.1:8001",
    "CERTS_DIR": str(ROOT / "certs"),
}
TRAKSTAR_ID = "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60"
ACS = "http://localhost:8000/auth/saml/callback?namespace=contoso"
GOOD = BasicSamlConfig(
    identifiers=("https://perform.trakstar.com",),
    reply_urls=(ACS,),
    sign_on_url="http://localhost:8000/auth/saml/?namespace=contoso",
    logout_url="http://localhost:8000/auth/saml/logout?namespace=contoso",
)


@pytest.fixture
def tenant(now: datetime) -> Tenant:
    return load_tenant(DEFAULT_TENANT, substitutions=SUBS, now=now)


@pytest.fixture
def trakstar(tenant: Tenant) -> EnterpriseApp:
    return tenant.apps[TRAKSTAR_ID]


@pytest.fixture
def custom(tenant: Tenant, now: datetime, idp_pair) -> EnterpriseApp:  # type: ignore[no-untyped-def]
    return gallery.add_non_gallery(
        tenant, "Contoso Wiki", now=now, new_guid=_guids(), new_pair=lambda _now, **_kw: idp_pair
    )


def _guids():  # type: ignore[no-untyped-def]
    counter = iter(range(1, 1000))
    return lambda: f"00000000-0000-4000-8000-{next(counter):012d}"


def test_a_valid_configuration_is_saved(tenant: Tenant, trakstar: EnterpriseApp) -> None:
    config = replace(
        GOOD,
        reply_urls=(ACS, "https://perform.trakstar.com/auth/saml/callback?namespace=contoso"),
        relay_state="/goals",
    )
    basic_saml.apply(tenant, trakstar, config)
    assert trakstar.reply_urls == list(config.reply_urls)
    assert trakstar.relay_state == "/goals"


@pytest.mark.parametrize(
    ("reply_url", "message"),
    [
        ("http://perform.example.com/acs", "must use https: http is accepted only for localhost"),
        ("ftp://perform.example.com/acs", "is not an absolute URL"),
        ("/auth/saml/callback", "is not an absolute URL"),
        ("https://*.example.com/acs", "wildcards"),
        ("https://example.com/acs#top", "fragment"),
        ("https://example.com/a cs", "spaces"),
        ("https://example.com/" + "a" * 240, "at most 256 are allowed"),
        (
            "https://perform.trakstar.com/auth/saml/callback?namespace=<YOUR_NAMESPACE>",
            "still contains the placeholder <YOUR_NAMESPACE>",
        ),
    ],
)
def test_bad_reply_urls_are_refused_and_nothing_changes(
    tenant: Tenant, trakstar: EnterpriseApp, reply_url: str, message: str
) -> None:
    before = BasicSamlConfig.of(trakstar)
    with pytest.raises(InvalidValue, match=message) as caught:
        basic_saml.apply(tenant, trakstar, replace(GOOD, reply_urls=(reply_url,)))
    assert caught.value.field == "reply_urls"
    assert BasicSamlConfig.of(trakstar) == before


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]"])
def test_http_is_accepted_on_loopback(tenant: Tenant, trakstar: EnterpriseApp, host: str) -> None:
    basic_saml.apply(tenant, trakstar, replace(GOOD, reply_urls=(f"http://{host}:9000/acs",)))
    assert trakstar.reply_urls == [f"http://{host}:9000/acs"]


def test_a_reply_url_is_required_and_not_twice(tenant: Tenant, trakstar: EnterpriseApp) -> None:
    with pytest.raises(InvalidValue, match="Reply URL .* is required"):
        basic_saml.apply(tenant, trakstar, replace(GOOD, reply_urls=()))
    with pytest.raises(InvalidValue, match="entered twice"):
        basic_saml.apply(tenant, trakstar, replace(GOOD, reply_urls=(ACS, ACS)))


def test_sign_on_and_logout_urls_follow_the_url_rules(
    tenant: Tenant, trakstar: EnterpriseApp
) -> None:
    with pytest.raises(InvalidValue, match="Sign on URL .* placeholder") as caught:
        basic_saml.apply(
            tenant, trakstar, replace(GOOD, sign_on_url=gallery.TRAKSTAR.sign_on_url_pattern)
        )
    assert caught.value.field == "sign_on_url"
    with pytest.raises(InvalidValue, match="Logout Url .* must use https") as caught:
        basic_saml.apply(tenant, trakstar, replace(GOOD, logout_url="http://example.com/logout"))
    assert caught.value.field == "logout_url"


def test_trakstars_identifier_is_fixed(tenant: Tenant, trakstar: EnterpriseApp) -> None:
    with pytest.raises(InvalidValue, match="fixed value 'https://perform.trakstar.com'"):
        basic_saml.apply(
            tenant, trakstar, replace(GOOD, identifiers=("https://perform.trakstar.com/",))
        )
    assert trakstar.identifiers == ["https://perform.trakstar.com"]


def test_an_identifier_belongs_to_one_app(tenant: Tenant, custom: EnterpriseApp) -> None:
    config = BasicSamlConfig(
        identifiers=("https://perform.trakstar.com",), reply_urls=("https://wiki.contoso.com/acs",)
    )
    with pytest.raises(AlreadyExists, match="identifierUris already exists.*'Trakstar'"):
        basic_saml.apply(tenant, custom, config)
    assert custom.identifiers == []


def test_a_non_gallery_app_takes_any_identifier_the_default_first(
    tenant: Tenant, custom: EnterpriseApp
) -> None:
    identifiers = basic_saml.default_first(["urn:contoso:wiki", " spn:wiki ", ""], 1)
    config = BasicSamlConfig(identifiers=identifiers, reply_urls=("https://wiki.contoso.com/acs",))
    basic_saml.apply(tenant, custom, config)
    assert custom.identifiers == ["spn:wiki", "urn:contoso:wiki"]
    assert tenant.app_by_identifier("spn:wiki") is custom


def test_identifiers_are_required_but_graph_may_leave_them_empty(
    tenant: Tenant, custom: EnterpriseApp
) -> None:
    with pytest.raises(InvalidValue, match="Identifier .* is required"):
        basic_saml.apply(
            tenant, custom, BasicSamlConfig(identifiers=(), reply_urls=("https://w.contoso.com/a",))
        )
    basic_saml.apply(
        tenant,
        custom,
        BasicSamlConfig(identifiers=(), reply_urls=(), sign_on_url="https://w.contoso.com/"),
        required=False,
    )
    assert custom.sign_on_url == "https://w.contoso.com/"
