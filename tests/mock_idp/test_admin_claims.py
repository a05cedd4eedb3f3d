"""Attributes & Claims: what an admin edits is what the token says."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from mock_idp.admin import claims_config
from mock_idp.admin.claims_config import ClaimDraft
from mock_idp.admin.errors import AlreadyExists, InvalidValue, NotFound
from mock_idp.config import DEFAULT_TENANT
from mock_idp.protocol import claims
from mock_idp.tenant import EnterpriseApp, Tenant, load_tenant

ROOT = Path(__file__).resolve().parents[2]
SUBS = {
    "SP_URL": "http://localhost:8000",
    "IDP_URL": "http://127.0.0.1:8001",
    "CERTS_DIR": str(ROOT / "certs"),
}
TRAKSTAR_ID = "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60"


@pytest.fixture
def tenant(now: datetime) -> Tenant:
    return load_tenant(DEFAULT_TENANT, substitutions=SUBS, now=now)


@pytest.fixture
def app(tenant: Tenant) -> EnterpriseApp:
    return tenant.apps[TRAKSTAR_ID]


def released(tenant: Tenant, app: EnterpriseApp) -> dict[str, tuple[str, ...]]:
    user = tenant.user_by_upn("B.Simon@contoso.com")
    assert user is not None
    out = claims.release(
        user.attributes(),
        app.claim_rules,
        tenant_id=tenant.tenant_id,
        idp_entity_id=tenant.issuer,
        auth_methods=(claims.PASSWORD_METHOD,),
    )
    return {c.name: c.values for c in out}


def test_the_defaults_are_entras(app: EnterpriseApp) -> None:
    assert [r.source for r in app.claim_rules] == [
        "user.givenname",
        "user.surname",
        "user.mail",
        "user.userprincipalname",
    ]
    assert (app.name_id_source, app.name_id_format) == (
        "user.userprincipalname",
        claims.EMAIL_FORMAT,
    )


def test_added_edited_and_removed_claims_reach_the_token(
    tenant: Tenant, app: EnterpriseApp
) -> None:
    claims_config.add_claim(
        app,
        ClaimDraft(
            name="employeeid", namespace="https://contoso.com/claims/", source="user.objectid"
        ),
    )
    assert released(tenant, app)["https://contoso.com/claims/employeeid"] == (
        "3a9e6b42-7c1d-4f8e-a5b0-2d6c9e1f4a73",
    )

    index = len(app.claim_rules) - 1
    claims_config.update_claim(
        app, index, ClaimDraft(name="displayname", namespace="", source="user.displayname")
    )
    assert released(tenant, app)["displayname"] == ("B.Simon",)

    claims_config.remove_claim(app, index)
    assert "displayname" not in released(tenant, app)
    assert claims.GIVEN_NAME in released(tenant, app)


@pytest.mark.parametrize(
    ("draft", "error", "message"),
    [
        (
            ClaimDraft(
                name="tenantid",
                namespace="http://schemas.microsoft.com/identity/claims",
                source="user.mail",
            ),
            InvalidValue,
            "restricted claim",
        ),
        (
            ClaimDraft(
                name="givenname",
                namespace="http://schemas.xmlsoap.org/ws/2005/05/identity/claims",
                source="user.mail",
            ),
            AlreadyExists,
            "already exists",
        ),
        (
            ClaimDraft(name="", namespace="https://x", source="user.mail"),
            InvalidValue,
            "Enter a name",
        ),
        (ClaimDraft(name="two words", namespace="", source="user.mail"), InvalidValue, "no spaces"),
        (
            ClaimDraft(name="dept", namespace="", source="user.department"),
            InvalidValue,
            "not a user attribute",
        ),
    ],
)
def test_bad_claims_are_refused(
    app: EnterpriseApp, draft: ClaimDraft, error: type[Exception], message: str
) -> None:
    before = list(app.claim_rules)
    with pytest.raises(error, match=message):
        claims_config.add_claim(app, draft)
    assert app.claim_rules == before


def test_a_group_claim_sends_group_ids(tenant: Tenant, app: EnterpriseApp) -> None:
    user = tenant.user_by_upn("B.Simon@contoso.com")
    assert user is not None
    user.groups = ("g-1", "g-2")
    claims_config.add_group_claim(app)
    assert released(tenant, app)[claims.GROUPS] == ("g-1", "g-2")
    with pytest.raises(AlreadyExists):
        claims_config.add_group_claim(app)


def test_name_id_source_and_format(app: EnterpriseApp) -> None:
    claims_config.set_name_id(app, source="user.mail", name_id_format=claims.PERSISTENT_FORMAT)
    assert (app.name_id_source, app.name_id_format) == ("user.mail", claims.PERSISTENT_FORMAT)
    with pytest.raises(InvalidValue, match="name identifier format"):
        claims_config.set_name_id(app, source="user.mail", name_id_format="urn:x")
    with pytest.raises(InvalidValue, match="source attribute"):
        claims_config.set_name_id(app, source="user.groups", name_id_format=claims.EMAIL_FORMAT)
    assert app.name_id_format == claims.PERSISTENT_FORMAT


def test_unknown_claim_numbers_are_not_found(app: EnterpriseApp) -> None:
    with pytest.raises(NotFound):
        claims_config.remove_claim(app, 99)
