"""Users and groups of an app: who is assigned (directly or through a directly assigned group)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mock_idp.admin.errors import AlreadyExists, InvalidValue, NotFound
from mock_idp.tenant import EnterpriseApp, Tenant

# Graph's appRoleId for "Default Access", the role of an app that defines none.
DEFAULT_ACCESS = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True, kw_only=True, slots=True)
class Assignment:
    principal_id: str
    principal_type: Literal["User", "Group"]
    display_name: str
    detail: str  # the user's UPN, or the group's description


def principal(tenant: Tenant, principal_id: str) -> Assignment:
    """The user or group with this object ID, as an assignment would name it."""
    key = principal_id.strip().lower()
    if key in tenant.users:
        user = tenant.users[key]
        return Assignment(
            principal_id=key, principal_type="User", display_name=user.display_name, detail=user.upn
        )
    if key in tenant.groups:
        group = tenant.groups[key]
        return Assignment(
            principal_id=key,
            principal_type="Group",
            display_name=group.display_name,
            detail=group.description,
        )
    raise NotFound(f"No user or group with the object ID '{principal_id}' in this tenant.")


def assignments(tenant: Tenant, app: EnterpriseApp) -> list[Assignment]:
    found = [principal(tenant, p) for p in app.assigned if p in tenant.users or p in tenant.groups]
    return sorted(found, key=lambda a: (a.principal_type, a.display_name.casefold()))


def assign(tenant: Tenant, app: EnterpriseApp, principal_id: str) -> Assignment:
    assignment = principal(tenant, principal_id)
    if assignment.principal_id in app.assigned:
        raise AlreadyExists(
            f"Permission being assigned already exists on the object: {assignment.display_name} "
            f"is already assigned to {app.name}."
        )
    app.assigned.add(assignment.principal_id)
    return assignment


def unassign(tenant: Tenant, app: EnterpriseApp, principal_id: str) -> Assignment:
    key = principal_id.strip().lower()
    if key not in app.assigned:
        raise NotFound(f"'{principal_id}' is not assigned to {app.name}.")
    assignment = principal(tenant, key)
    app.assigned.discard(key)
    return assignment


def assign_all(tenant: Tenant, app: EnterpriseApp, principal_ids: list[str]) -> list[Assignment]:
    """ "Assign" for every selected user and group, or none of them if one is refused."""
    if not principal_ids:
        raise InvalidValue("Select at least one user or group to assign.", field="principal")
    wanted = [principal(tenant, p) for p in principal_ids]
    for assignment in wanted:
        if assignment.principal_id in app.assigned:
            raise AlreadyExists(f"{assignment.display_name} is already assigned to {app.name}.")
    app.assigned.update(a.principal_id for a in wanted)
    return wanted


def unassign_all(tenant: Tenant, app: EnterpriseApp, principal_ids: list[str]) -> list[Assignment]:
    if not principal_ids:
        raise InvalidValue("Select at least one assignment to remove.", field="principal")
    for principal_id in principal_ids:
        if principal_id.strip().lower() not in app.assigned:
            raise NotFound(f"'{principal_id}' is not assigned to {app.name}.")
    return [unassign(tenant, app, p) for p in principal_ids]
