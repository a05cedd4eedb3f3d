"""Users and groups: Entra's rules for UPNs and passwords; deleting cleans up assignments."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from mock_idp import sso
from mock_idp.admin import assignments, directory
from mock_idp.admin.directory import UserDraft
from mock_idp.admin.errors import AlreadyExists, InvalidValue, NotFound
from mock_idp.config import DEFAULT_TENANT
from mock_idp.protocol import errors
from mock_idp.tenant import Tenant, load_tenant

ROOT = Path(__file__).resolve().parents[2]
SUBS = {
    "SP_URL": "http://localhost:8000",
    "IDP_URL": "http://127.0.0.1:8001",
    "CERTS_DIR": str(ROOT / "certs"),
}
TRAKSTAR_ID = "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60"
NEW = UserDraft(upn="Pat.Lee@contoso.com", display_name="Pat Lee", password="Str0ng-Pass")


@pytest.fixture
def tenant(now: datetime) -> Tenant:
    return load_tenant(DEFAULT_TENANT, substitutions=SUBS, now=now)


def guid() -> str:
    return "11111111-2222-4333-8444-555555555555"


def test_a_created_user_can_sign_in(tenant: Tenant) -> None:
    user = directory.create_user(tenant, NEW, new_guid=guid)
    assert sso.authenticate(tenant, "pat.lee@CONTOSO.com", "Str0ng-Pass") is user


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        (
            {"upn": "Pat.Lee@fabrikam.com"},
            "verified domain names in your organization: contoso.com",
            "upn",
        ),
        ({"upn": "Pat Lee@contoso.com"}, "not a valid user principal name", "upn"),
        ({"upn": ".pat@contoso.com"}, "not a valid user principal name", "upn"),
        ({"upn": "pat.lee"}, "not a valid user principal name", "upn"),
        ({"upn": "b.simon@CONTOSO.COM"}, "userPrincipalName already exists", "upn"),
        ({"display_name": "  "}, "display name", "display_name"),
        ({"mail": "not-an-address"}, "not a valid email address", "mail"),
        ({"password": "short1A"}, "password complexity", "password"),
        ({"password": "alllowercase1"}, "password complexity", "password"),
        ({"password": ""}, "Enter a password", "password"),
    ],
)
def test_bad_users_are_refused_and_not_created(
    tenant: Tenant, change: dict[str, str], message: str, field: str
) -> None:
    count = len(tenant.users)
    with pytest.raises((InvalidValue, AlreadyExists), match=message) as caught:
        directory.create_user(tenant, replace(NEW, **change), new_guid=guid)
    assert caught.value.field == field
    assert len(tenant.users) == count


def test_disabling_a_user_stops_their_sign_in(tenant: Tenant) -> None:
    adele = directory.user(tenant, "Adele.Vance@contoso.com")
    directory.update_user(tenant, adele, replace(UserDraft.of(adele), enabled=False))
    with pytest.raises(errors.UserDisabled):
        sso.authenticate(tenant, adele.upn, "Passw0rd!")


def test_an_empty_password_on_edit_keeps_the_old_one(tenant: Tenant) -> None:
    adele = directory.user(tenant, "Adele.Vance@contoso.com")
    directory.update_user(tenant, adele, replace(UserDraft.of(adele), display_name="Adele V."))
    assert adele.display_name == "Adele V." and adele.password == "Passw0rd!"


def test_deleting_a_user_removes_their_assignments(tenant: Tenant) -> None:
    simon = directory.user(tenant, "B.Simon@contoso.com")
    directory.delete_user(tenant, simon)
    assert simon.object_id not in tenant.apps[TRAKSTAR_ID].assigned
    with pytest.raises(NotFound):
        directory.user(tenant, "B.Simon@contoso.com")


def test_a_group_assignment_lets_its_members_in(tenant: Tenant) -> None:
    app, adele = tenant.apps[TRAKSTAR_ID], directory.user(tenant, "Adele.Vance@contoso.com")
    with pytest.raises(errors.UserNotAssigned):
        sso.authorize(app, adele)
    group = directory.create_group(tenant, "Trakstar users", "", new_guid=guid)
    directory.add_members(group, [adele])
    assignments.assign(tenant, app, group.object_id)

    sso.authorize(app, adele)

    directory.delete_group(tenant, group)
    assert adele.groups == () and group.object_id not in app.assigned
    with pytest.raises(errors.UserNotAssigned):
        sso.authorize(app, adele)


def test_adding_members_is_all_or_nothing(tenant: Tenant) -> None:
    group = directory.create_group(tenant, "Pilot", "", new_guid=guid)
    adele = directory.user(tenant, "Adele.Vance@contoso.com")
    alex = directory.user(tenant, "Alex.Wilber@contoso.com")
    directory.add_member(group, alex)
    with pytest.raises(AlreadyExists, match="Alex.Wilber"):
        directory.add_members(group, [adele, alex])
    assert group.object_id not in adele.groups
    with pytest.raises(InvalidValue, match="at least one"):
        directory.add_members(group, [])


def test_assignments_refuse_twice_and_unknown_principals(tenant: Tenant) -> None:
    app = tenant.apps[TRAKSTAR_ID]
    simon = directory.user(tenant, "B.Simon@contoso.com")
    with pytest.raises(AlreadyExists, match="already assigned"):
        assignments.assign(tenant, app, simon.object_id)
    with pytest.raises(NotFound):
        assignments.assign(tenant, app, "00000000-0000-0000-0000-00000000beef")
    adele = directory.user(tenant, "Adele.Vance@contoso.com")
    before = set(app.assigned)
    with pytest.raises(AlreadyExists):
        assignments.assign_all(tenant, app, [adele.object_id, simon.object_id])
    assert app.assigned == before
    assignments.unassign(tenant, app, simon.object_id)
    with pytest.raises(errors.UserNotAssigned):
        sso.authorize(app, simon)
