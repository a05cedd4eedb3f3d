"""The tenant the mock serves: users, enterprise apps, assignments and signing certificates.

Runtime changes (admin center, automation API) live in memory; `mock_idp.tenant_file` builds
a tenant from a tenant file (the keys are declared in `mock_idp.schema`), which is how a reset
works.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mock_idp.certificates import SigningPair
from mock_idp.protocol.claims import DEFAULT_RULES, EMAIL_FORMAT, ClaimRule

SigningOption = Literal["assertion", "response", "both"]


class TenantConfigError(ValueError):
    """The tenant file is not valid; the message names the file and each field at fault."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems) or (message,)


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
    # An authenticator app (RFC 6238: 6 digits, 30 s, SHA-1): Entra's "Enter code" step after
    # the password. Base32, as an authenticator's QR code carries it.
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
    # samples sts.windows.net (docs/reference/entra.md §9 [Unc]).
    logout_issuer_host: Literal["login.microsoftonline.com", "sts.windows.net"] = (
        "login.microsoftonline.com"
    )
    # Sign-in settings ([sign_in] in the tenant file): Company branding's "Show option to remain
    # signed in" (on in a new tenant) and smart lockout (Entra's defaults: 10 failures, 60 s).
    show_keep_signed_in: bool = True
    lockout_threshold: int = 10
    lockout_duration_seconds: int = 60
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


def __getattr__(name: str) -> Any:
    """`load_tenant` and `parse_tenant` moved to `mock_idp.tenant_file` (they apply the admin
    center's rules, which import this model); still importable from here."""
    if name in ("load_tenant", "parse_tenant"):
        from mock_idp import tenant_file

        return getattr(tenant_file, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
