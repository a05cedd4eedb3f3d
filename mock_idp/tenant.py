"""The tenant the mock serves: users, enterprise apps, assignments and signing certificates.

Runtime changes (admin center, automation API) live in memory; `load_tenant` rebuilds the
state from the config file, which is how a reset works.
"""

from __future__ import annotations

import base64
import threading
import tomllib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mock_idp import certificates
from mock_idp.certificates import SigningPair
from mock_idp.protocol.claims import DEFAULT_RULES, EMAIL_FORMAT, ClaimRule

SigningOption = Literal["assertion", "response", "both"]


class TenantConfigError(ValueError):
    """The tenant file is not valid; the message names the file and the field."""


@dataclass(kw_only=True, slots=True)
class User:
    object_id: str
    upn: str
    display_name: str
    given_name: str = ""
    surname: str = ""
    mail: str = ""
    password: str
    enabled: bool = True
    groups: tuple[str, ...] = ()
    mfa: bool = False  # a second sign-in step with the fixed test code (no `totp_secret`)
    # An authenticator app (RFC 6238, 6 digits, 30 s): Entra's "Enter code" step after the
    # password. Base32, as an authenticator's QR code carries it.
    totp_secret: str = ""

    @property
    def has_mfa(self) -> bool:
        return self.mfa or bool(self.totp_secret)

    def attributes(self) -> dict[str, str | tuple[str, ...]]:
        """The user's attributes under the names Entra's claim editor uses."""
        return {
            "user.userprincipalname": self.upn,
            "user.objectid": self.object_id,
            "user.displayname": self.display_name,
            "user.givenname": self.given_name,
            "user.surname": self.surname,
            "user.mail": self.mail,
            "user.groups": self.groups,
        }


@dataclass(kw_only=True, slots=True)
class Group:
    """A security group; membership lives on `User.groups` (what the groups claim reads)."""

    object_id: str
    display_name: str
    description: str = ""


@dataclass(kw_only=True, slots=True)
class SigningCertificate:
    pair: SigningPair
    active: bool
    # (key, cert) files it was loaded from; None when generated or inline, exported as PEM then.
    source: tuple[Path, Path] | None = None


@dataclass(kw_only=True, slots=True)
class EnterpriseApp:
    app_id: str
    name: str
    object_id: str = ""  # the service principal's object ID (Graph /servicePrincipals/{id})
    application_object_id: str = ""  # the application object's ID (Graph /applications/{id})
    template: str | None = None
    sso_mode: str = "saml"  # preferredSingleSignOnMode: "saml", or "" before a method is chosen
    identifiers: list[str] = field(default_factory=list)
    reply_urls: list[str] = field(default_factory=list)
    sign_on_url: str = ""
    relay_state: str = ""
    logout_url: str = ""
    enabled: bool = True
    assignment_required: bool = True
    visible: bool = True
    signing_option: SigningOption = "assertion"
    signing_algorithm: Literal["sha256", "sha1"] = "sha256"
    certificates: list[SigningCertificate] = field(default_factory=list)
    assigned: set[str] = field(default_factory=set)  # user and group object IDs
    name_id_source: str = "user.userprincipalname"
    name_id_format: str = EMAIL_FORMAT
    claim_rules: list[ClaimRule] = field(default_factory=lambda: list(DEFAULT_RULES))
    # "Require verification certificates": AuthnRequests and LogoutRequests must be signed by
    # one of these (PEM texts); IdP-initiated sign-in is then disabled, as in Entra.
    require_signed_requests: bool = False
    verification_certificates: list[str] = field(default_factory=list)
    # Fault catalogue (mock_idp/faults): a case name for every response, or a list of case
    # names for the next responses. Checked against the catalogue when the app starts.
    scenario: str | tuple[str, ...] = ""

    @property
    def active_certificate(self) -> SigningCertificate:
        for cert in self.certificates:
            if cert.active:
                return cert
        raise LookupError(f"app {self.name} has no active signing certificate")

    def is_assigned(self, user: User) -> bool:
        """Assigned directly, or through a directly assigned group (no nesting, as Entra)."""
        return user.object_id in self.assigned or any(g in self.assigned for g in user.groups)


@dataclass(kw_only=True, slots=True)
class SignInSettings:
    """Tenant-wide sign-in settings: Company branding's "Show option to remain signed in"
    (default on, as in a new tenant) and smart lockout (threshold 10, 60 s by default)."""

    show_keep_signed_in: bool = True
    lockout_threshold: int = 10
    lockout_duration_seconds: int = 60


@dataclass(kw_only=True, slots=True)
class Tenant:
    tenant_id: str
    name: str
    domain: str
    users: dict[str, User] = field(default_factory=dict)  # by object ID
    apps: dict[str, EnterpriseApp] = field(default_factory=dict)  # by application ID
    groups: dict[str, Group] = field(default_factory=dict)  # by object ID
    admin_upn: str = ""
    admin_password: str = ""
    # Host in the LogoutResponse Issuer: current docs say login.microsoftonline.com, older
    # samples sts.windows.net (entra-saml.md §9 [Unc]).
    logout_issuer_host: Literal["login.microsoftonline.com", "sts.windows.net"] = (
        "login.microsoftonline.com"
    )
    sign_in: SignInSettings = field(default_factory=SignInSettings)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def issuer(self) -> str:
        """The Microsoft Entra Identifier: an identifier, never fetched, so the real form."""
        return f"https://sts.windows.net/{self.tenant_id}/"

    def user_by_upn(self, upn: str) -> User | None:
        wanted = upn.strip().casefold()
        return next((u for u in self.users.values() if u.upn.casefold() == wanted), None)

    @property
    def logout_issuer(self) -> str:
        return f"https://{self.logout_issuer_host}/{self.tenant_id}/"

    def app_by_identifier(self, identifier: str) -> EnterpriseApp | None:
        return next((a for a in self.apps.values() if identifier in a.identifiers), None)


def load_tenant(path: Path, *, substitutions: Mapping[str, str], now: datetime) -> Tenant:
    """Read a tenant file; `{NAME}` placeholders in strings are replaced from `substitutions`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TenantConfigError(f"{path}: {exc}") from exc
    return parse_tenant(
        text, source=str(path), base=path.parent, substitutions=substitutions, now=now
    )


def parse_tenant(
    text: str, *, source: str, base: Path, substitutions: Mapping[str, str], now: datetime
) -> Tenant:
    """A tenant from TOML text (a file, or an upload); relative paths resolve against `base`."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TenantConfigError(f"{source}: {exc}") from exc
    data = _expand(raw, substitutions)
    try:
        return _build(data, base=base, now=now)
    except KeyError as exc:
        raise TenantConfigError(f"{source}: missing field {exc}") from exc
    except (TypeError, ValueError, AttributeError, OSError) as exc:  # wrong types too
        raise TenantConfigError(f"{source}: {exc}") from exc


def _expand(value: Any, subs: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for name, replacement in subs.items():
            value = value.replace("{" + name + "}", replacement)
        return value
    if isinstance(value, list):
        return [_expand(v, subs) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, subs) for k, v in value.items()}
    return value


def _build(data: dict[str, Any], *, base: Path, now: datetime) -> Tenant:
    meta = data["tenant"]
    tenant = Tenant(
        tenant_id=str(uuid.UUID(meta["id"])),
        name=meta["name"],
        domain=meta["domain"],
        admin_upn=data.get("admin", {}).get("upn", ""),
        admin_password=data.get("admin", {}).get("password", ""),
        logout_issuer_host=_one_of(
            meta.get("logout_issuer_host", "login.microsoftonline.com"),
            ("login.microsoftonline.com", "sts.windows.net"),
            "tenant.logout_issuer_host",
        ),
        sign_in=_sign_in_settings(data.get("sign_in", {})),
    )
    for row in data.get("groups", []):
        group = Group(
            object_id=str(uuid.UUID(row.get("object_id") or str(uuid.uuid4()))),
            display_name=row["display_name"],
            description=row.get("description", ""),
        )
        if group.object_id in tenant.groups:
            raise ValueError(f"two groups have the object ID {group.object_id!r}")
        tenant.groups[group.object_id] = group
    for row in data.get("users", []):
        if tenant.user_by_upn(row["upn"]) is not None:
            raise ValueError(f"two users have the userPrincipalName {row['upn']!r}")
        user = User(
            object_id=row.get("object_id") or str(uuid.uuid4()),
            upn=row["upn"],
            display_name=row.get("display_name", row["upn"]),
            given_name=row.get("given_name", ""),
            surname=row.get("surname", ""),
            mail=row.get("mail", ""),
            password=row["password"],
            enabled=row.get("enabled", True),
            groups=tuple(row.get("groups", ())),
            mfa=row.get("mfa", False),
            totp_secret=_totp_secret(row.get("totp_secret", ""), row["upn"]),
        )
        tenant.users[user.object_id] = user
    _add_members(tenant, data.get("groups", []))
    for row in data.get("apps", []):
        app = _build_app(row, tenant, base=base, now=now)
        for identifier in app.identifiers:
            if tenant.app_by_identifier(identifier) is not None:
                raise ValueError(f"two apps have the Identifier {identifier!r}")
        tenant.apps[app.app_id] = app
    return tenant


def _add_members(tenant: Tenant, rows: list[dict[str, Any]]) -> None:
    """`[[groups]] members = [UPN, …]` adds the group to each member's `groups`."""
    for row, group_id in zip(rows, tenant.groups, strict=True):
        for upn in row.get("members", []):
            user = tenant.user_by_upn(upn)
            if user is None:
                raise ValueError(f"group {row['display_name']!r} has unknown member {upn!r}")
            if group_id not in user.groups:
                user.groups = (*user.groups, group_id)


def _scenario(value: object) -> str | tuple[str, ...]:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"scenario must be a case name or a list of case names, not {value!r}")


def _build_app(row: dict[str, Any], tenant: Tenant, *, base: Path, now: datetime) -> EnterpriseApp:
    signing = row.get("signing", {})
    name_id = row.get("name_id", {})
    app = EnterpriseApp(
        app_id=row.get("app_id") or str(uuid.uuid4()),
        name=row["name"],
        object_id=row.get("object_id") or str(uuid.uuid4()),
        application_object_id=row.get("application_object_id") or str(uuid.uuid4()),
        template=row.get("template"),
        sso_mode=row.get("sso_mode", "saml"),
        identifiers=list(row.get("identifiers", [])),
        reply_urls=list(row.get("reply_urls", [])),
        sign_on_url=row.get("sign_on_url", ""),
        relay_state=row.get("relay_state", ""),
        logout_url=row.get("logout_url", ""),
        enabled=row.get("enabled", True),
        assignment_required=row.get("assignment_required", True),
        visible=row.get("visible", True),
        signing_option=signing.get("option", "assertion"),
        signing_algorithm=signing.get("algorithm", "sha256"),
        name_id_source=name_id.get("source", "user.userprincipalname"),
        name_id_format=name_id.get("format", EMAIL_FORMAT),
        require_signed_requests=row.get("require_signed_requests", False),
        verification_certificates=[
            _pem_text(v, base=base) for v in row.get("verification_certificates", [])
        ],
        scenario=_scenario(row.get("scenario", "")),
    )
    if app.require_signed_requests and not app.verification_certificates:
        raise ValueError(f"app {app.name!r} requires signed requests but has no certificate")
    if "claims" in row:
        app.claim_rules = [ClaimRule(name=c["name"], source=c["source"]) for c in row["claims"]]
    for cert_row in row.get("certificates", [{"generate": True}]):
        app.certificates.append(_load_certificate(cert_row, base=base, now=now))
    if not app.certificates:
        raise ValueError(f"app {app.name!r} has no signing certificate")
    if sum(c.active for c in app.certificates) > 1:
        raise ValueError(f"app {app.name!r} has more than one active certificate")
    if not any(c.active for c in app.certificates):
        app.certificates[0].active = True
    for upn in row.get("assigned", []):
        user = tenant.user_by_upn(upn)
        if user is None:
            raise ValueError(f"app {app.name!r} assigns unknown user {upn!r}")
        app.assigned.add(user.object_id)
    for group_ref in row.get("assigned_groups", []):
        group = next(
            (g for g in tenant.groups.values() if group_ref in (g.object_id, g.display_name)), None
        )
        if group is None:
            raise ValueError(f"app {app.name!r} assigns unknown group {group_ref!r}")
        app.assigned.add(group.object_id)
    return app


def _load_certificate(row: dict[str, Any], *, base: Path, now: datetime) -> SigningCertificate:
    active = row.get("active", False)
    if row.get("generate"):
        return SigningCertificate(pair=certificates.generate(now), active=active)
    if "key_pem" in row or "cert_pem" in row:
        return SigningCertificate(pair=_pair_from_pem(row), active=active)
    key_path, cert_path = base / row["key"], base / row["cert"]
    pair = certificates.load(key_path, cert_path)
    return SigningCertificate(pair=pair, active=active, source=(key_path, cert_path))


def _pair_from_pem(row: dict[str, Any]) -> SigningPair:
    """An inline pair, as the export writes generated certificates."""
    key = serialization.load_pem_private_key(row["key_pem"].encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("key_pem is not an RSA private key")
    cert = x509.load_pem_x509_certificate(row["cert_pem"].encode())
    return SigningPair(key=key, cert=cert)


def _sign_in_settings(row: dict[str, Any]) -> SignInSettings:
    unknown = set(row) - set(SignInSettings.__dataclass_fields__)
    if unknown:
        raise ValueError(f"sign_in has unknown field(s) {', '.join(sorted(unknown))}")
    settings = SignInSettings(**row)
    if not isinstance(settings.show_keep_signed_in, bool):
        raise ValueError("sign_in.show_keep_signed_in must be true or false")
    for name in ("lockout_threshold", "lockout_duration_seconds"):
        value = getattr(settings, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"sign_in.{name} must be a whole number of at least 1, not {value!r}")
    return settings


def _totp_secret(value: object, upn: str) -> str:
    """A base32 secret (RFC 4648, as authenticator apps take it); spaces are ignored."""
    if not isinstance(value, str):
        raise ValueError(f"users.totp_secret of {upn!r} must be a base32 text")
    secret = value.replace(" ", "").upper()
    if not secret:
        return ""
    try:
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    except ValueError as exc:
        raise ValueError(f"users.totp_secret of {upn!r} is not base32: {exc}") from exc
    if len(key) * 8 < 112:  # pyotp's floor; RFC 4226 asks for 128 and recommends 160
        raise ValueError(f"users.totp_secret of {upn!r} must be at least 112 bits (23 characters)")
    return secret


def _one_of(value: Any, allowed: tuple[str, ...], name: str) -> Any:
    if value not in allowed:
        raise ValueError(f"{name} is {value!r}; expected one of {', '.join(allowed)}")
    return value


def _pem_text(value: str, *, base: Path) -> str:
    """A verification certificate: inline PEM, or a path to a PEM file; checked at load."""
    text = value if value.lstrip().startswith("-----BEGIN") else (base / value).read_text()
    x509.load_pem_x509_certificate(text.encode())
    return text
