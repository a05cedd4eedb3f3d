"""The gallery: Trakstar is found, added with its own IDs and certificate, and only once."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from mock_idp.admin import gallery, token_signing
from mock_idp.admin.errors import AlreadyExists, InvalidValue, NotAllowed, NotFound
from mock_idp.certificates import ENTRA_CERT_CN, three_years_after
from mock_idp.config import DEFAULT_TENANT, TENANTS_DIR
from mock_idp.tenant import Tenant, load_tenant

ROOT = Path(__file__).resolve().parents[2]
SUBS = {
    "SP_URL": "http://localhost:8000",
    "IDP_URL": "http://127.0.0.1:8001",
    "CERTS_DIR": str(ROOT / "certs"),
}


def guids():  # type: ignore[no-untyped-def]
    counter = iter(range(1, 1000))
    return lambda: f"00000000-0000-4000-8000-{next(counter):012d}"


@pytest.fixture
def empty(now: datetime) -> Tenant:
    return load_tenant(TENANTS_DIR / "empty.toml", substitutions=SUBS, now=now)


def test_the_empty_tenant_has_only_the_admin(empty: Tenant) -> None:
    assert (empty.users, empty.apps, empty.groups) == ({}, {}, {})
    assert empty.admin_upn == "admin@contoso.com"


@pytest.mark.parametrize("query", ["Trakstar", "trak", "  TRAKSTAR ", "performance"])
def test_searching_finds_trakstar(query: str) -> None:
    assert gallery.search(query) == (gallery.TRAKSTAR,)


def test_a_search_with_no_match_finds_nothing() -> None:
    assert gallery.search("Salesforce") == ()


def test_adding_trakstar_gives_it_ids_a_fixed_identifier_and_an_active_certificate(
    empty: Tenant, now: datetime
) -> None:
    app = gallery.add_from_gallery(empty, gallery.TRAKSTAR, "Trakstar", now=now, new_guid=guids())

    assert empty.apps[app.app_id] is app
    assert len({app.app_id, app.object_id, app.application_object_id}) == 3
    assert app.identifiers == ["https://perform.trakstar.com"]
    assert (app.reply_urls, app.sign_on_url, app.sso_mode) == ([], "", "")
    assert app.assignment_required and app.enabled and app.visible
    [cert] = app.certificates
    assert cert.active
    x509 = cert.pair.cert
    assert x509.subject.rfc4514_string() == f"CN={ENTRA_CERT_CN}"
    assert x509.not_valid_after_utc == three_years_after(x509.not_valid_before_utc)


def test_trakstar_can_be_added_once_per_tenant(empty: Tenant, now: datetime) -> None:
    first = gallery.add_from_gallery(empty, gallery.TRAKSTAR, "Trakstar", now=now, new_guid=guids())
    with pytest.raises(AlreadyExists, match="only one instance of Trakstar") as caught:
        gallery.add_from_gallery(empty, gallery.TRAKSTAR, "Trakstar 2", now=now, new_guid=guids())
    assert first.app_id in caught.value.message
    assert list(empty.apps) == [first.app_id]


def test_the_default_tenant_already_has_trakstar(now: datetime) -> None:
    tenant = load_tenant(DEFAULT_TENANT, substitutions=SUBS, now=now)
    with pytest.raises(AlreadyExists):
        gallery.add_from_gallery(tenant, gallery.TRAKSTAR, "Trakstar", now=now, new_guid=guids())


def test_non_gallery_apps_need_a_name(empty: Tenant, now: datetime) -> None:
    with pytest.raises(InvalidValue, match="Enter a name"):
        gallery.add_non_gallery(empty, "   ", now=now, new_guid=guids())
    app = gallery.add_non_gallery(empty, "Wiki", now=now, new_guid=guids())
    assert app.template is None and app.identifiers == []


def test_unknown_templates_are_not_found() -> None:
    with pytest.raises(NotFound):
        gallery.template_by_id("00000000-0000-0000-0000-000000000000")


def test_a_new_certificate_is_inactive_until_made_active(empty: Tenant, now: datetime) -> None:
    app = gallery.add_from_gallery(empty, gallery.TRAKSTAR, "Trakstar", now=now, new_guid=guids())
    old = app.active_certificate
    new = token_signing.new_certificate(app, now=now, expires=now + timedelta(days=365))
    assert not new.active and app.active_certificate is old
    assert new.pair.cert.not_valid_after_utc.date() == (now + timedelta(days=365)).date()

    token_signing.activate(app, new.pair.thumbprint.lower())

    assert app.active_certificate is new and not old.active
    with pytest.raises(NotAllowed, match="active certificate cannot be deleted"):
        token_signing.delete(app, new.pair.thumbprint)
    token_signing.delete(app, old.pair.thumbprint)
    assert app.certificates == [new]


@pytest.mark.parametrize(
    ("expires", "subject", "message"),
    [
        (timedelta(days=3 * 365 + 1), "CN=Fine", "at most three years"),
        (timedelta(seconds=-1), "CN=Fine", "in the future"),
        (None, "Fine", "must start with 'CN='"),
        (None, "CN=a,O=b", "without"),
        (None, "CN=" + "x" * 65, "at most 64"),
    ],
)
def test_certificate_rules(
    empty: Tenant, now: datetime, expires: timedelta | None, subject: str, message: str
) -> None:
    app = gallery.add_non_gallery(empty, "Wiki", now=now, new_guid=guids())
    with pytest.raises(InvalidValue, match=message):
        token_signing.new_certificate(
            app, now=now, expires=None if expires is None else now + expires, subject=subject
        )
    assert len(app.certificates) == 1


def test_signing_options(empty: Tenant, now: datetime) -> None:
    app = gallery.add_non_gallery(empty, "Wiki", now=now, new_guid=guids())
    token_signing.set_options(app, option="both", algorithm="sha1")
    assert (app.signing_option, app.signing_algorithm) == ("both", "sha1")
    with pytest.raises(InvalidValue, match="Signing Option"):
        token_signing.set_options(app, option="none", algorithm="sha256")
    assert (app.signing_option, app.signing_algorithm) == ("both", "sha1")
