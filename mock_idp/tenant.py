"""The tenant the mock serves: users, enterprise apps, assignments and signing certificates.

Runtime changes (admin center, automation API) live in memory; `load_tenant` rebuilds the
state from the config file, which is how a reset works.
"""

from __future__ import annotations

import threading
import tomllib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

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
class SigningCertificate:
    pair: SigningPair
    active: bool


@dataclass(kw_only=True, slots=True)
class EnterpriseApp:
    app_id: str
    name: str
    template: str | None = None
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
    assigned: set[str] = field(default_factory=set)  # user object IDs
    name_id_source: str = "user.userprincipalname"
    name_id_format: str = EMAIL_FORMAT
    claim_rules: list[ClaimRule] = field(default_factory=lambda: list(DEFAULT_RULES))

    @property
    def active_certificate(self) -> SigningCertificate:
        for cert in self.certificates:
            if cert.active:
                return cert
        raise LookupError(f"app {self.name} has no active signing certificate")


@dataclass(kw_only=True, slots=True)
class Tenant:
    tenant_id: str
    name: str
    domain: str
    users: dict[str, User] = field(default_factory=dict)  # by object ID
    apps: dict[str, EnterpriseApp] = field(default_factory=dict)  # by application ID
    admin_upn: str = ""
    admin_password: str = ""
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def issuer(self) -> str:
        """The Microsoft Entra Identifier: an identifier, never fetched, so the real form."""
        return f"https://sts.windows.net/{self.tenant_id}/"

    def user_by_upn(self, upn: str) -> User | None:
        wanted = upn.strip().casefold()
        return next((u for u in self.users.values() if u.upn.casefold() == wanted), None)

    def app_by_identifier(self, identifier: str) -> EnterpriseApp | None:
        return next((a for a in self.apps.values() if identifier in a.identifiers), None)


def load_tenant(path: Path, *, substitutions: Mapping[str, str], now: datetime) -> Tenant:
    """Read a tenant file; `{NAME}` placeholders in strings are replaced from `substitutions`."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TenantConfigError(f"{path}: {exc}") from exc
    data = _expand(raw, substitutions)
    try:
        return _build(data, base=path.parent, now=now)
    except (KeyError, TypeError, ValueError) as exc:
        raise TenantConfigError(f"{path}: {exc!r}") from exc


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
    )
    for row in data.get("users", []):
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
        )
        tenant.users[user.object_id] = user
    for row in data.get("apps", []):
        app = _build_app(row, tenant, base=base, now=now)
        tenant.apps[app.app_id] = app
    return tenant


def _build_app(row: dict[str, Any], tenant: Tenant, *, base: Path, now: datetime) -> EnterpriseApp:
    signing = row.get("signing", {})
    app = EnterpriseApp(
        app_id=row.get("app_id") or str(uuid.uuid4()),
        name=row["name"],
        template=row.get("template"),
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
    )
    for cert_row in row.get("certificates", [{"generate": True}]):
        app.certificates.append(_load_certificate(cert_row, base=base, now=now))
    if not any(c.active for c in app.certificates):
        app.certificates[0].active = True
    for upn in row.get("assigned", []):
        user = tenant.user_by_upn(upn)
        if user is None:
            raise ValueError(f"app {app.name!r} assigns unknown user {upn!r}")
        app.assigned.add(user.object_id)
    return app


def _load_certificate(row: dict[str, Any], *, base: Path, now: datetime) -> SigningCertificate:
    if row.get("generate"):
        pair = certificates.generate(now)
    else:
        pair = certificates.load(base / row["key"], base / row["cert"])
    return SigningCertificate(pair=pair, active=row.get("active", False))
