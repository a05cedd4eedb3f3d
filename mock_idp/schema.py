"""The one tenant schema: every setting's tenant-file key, model attribute, Graph property,
label and simple rule, read by the tenant file loader (`mock_idp.tenant_file`), the export
(`mock_idp.admin.export`) and the Graph-shaped API (`mock_idp.admin.graph_json`/`graph_input`).

The rules that need the whole tenant (a UPN in the tenant's domain, an Identifier used by one
app, Basic SAML Configuration's URL rules, password complexity…) live in `mock_idp.admin`, and
every way in calls them: the admin center, the Graph-shaped API, the tenant file (uploaded or
given on the command line) and the Python client (`mock_idp.testing`), which speaks Graph. So
a value one of them accepts, all accept, and a refusal has the same text everywhere, prefixed
in a tenant file by where the value is (`apps[0].reply_urls: Reply URL '…' must use https…`).

Adding a setting is one line here plus the attribute on the model (`mock_idp/tenant.py`):

    # a tenant-wide setting, `[sign_in] lockout_threshold = 10` in the tenant file:
    Field(key="sign_in.lockout_threshold", attr="lockout_threshold", kind="int", default=10,
          label="Lockout threshold", check=at_least(1))          # in TENANT
    # a per-user setting, `totp_secret = "…"` in a `[[users]]` table:
    Field(key="totp_secret", attr="totp_secret", label="TOTP secret")   # in USER

Loading, export (and so export → reset round trips), type checks and "unknown key, did you
mean …" then cover it; give it `graph=` to show it in the Graph JSON of that object too.
A dotted `key` is a key of a sub-table (`signing.option` is `signing = { option = … }`).
Fields marked `special` are read and written by the loader and the export themselves
(references to other objects, certificates); they are listed here so the key is known.
"""

from __future__ import annotations

import base64
import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from mock_idp.admin.errors import InvalidValue
from mock_idp.protocol.claims import EMAIL_FORMAT

Kind = Literal["text", "flag", "int", "texts", "any"]
_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "text": ((str,), "a string"),
    "flag": ((bool,), "true or false"),
    "int": ((int,), "an integer"),
    "texts": ((list,), "a list of strings"),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Field:
    key: str  # in the tenant file (dotted: a sub-table's key)
    attr: str = ""  # on the model object; "" when the loader handles it (special)
    kind: Kind = "text"
    label: str = ""
    default: Any = ""
    required: bool = False
    # The Graph v1.0 properties showing it: "name", or "object:name" for one of several objects
    # (an app is an `application` and a `servicePrincipal`); dotted names are nested objects.
    graph: str | tuple[str, ...] = ""
    nullable: bool = False  # Graph shows an empty value as null
    check: Callable[[Any], Any] | None = None  # a simple rule: value -> value, or InvalidValue
    special: bool = False

    @property
    def name(self) -> str:
        return self.label or self.key


def at_least(minimum: int) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value < minimum:
            raise InvalidValue(f"must be at least {minimum} (got {value}).")
        return value

    return check


def one_of(*allowed: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in allowed:
            raise InvalidValue(f"is {value!r}; expected one of {', '.join(allowed)}.")
        return value

    return check


def totp_secret(value: Any) -> Any:
    """A base32 secret of at least 112 bits, as authenticator apps take it; spaces ignored."""
    secret = str(value).replace(" ", "").upper()
    if not secret:
        return ""
    try:
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    except ValueError as exc:
        raise InvalidValue(f"is not base32 ({exc}).") from exc
    if len(key) * 8 < 112:  # pyotp's floor; RFC 4226 asks for 128 bits and recommends 160
        raise InvalidValue("must be at least 112 bits (23 base32 characters).")
    return secret


TENANT: tuple[Field, ...] = (
    Field(key="tenant.id", attr="tenant_id", required=True, label="Tenant ID", graph="id"),
    Field(key="tenant.name", attr="name", required=True, label="Name", graph="displayName"),
    Field(key="tenant.domain", attr="domain", required=True, label="Primary domain"),
    Field(
        key="tenant.logout_issuer_host",
        attr="logout_issuer_host",
        default="login.microsoftonline.com",
        check=one_of("login.microsoftonline.com", "sts.windows.net"),
    ),
    Field(key="admin.upn", attr="admin_upn", label="Admin account"),
    Field(key="admin.password", attr="admin_password", label="Admin password"),
    Field(key="sign_in.show_keep_signed_in", attr="show_keep_signed_in", kind="flag",
          default=True, label="Show option to remain signed in"),
    Field(key="sign_in.lockout_threshold", attr="lockout_threshold", kind="int", default=10,
          label="Lockout threshold", check=at_least(1)),
    Field(key="sign_in.lockout_duration_seconds", attr="lockout_duration_seconds", kind="int",
          default=60, label="Lockout duration in seconds", check=at_least(1)),
)  # fmt: skip

GROUP: tuple[Field, ...] = (
    Field(key="object_id", attr="object_id", label="Object ID", graph="id"),
    Field(key="display_name", attr="display_name", required=True, graph="displayName"),
    Field(key="description", attr="description", graph="description", nullable=True),
    Field(key="members", kind="texts", special=True),  # UPNs
)

USER: tuple[Field, ...] = (
    Field(key="object_id", attr="object_id", label="Object ID", graph="id"),
    Field(key="upn", attr="upn", required=True, label="User principal name",
          graph="userPrincipalName"),
    Field(key="display_name", attr="display_name", graph="displayName"),
    Field(key="given_name", attr="given_name", graph="givenName", nullable=True),
    Field(key="surname", attr="surname", graph="surname", nullable=True),
    Field(key="mail", attr="mail", graph="mail", nullable=True),
    Field(key="password", attr="password", required=True),
    Field(key="enabled", attr="enabled", kind="flag", default=True, graph="accountEnabled"),
    Field(key="mfa", attr="mfa", kind="flag", default=False),
    Field(key="totp_secret", attr="totp_secret", label="TOTP secret", check=totp_secret),
    Field(key="groups", kind="texts", special=True),  # group IDs without a [[groups]] entry
)  # fmt: skip

APP: tuple[Field, ...] = (
    Field(key="name", attr="name", required=True, label="Name",
          graph=("displayName", "servicePrincipal:appDisplayName")),
    Field(key="app_id", attr="app_id", label="Application ID", graph="appId"),
    Field(key="object_id", attr="object_id", label="Object ID", graph="servicePrincipal:id"),
    Field(key="application_object_id", attr="application_object_id", graph="application:id"),
    Field(key="template", attr="template", kind="any", default=None),
    Field(key="sso_mode", attr="sso_mode", default="saml", nullable=True,
          graph="servicePrincipal:preferredSingleSignOnMode"),
    Field(key="identifiers", attr="identifiers", kind="texts", default=(),
          graph="application:identifierUris"),
    Field(key="reply_urls", attr="reply_urls", kind="texts", default=(),
          graph=("application:web.redirectUris", "servicePrincipal:replyUrls")),
    Field(key="sign_on_url", attr="sign_on_url", nullable=True, graph="servicePrincipal:loginUrl"),
    Field(key="relay_state", attr="relay_state", nullable=True,
          graph="servicePrincipal:samlSingleSignOnSettings.relayState"),
    Field(key="logout_url", attr="logout_url", nullable=True,
          graph=("application:web.logoutUrl", "servicePrincipal:logoutUrl")),
    Field(key="enabled", attr="enabled", kind="flag", default=True,
          graph="servicePrincipal:accountEnabled"),
    Field(key="assignment_required", attr="assignment_required", kind="flag", default=True,
          graph="servicePrincipal:appRoleAssignmentRequired"),
    Field(key="visible", attr="visible", kind="flag", default=True),
    Field(key="assigned", kind="texts", special=True),  # UPNs
    Field(key="assigned_groups", kind="texts", special=True),  # group IDs or names
    Field(key="signing.option", attr="signing_option", default="assertion"),
    Field(key="signing.algorithm", attr="signing_algorithm", default="sha256"),
    Field(key="name_id.source", attr="name_id_source", default="user.userprincipalname"),
    Field(key="name_id.format", attr="name_id_format", default=EMAIL_FORMAT),
    Field(key="claims", kind="any", special=True),  # [{name, source}]
    Field(key="require_signed_requests", attr="require_signed_requests", kind="flag",
          default=False),
    Field(key="verification_certificates", kind="texts", special=True),  # PEM texts
    Field(key="scenario", attr="scenario", kind="any", special=True),
    Field(key="certificates", kind="any", special=True),
)  # fmt: skip

CERTIFICATE_KEYS = ("generate", "active", "key_pem", "cert_pem", "key", "cert")
CLAIM_KEYS = ("name", "source")
TOP_LEVEL = ("tenant", "admin", "users", "groups", "apps")


class Problems:
    """The errors found in one tenant file, each prefixed by where it is."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, where: str, message: str) -> None:
        where = where.strip(".")
        self.messages.append(f"{where}: {message}" if where else message)


def _get(row: Mapping[str, Any], key: str) -> tuple[bool, Any]:
    node: Any = row
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def check_keys(
    row: object, fields: Sequence[Field], where: str, problems: Problems, extra: Sequence[str] = ()
) -> Mapping[str, Any]:
    """`row` as a table whose keys (and sub-tables' keys) are all known; else {} and a problem."""
    if not isinstance(row, Mapping):
        problems.add(where, "must be a table")
        return {}
    known: dict[str, set[str]] = {"": set(extra)}
    for f in fields:
        prefix, _, last = f.key.rpartition(".")
        known.setdefault(prefix, set()).add(last)
        if prefix:
            known[""].add(prefix)
    for prefix, names in known.items():
        found, table = _get(row, prefix) if prefix else (True, row)
        if not found:
            continue
        if not isinstance(table, Mapping):
            problems.add(f"{where}.{prefix}".strip("."), "must be a table")
            continue
        for name in table:
            if name not in names:
                close = difflib.get_close_matches(name, sorted(names), n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                problems.add(
                    where, f"unknown key '{'.'.join(filter(None, (prefix, name)))}'.{hint}"
                )
    return row


def read(
    row: Mapping[str, Any], fields: Sequence[Field], where: str, problems: Problems
) -> dict[str, Any]:
    """The plain fields of a table by model attribute: typed, checked, defaults filled in."""
    values: dict[str, Any] = {}
    for f in fields:
        if f.special:
            continue
        found, value = _get(row, f.key)
        at = f"{where}.{f.key}".strip(".")
        if not found:
            if f.required:
                problems.add(at, f"missing field '{f.key.rsplit('.', 1)[-1]}'")
            values[f.attr] = f.default
            continue
        if f.kind in _TYPES:
            types, label = _TYPES[f.kind]
            bad_item = f.kind == "texts" and not all(isinstance(v, str) for v in value)
            if not isinstance(value, types) or isinstance(value, bool) != (f.kind == "flag"):
                problems.add(at, f"must be {label}, not {value!r}")
                continue
            if bad_item:
                problems.add(at, f"must be {label}")
                continue
        if f.check is not None:
            try:
                value = f.check(value)
            except InvalidValue as error:
                problems.add(at, f"{f.name} {error.message}")
                continue
        values[f.attr] = value
    return values


def write(
    obj: object, fields: Sequence[Field], into: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The plain fields of a model object as tenant-file keys (sub-tables for dotted keys)."""
    doc: dict[str, Any] = {} if into is None else into
    for f in fields:
        if f.special:
            continue
        value = getattr(obj, f.attr)
        if f.attr == "template" and value is None:
            continue  # TOML has no null
        node = doc
        *tables, last = f.key.split(".")
        for table in tables:
            node = node.setdefault(table, {})
        node[last] = list(value) if isinstance(value, (list, tuple)) else value
    return doc


def write_defaults(fields: Sequence[Field]) -> dict[str, Any]:
    """What `write` gives for an object whose plain fields all hold their defaults."""
    doc: dict[str, Any] = {}
    for f in fields:
        if not f.special:
            *tables, last = f.key.split(".")
            node = doc
            for table in tables:
                node = node.setdefault(table, {})
            node[last] = list(f.default) if isinstance(f.default, tuple) else f.default
    return doc


def graph(obj: object, fields: Sequence[Field], kind: str = "") -> dict[str, Any]:
    """The fields Graph shows for this object (of `kind`, for "kind:name" properties)."""
    shown: dict[str, Any] = {}
    for f in fields:
        for name in (f.graph,) if isinstance(f.graph, str) else f.graph:
            of, _, prop = name.rpartition(":")
            if not prop or of not in ("", kind):
                continue
            value = getattr(obj, f.attr)
            value = list(value) if isinstance(value, (list, tuple)) else value
            node = shown
            *parents, last = prop.split(".")
            for parent in parents:
                node = node.setdefault(parent, {})
            node[last] = None if f.nullable and value in ("", None) else value
    return shown
