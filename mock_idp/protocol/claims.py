"""Entra's claim URIs and how a user's attributes become the claims of a SAML token (§5)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

XMLSOAP = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
MS_IDENTITY = "http://schemas.microsoft.com/identity/claims/"

TENANT_ID = MS_IDENTITY + "tenantid"
OBJECT_ID = MS_IDENTITY + "objectidentifier"
DISPLAY_NAME = MS_IDENTITY + "displayname"
IDENTITY_PROVIDER = MS_IDENTITY + "identityprovider"
AUTHN_METHODS = (
    "http://schemas.microsoft.com/claims/authnmethodsreferences"  # /claims/, not /identity/
)
GIVEN_NAME = XMLSOAP + "givenname"
SURNAME = XMLSOAP + "surname"
EMAIL = XMLSOAP + "emailaddress"
NAME = XMLSOAP + "name"
GROUPS = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
GROUPS_LINK = "http://schemas.microsoft.com/claims/groups.link"

PASSWORD_METHOD = "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password"
MFA_METHOD = "http://schemas.microsoft.com/claims/multipleauthn"

EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
UNSPECIFIED_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
PERSISTENT_FORMAT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
TRANSIENT_FORMAT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
NAMEID_FORMATS = (EMAIL_FORMAT, UNSPECIFIED_FORMAT, PERSISTENT_FORMAT, TRANSIENT_FORMAT)

# Past this many groups Entra sends the groups.link overage claim instead (ED-saml-tokens).
GROUPS_LIMIT = 150

UserAttributes = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True, kw_only=True, slots=True)
class Claim:
    """One SAML Attribute: a claim URI and its values (repeated AttributeValue when several)."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class ClaimRule:
    """An "Attributes & Claims" row: claim name from a user attribute such as `user.givenname`."""

    name: str
    source: str


DEFAULT_RULES: tuple[ClaimRule, ...] = (
    ClaimRule(name=GIVEN_NAME, source="user.givenname"),
    ClaimRule(name=SURNAME, source="user.surname"),
    ClaimRule(name=EMAIL, source="user.mail"),
    ClaimRule(name=NAME, source="user.userprincipalname"),
)


def values_of(attributes: UserAttributes, source: str) -> tuple[str, ...]:
    """The non-empty values of a user attribute; empty attributes yield nothing."""
    raw = attributes.get(source, "")
    values = (raw,) if isinstance(raw, str) else tuple(raw)
    return tuple(v for v in values if v)


def release(
    attributes: UserAttributes,
    rules: Sequence[ClaimRule],
    *,
    tenant_id: str,
    idp_entity_id: str,
    auth_methods: Sequence[str],
    groups_link: str = "",
) -> tuple[Claim, ...]:
    """Claims in Entra's observed order: the restricted core claims, then the configured ones.

    Claims whose source is empty are left out, as Entra does.
    """
    core = (
        Claim(name=TENANT_ID, values=(tenant_id,)),
        Claim(name=OBJECT_ID, values=values_of(attributes, "user.objectid")),
        Claim(name=DISPLAY_NAME, values=values_of(attributes, "user.displayname")),
        Claim(name=IDENTITY_PROVIDER, values=(idp_entity_id,)),
        Claim(name=AUTHN_METHODS, values=tuple(auth_methods)),
    )
    configured: list[Claim] = []
    for rule in rules:
        values = values_of(attributes, rule.source)
        if rule.name == GROUPS and len(values) > GROUPS_LIMIT:
            configured.append(Claim(name=GROUPS_LINK, values=(groups_link,)))
            continue
        configured.append(Claim(name=rule.name, values=values))
    return tuple(c for c in (*core, *configured) if c.values)
