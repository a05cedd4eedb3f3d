"""Users and groups of the tenant: create, edit, disable, delete, with Entra's rules.

UPNs are `name@<the tenant's domain>`, unique regardless of case; passwords follow Entra's
complexity rule (8 to 256 characters, three of: lowercase, uppercase, digits, symbols).
Deleting a user or a group also removes its app assignments and memberships.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from mock_idp.admin.errors import AdminError, AlreadyExists, InvalidValue, NotFound, raise_all
from mock_idp.tenant import Group, Tenant, User

NewGuid = Callable[[], str]
UPN_LOCAL = re.compile(r"^[A-Za-z0-9'._!#^~-]{1,64}$")
MAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NAME_MAX = 256
PASSWORD_MIN, PASSWORD_MAX = 8, 256


@dataclass(frozen=True, kw_only=True, slots=True)
class UserDraft:
    upn: str
    display_name: str
    given_name: str = ""
    surname: str = ""
    mail: str = ""
    password: str = ""  # empty on edit: keep the current one
    enabled: bool = True

    @classmethod
    def of(cls, user: User) -> UserDraft:
        return cls(
            upn=user.upn,
            display_name=user.display_name,
            given_name=user.given_name,
            surname=user.surname,
            mail=user.mail,
            enabled=user.enabled,
        )


def user(tenant: Tenant, ref: str) -> User:
    """A user by object ID or UPN, as Graph's /users/{id | userPrincipalName}."""
    found = tenant.users.get(ref.strip().lower()) or tenant.user_by_upn(ref)
    if found is None:
        raise NotFound(
            f"Resource '{ref}' does not exist or one of its queried reference-property "
            "objects are not present."
        )
    return found


def group(tenant: Tenant, ref: str) -> Group:
    found = tenant.groups.get(ref.strip().lower())
    if found is None:
        raise NotFound(
            f"Resource '{ref}' does not exist or one of its queried reference-property "
            "objects are not present."
        )
    return found


def create_user(tenant: Tenant, draft: UserDraft, *, new_guid: NewGuid) -> User:
    draft = _checked(tenant, draft, current=None)
    if not draft.password:
        raise InvalidValue("Enter a password for the new user.", field="password")
    created = User(
        object_id=new_guid(),
        upn=draft.upn,
        display_name=draft.display_name,
        given_name=draft.given_name,
        surname=draft.surname,
        mail=draft.mail,
        password=draft.password,
        enabled=draft.enabled,
    )
    tenant.users[created.object_id] = created
    return created


def update_user(tenant: Tenant, current: User, draft: UserDraft) -> User:
    draft = _checked(tenant, draft, current=current)
    current.upn, current.display_name = draft.upn, draft.display_name
    current.given_name, current.surname, current.mail = draft.given_name, draft.surname, draft.mail
    current.enabled = draft.enabled
    if draft.password:
        current.password = draft.password
    return current


def delete_user(tenant: Tenant, current: User) -> None:
    del tenant.users[current.object_id]
    for app in tenant.apps.values():
        app.assigned.discard(current.object_id)


def create_group(tenant: Tenant, name: str, description: str, *, new_guid: NewGuid) -> Group:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidValue(f"Enter a group name of at most {NAME_MAX} characters.", field="name")
    created = Group(object_id=new_guid(), display_name=name, description=description.strip())
    tenant.groups[created.object_id] = created
    return created


def delete_group(tenant: Tenant, current: Group) -> None:
    del tenant.groups[current.object_id]
    for member in tenant.users.values():
        member.groups = tuple(g for g in member.groups if g != current.object_id)
    for app in tenant.apps.values():
        app.assigned.discard(current.object_id)


def members(tenant: Tenant, current: Group) -> list[User]:
    return sorted(
        (u for u in tenant.users.values() if current.object_id in u.groups),
        key=lambda u: u.display_name.casefold(),
    )


def add_member(current: Group, member: User) -> None:
    if current.object_id in member.groups:
        raise AlreadyExists(
            f"{member.upn} is already a member of {current.display_name}: one or more added "
            "object references already exist for the following modified properties: 'members'."
        )
    member.groups = (*member.groups, current.object_id)


def add_members(current: Group, chosen: list[User]) -> None:
    """Add every chosen user, or none if one of them is refused."""
    if not chosen:
        raise InvalidValue("Select at least one user to add.", field="member")
    for member in chosen:
        if current.object_id in member.groups:
            raise AlreadyExists(f"{member.upn} is already a member of {current.display_name}.")
    for member in chosen:
        add_member(current, member)


def remove_member(current: Group, member: User) -> None:
    if current.object_id not in member.groups:
        raise NotFound(f"{member.upn} is not a member of {current.display_name}.")
    member.groups = tuple(g for g in member.groups if g != current.object_id)


def check_password(password: str) -> None:
    kinds = (
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    )
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX or sum(kinds) < 3:
        raise InvalidValue(
            "The specified password does not comply with password complexity requirements: "
            f"use {PASSWORD_MIN} to {PASSWORD_MAX} characters with at least three of "
            "lowercase letters, uppercase letters, digits and symbols.",
            field="password",
        )


def _checked(tenant: Tenant, draft: UserDraft, *, current: User | None) -> UserDraft:
    """The draft trimmed, or every one of Entra's rules it breaks (one error per field)."""
    errors: list[AdminError] = []

    def check(step: Callable[[], object]) -> None:
        try:
            step()
        except AdminError as error:
            errors.append(error)

    upn = draft.upn.strip()
    check(lambda: _checked_upn(tenant, upn, current))
    display_name = draft.display_name.strip()
    if not display_name or len(display_name) > NAME_MAX:
        errors.append(
            InvalidValue(
                f"Enter a display name of at most {NAME_MAX} characters.", field="display_name"
            )
        )
    for label, value, field in (
        ("First name", draft.given_name, "given_name"),
        ("Last name", draft.surname, "surname"),
    ):
        if len(value.strip()) > 64:
            errors.append(InvalidValue(f"{label} can be at most 64 characters.", field=field))
    mail = draft.mail.strip()
    if mail and (not MAIL.match(mail) or len(mail) > NAME_MAX):
        errors.append(InvalidValue(f"'{mail}' is not a valid email address.", field="mail"))
    if draft.password:
        check(lambda: check_password(draft.password))
    raise_all(errors)
    return replace(
        draft,
        upn=upn,
        display_name=display_name,
        given_name=draft.given_name.strip(),
        surname=draft.surname.strip(),
        mail=mail,
    )


def _checked_upn(tenant: Tenant, upn: str, current: User | None) -> str:
    local, at, domain = upn.rpartition("@")
    if not at or not UPN_LOCAL.match(local) or ".." in local or local[0] == "." or local[-1] == ".":
        raise InvalidValue(
            f"'{upn}' is not a valid user principal name: use name@{tenant.domain}, where the "
            "name has letters, digits and . - _ ! # ^ ~ ' only.",
            field="upn",
        )
    if domain.casefold() != tenant.domain.casefold():
        raise InvalidValue(
            "The domain portion of the userPrincipalName property is invalid. You must use one "
            f"of the verified domain names in your organization: {tenant.domain}.",
            field="upn",
        )
    other = tenant.user_by_upn(upn)
    # The admin is a directory object in Entra too: no user can be created or renamed onto its
    # UPN (an SP keyed on the NameID alone would take that user for the admin).
    is_admin = bool(tenant.admin_upn) and upn.casefold() == tenant.admin_upn.casefold()
    if is_admin or (other is not None and other is not current):
        raise AlreadyExists(
            "Another object with the same value for property userPrincipalName already exists.",
            field="upn",
        )
    return upn
