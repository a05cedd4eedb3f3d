"""Graph request bodies and `$filter`s, checked completely before anything changes.

Every operation reads and validates the whole body first and then applies it, so a request
that is refused (unknown property, wrong type, a rule broken) leaves the tenant as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from mock_idp import schema
from mock_idp.admin import apps, assignments, basic_saml, directory, gallery, token_signing
from mock_idp.admin.assignments import DEFAULT_ACCESS, Assignment
from mock_idp.admin.basic_saml import BasicSamlConfig
from mock_idp.admin.directory import UserDraft
from mock_idp.admin.errors import InvalidValue
from mock_idp.admin.graph_json import HIDE_APP
from mock_idp.tenant import EnterpriseApp, Group, SigningCertificate, Tenant, User

T = TypeVar("T")
NewGuid = Callable[[], str]
FILTER = re.compile(r"^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$")


class Body:
    """A JSON object with only the properties this endpoint supports, read by type."""

    def __init__(self, data: object, kind: str, allowed: Collection[str]) -> None:
        if not isinstance(data, dict):
            raise InvalidValue(f"The request body must be a JSON object ({kind}).")
        for name in data:
            if name not in allowed and not name.startswith("@odata"):
                raise InvalidValue(
                    f"Property '{name}' is not supported on '{kind}' by the mock; supported: "
                    f"{', '.join(sorted(allowed))}."
                )
        self.data: Mapping[str, Any] = data
        self.kind = kind

    def has(self, name: str) -> bool:
        return name in self.data

    def _typed(self, name: str, kind: type[T], label: str, *, required: bool) -> T | None:
        if name not in self.data:
            if required:
                raise InvalidValue(f"Property '{name}' is required on '{self.kind}'.")
            return None
        value = self.data[name]
        if value is None or not isinstance(value, kind):
            raise InvalidValue(f"Property '{name}' on '{self.kind}' must be {label}.")
        return value

    def text(self, name: str, *, required: bool = False) -> str | None:
        return self._typed(name, str, "a string", required=required)

    def nullable_text(self, name: str) -> str:
        """A string property where null clears the value."""
        return "" if self.data.get(name) is None else self.text(name) or ""

    def flag(self, name: str, *, required: bool = False) -> bool | None:
        return self._typed(name, bool, "true or false", required=required)

    def texts(self, name: str) -> list[str] | None:
        values = self._typed(name, list, "an array of strings", required=False)
        if values is not None and not all(isinstance(v, str) for v in values):
            raise InvalidValue(f"Property '{name}' on '{self.kind}' must be an array of strings.")
        return values

    def nested(self, name: str, kind: str, allowed: Collection[str]) -> Body | None:
        value = self.data.get(name)
        return None if value is None else Body(value, f"{self.kind}.{name}", allowed)


USER = ("accountEnabled", "displayName", "mailNickname", "userPrincipalName", "passwordProfile")
# The user's properties Graph may clear with null, and those it may not (from the schema).
USER_OPTIONAL = tuple(str(f.graph) for f in schema.USER if f.graph and f.nullable)
USER_TEXTS = tuple(
    (str(f.graph), f.attr) for f in schema.USER if f.kind == "text" and f.graph not in ("", "id")
)
_PROFILE = ("password", "forceChangePasswordNextSignIn")


def create_user(tenant: Tenant, data: object, *, new_guid: NewGuid) -> User:
    """POST /users: Graph's required properties, plus givenName, surname and mail."""
    body = Body(data, "user", (*USER, *USER_OPTIONAL))
    profile = body.nested("passwordProfile", "passwordProfile", _PROFILE)
    if profile is None:
        raise InvalidValue("Property 'passwordProfile' is required on 'user'.")
    body.text("mailNickname", required=True)
    draft = UserDraft(
        upn=body.text("userPrincipalName", required=True) or "",
        display_name=body.text("displayName", required=True) or "",
        given_name=body.text("givenName") or "",
        surname=body.text("surname") or "",
        mail=body.text("mail") or "",
        password=profile.text("password", required=True) or "",
        enabled=bool(body.flag("accountEnabled", required=True)),
    )
    return directory.create_user(tenant, draft, new_guid=new_guid)


def update_user(tenant: Tenant, current: User, data: object) -> None:
    """PATCH /users/{id}: any of the properties POST takes."""
    body = Body(data, "user", (*USER, *USER_OPTIONAL))
    profile = body.nested("passwordProfile", "passwordProfile", _PROFILE)
    draft = UserDraft.of(current)
    changes: dict[str, Any] = {}
    for prop, attr in USER_TEXTS:
        if body.has(prop):
            changes[attr] = body.nullable_text(prop) if prop in USER_OPTIONAL else body.text(prop)
    if body.has("accountEnabled"):
        changes["enabled"] = body.flag("accountEnabled")
    if profile is not None:
        changes["password"] = profile.text("password", required=True)
    directory.update_user(tenant, current, replace(draft, **changes))


def create_group(tenant: Tenant, data: object, *, new_guid: NewGuid) -> Group:
    allowed = ("displayName", "description", "mailEnabled", "mailNickname", "securityEnabled")
    body = Body(data, "group", allowed)
    if body.flag("mailEnabled") or body.flag("securityEnabled") is False:
        raise InvalidValue(
            "The mock has security groups only: mailEnabled false, securityEnabled true."
        )
    name = body.text("displayName", required=True) or ""
    return directory.create_group(tenant, name, body.text("description") or "", new_guid=new_guid)


def member_ref(tenant: Tenant, data: object) -> User:
    """`{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}`."""
    if not isinstance(data, dict) or not isinstance(data.get("@odata.id"), str):
        raise InvalidValue('The body must be {"@odata.id": "…/directoryObjects/{user id}"}.')
    return directory.user(tenant, data["@odata.id"].rstrip("/").rsplit("/", 1)[-1])


def instantiate(
    tenant: Tenant, template_id: str, data: object, *, now: datetime, new_guid: NewGuid
) -> EnterpriseApp:
    """POST /applicationTemplates/{id}/instantiate `{"displayName": …}`."""
    name = Body(data, "applicationTemplate.instantiate", ("displayName",)).text(
        "displayName", required=True
    )
    if template_id.strip().lower() == gallery.NON_GALLERY_TEMPLATE_ID:
        return gallery.add_non_gallery(tenant, name or "", now=now, new_guid=new_guid)
    template = gallery.template_by_id(template_id)
    return gallery.add_from_gallery(tenant, template, name or "", now=now, new_guid=new_guid)


def patch_application(tenant: Tenant, app: EnterpriseApp, data: object) -> None:
    """PATCH /applications/{id}: identifierUris, web.redirectUris, web.logoutUrl, displayName."""
    body = Body(data, "application", ("identifierUris", "web", "displayName"))
    web = body.nested("web", "web", ("redirectUris", "logoutUrl"))
    config = BasicSamlConfig.of(app)
    identifiers = body.texts("identifierUris")
    if identifiers is not None:
        config = replace(config, identifiers=tuple(identifiers))
    if web is not None:
        redirects = web.texts("redirectUris")
        if redirects is not None:
            config = replace(config, reply_urls=tuple(redirects))
        if web.has("logoutUrl"):
            config = replace(config, logout_url=web.nullable_text("logoutUrl"))
    name = _display_name(body, app)
    basic_saml.apply(tenant, app, config, required=False)
    app.name = name


def patch_service_principal(tenant: Tenant, app: EnterpriseApp, data: object) -> None:
    """PATCH /servicePrincipals/{id}: SSO mode, Sign on URL, Relay State, properties, and
    preferredTokenSigningKeyThumbprint (Graph's "Make certificate active")."""
    allowed = (
        "preferredSingleSignOnMode", "loginUrl", "samlSingleSignOnSettings", "accountEnabled",
        "appRoleAssignmentRequired", "tags", "preferredTokenSigningKeyThumbprint", "displayName",
    )  # fmt: skip
    body = Body(data, "servicePrincipal", allowed)
    config = BasicSamlConfig.of(app)
    if body.has("loginUrl"):
        config = replace(config, sign_on_url=body.nullable_text("loginUrl"))
    saml = body.nested("samlSingleSignOnSettings", "samlSingleSignOnSettings", ("relayState",))
    if saml is not None and saml.has("relayState"):
        config = replace(config, relay_state=saml.nullable_text("relayState"))
    config = basic_saml.validate(config, app, required=False)
    mode = app.sso_mode
    if body.has("preferredSingleSignOnMode"):
        mode = _sso_mode(body.nullable_text("preferredSingleSignOnMode"))
    thumbprint = body.text("preferredTokenSigningKeyThumbprint")
    chosen = token_signing.find(app, thumbprint) if thumbprint else None
    enabled, required = body.flag("accountEnabled"), body.flag("appRoleAssignmentRequired")
    tags = body.texts("tags")
    name = _display_name(body, app)

    basic_saml.apply(tenant, app, config, required=False)
    app.sso_mode, app.name = mode, name
    if chosen is not None:
        token_signing.activate(app, chosen.pair.thumbprint)
    app.enabled = app.enabled if enabled is None else enabled
    app.assignment_required = app.assignment_required if required is None else required
    app.visible = app.visible if tags is None else HIDE_APP not in tags


def add_token_signing_certificate(
    app: EnterpriseApp, data: object, *, now: datetime
) -> SigningCertificate:
    """POST /servicePrincipals/{id}/addTokenSigningCertificate; the new one is Inactive."""
    body = Body(data, "addTokenSigningCertificate", ("displayName", "endDateTime"))
    subject = body.text("displayName", required=True) or ""
    end = body.text("endDateTime")
    return token_signing.new_certificate(
        app, now=now, expires=_instant(end) if end else None, subject=subject
    )


def assign(tenant: Tenant, app: EnterpriseApp, data: object) -> Assignment:
    """POST /servicePrincipals/{id}/appRoleAssignedTo `{principalId, resourceId, appRoleId}`."""
    body = Body(
        data, "appRoleAssignment", ("principalId", "resourceId", "appRoleId", "principalType")
    )
    principal_id = body.text("principalId", required=True) or ""
    resource_id = (body.text("resourceId", required=True) or "").strip().lower()
    if resource_id not in (app.object_id, app.app_id):
        raise InvalidValue(
            f"resourceId '{resource_id}' must be this service principal's id ({app.object_id})."
        )
    role = body.text("appRoleId")
    if role is not None and role != DEFAULT_ACCESS:
        raise InvalidValue(
            f"Permission being assigned was not found on application '{app.app_id}': "
            f"{app.name} defines no app roles, use Default Access ({DEFAULT_ACCESS})."
        )
    return assignments.assign(tenant, app, principal_id)


def filtered(
    items: Sequence[T], expression: str | None, fields: Mapping[str, Callable[[T], str]]
) -> list[T]:
    """`$filter=property eq 'value'` (case-insensitive), the one form the mock supports."""
    if not expression:
        return list(items)
    match = FILTER.match(expression)
    if match is None or match.group(1) not in fields:
        raise InvalidValue(
            f"Unsupported query $filter={expression!r}: the mock supports "
            f"`property eq 'value'` on {', '.join(fields)}."
        )
    get, wanted = fields[match.group(1)], match.group(2).replace("''", "'").casefold()
    return [item for item in items if get(item).casefold() == wanted]


def _display_name(body: Body, app: EnterpriseApp) -> str:
    name = body.text("displayName")
    return app.name if name is None else gallery.check_display_name(name)


def _sso_mode(value: str) -> str:
    mode = "" if value == "notSupported" else value
    if mode not in apps.SSO_MODES:
        raise InvalidValue(
            f"preferredSingleSignOnMode '{value}' is not supported by the mock: use saml "
            "(or notSupported / null for Disabled)."
        )
    return mode


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidValue(f"endDateTime '{text}' is not an ISO 8601 date and time.") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)
