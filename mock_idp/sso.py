"""One sign-in from AuthnRequest to Response, with Entra's checks in Entra's order (§11).

Pure: the tenant, the clock and the ID source are passed in; views only move HTTP in and out.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Protocol

from lxml import etree

from mock_idp.protocol import claims, errors
from mock_idp.protocol.authn_request import check_policy, choose_reply_url, parse_authn_request
from mock_idp.protocol.response import Issuance, build_assertion, build_response
from mock_idp.protocol.signing import Signer
from mock_idp.protocol.xml import parse_saml_time, saml_time, to_bytes
from mock_idp.tenant import EnterpriseApp, Tenant, User

NewId = Callable[[], str]


@dataclass(frozen=True, kw_only=True, slots=True)
class PendingSignIn:
    """A validated request waiting for the user to sign in; kept in the mock's session."""

    app_id: str
    acs_url: str
    request_id: str | None = None  # None for IdP-initiated (Test this application, My Apps)
    relay_state: str | None = None
    name_id_format: str | None = None
    force_authn: bool = False
    is_passive: bool = False
    login_hint: str = ""

    def to_session(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_session(cls, data: Mapping[str, object]) -> PendingSignIn:
        return cls(**data)  # type: ignore[arg-type]


@dataclass(frozen=True, kw_only=True, slots=True)
class SignedInUser:
    """The mock's own session: who signed in, when, and how (AuthnInstant survives reuse)."""

    object_id: str
    authn_instant: datetime
    methods: tuple[str, ...] = (claims.PASSWORD_METHOD,)

    def to_session(self) -> dict[str, object]:
        return {
            "object_id": self.object_id,
            "authn_instant": saml_time(self.authn_instant),
            "methods": list(self.methods),
        }

    @classmethod
    def from_session(cls, data: Mapping[str, object]) -> SignedInUser:
        methods = data.get("methods", [claims.PASSWORD_METHOD])
        return cls(
            object_id=str(data["object_id"]),
            authn_instant=parse_saml_time(str(data["authn_instant"])),
            methods=tuple(methods) if isinstance(methods, list) else (),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class PostForm:
    """What the auto-submitting page posts to the ACS."""

    action: str
    saml_response: str
    relay_state: str | None


def receive(
    tenant: Tenant, xml: bytes, *, relay_state: str | None, login_hint: str = ""
) -> PendingSignIn:
    """Steps 1–6: parse, find the app by Issuer, check the Reply URL and the request policy."""
    request = parse_authn_request(xml)
    app = tenant.app_by_identifier(request.issuer)
    if app is None:
        raise errors.ApplicationNotFound(
            f"Application with identifier '{request.issuer}' was not found in the directory "
            f"'{tenant.name}'. This can happen if the application has not been installed by the "
            "administrator of the tenant or consented to by any user in the tenant. You may have "
            "sent your authentication request to the wrong tenant."
        )
    acs_url = choose_reply_url(request, app.reply_urls, app.app_id)
    check_policy(request)
    return PendingSignIn(
        app_id=app.app_id,
        acs_url=acs_url,
        request_id=request.id,
        relay_state=relay_state,
        name_id_format=request.name_id_format,
        force_authn=request.force_authn,
        is_passive=request.is_passive,
        login_hint=login_hint,
    )


def find_user(tenant: Tenant, upn: str) -> User:
    """First sign-in step: the account must exist in this directory."""
    user = tenant.user_by_upn(upn)
    if user is None:
        raise errors.UserNotFound(
            f"The user account {{EmailHidden}} does not exist in the '{tenant.tenant_id}' "
            "directory. To sign into this application, the account must be added to the "
            "directory."
        )
    return user


def authenticate(tenant: Tenant, upn: str, password: str) -> User:
    """Step 7: password, then account state."""
    user = find_user(tenant, upn)
    if password != user.password:
        raise errors.InvalidPassword(
            "Error validating credentials due to invalid username or password."
        )
    if not user.enabled:
        raise errors.UserDisabled("The user account is disabled.")
    return user


def authorize(app: EnterpriseApp, user: User) -> None:
    """Step 8: the app must be enabled, and the user assigned when assignment is required."""
    if not app.enabled:
        raise errors.ApplicationDisabled(f"Application '{app.app_id}'({app.name}) is disabled.")
    if app.assignment_required and user.object_id not in app.assigned:
        raise errors.UserNotAssigned(
            f"Your administrator has configured the application {app.name} ('{app.app_id}') to "
            "block users unless they are specifically granted ('assigned') access to the "
            "application. The signed in user '{EmailHidden}' is blocked because they are not a "
            "direct member of a group with access, nor had access directly assigned by an "
            "administrator. Please contact your administrator to assign access to this "
            "application."
        )


def name_id_for(
    tenant: Tenant, app: EnterpriseApp, user: User, requested: str | None, new_id: NewId
) -> tuple[str, str]:
    """NameID value and Format; a requested format wins over the configured one (§5)."""
    fmt = requested or app.name_id_format
    if fmt == claims.TRANSIENT_FORMAT:
        return new_id().lstrip("_"), fmt
    if fmt == claims.PERSISTENT_FORMAT:
        digest = hashlib.sha256(f"{tenant.tenant_id}|{app.app_id}|{user.object_id}".encode())
        return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("="), fmt
    values = claims.values_of(user.attributes(), app.name_id_source)
    return (values[0] if values else ""), fmt


def issuance_for(
    tenant: Tenant,
    app: EnterpriseApp,
    user: User,
    pending: PendingSignIn,
    signed_in: SignedInUser,
    *,
    new_id: NewId,
) -> Issuance:
    """Everything the token will say, decided before any XML is built."""
    name_id, name_id_format = name_id_for(tenant, app, user, pending.name_id_format, new_id)
    return Issuance(
        issuer=tenant.issuer,
        destination=pending.acs_url,
        in_response_to=pending.request_id,
        audience=app.identifiers[0],
        name_id=name_id,
        name_id_format=name_id_format,
        claims=claims.release(
            user.attributes(),
            app.claim_rules,
            tenant_id=tenant.tenant_id,
            idp_entity_id=tenant.issuer,
            auth_methods=signed_in.methods,
        ),
        authn_instant=signed_in.authn_instant,
    )


class Deliver(Protocol):
    """Turns an Issuance into the auto-post form. `entra_delivery` is what Entra does; the fault
    catalogue (test mode) supplies others that start from the same Issuance and signing path."""

    def __call__(
        self,
        app: EnterpriseApp,
        issuance: Issuance,
        form: PostForm,
        *,
        now: datetime,
        new_id: NewId,
    ) -> PostForm: ...


def entra_delivery(
    app: EnterpriseApp, issuance: Issuance, form: PostForm, *, now: datetime, new_id: NewId
) -> PostForm:
    """Sign as the app is configured and put the base64 of the compact XML in the form."""
    document = sign_as_configured(app, issuance, now=now, new_id=new_id)
    return replace(form, saml_response=base64.b64encode(to_bytes(document)).decode("ascii"))


def issue(
    tenant: Tenant,
    app: EnterpriseApp,
    user: User,
    pending: PendingSignIn,
    signed_in: SignedInUser,
    *,
    now: datetime,
    new_id: NewId,
    deliver: Deliver = entra_delivery,
) -> PostForm:
    """Step 9: build, sign as the app is configured, and hand back the auto-post form."""
    issuance = issuance_for(tenant, app, user, pending, signed_in, new_id=new_id)
    form = PostForm(
        action=pending.acs_url,
        saml_response="",
        # SP-initiated: echo what the SP sent; IdP-initiated: the configured Relay State.
        relay_state=pending.relay_state if pending.request_id else (app.relay_state or None),
    )
    return deliver(app, issuance, form, now=now, new_id=new_id)


def sign_as_configured(
    app: EnterpriseApp, issuance: Issuance, *, now: datetime, new_id: NewId
) -> etree._Element:
    """Entra's signing options: assertion (default), response, or both (assertion first)."""
    signer = Signer(pair=app.active_certificate.pair)
    algorithm = app.signing_algorithm
    assertion = build_assertion(issuance, now=now, new_id=new_id)
    if app.signing_option in ("assertion", "both"):
        assertion = signer.sign(assertion, algorithm=algorithm)
    response = build_response(issuance, assertion, now=now, new_id=new_id)
    if app.signing_option in ("response", "both"):
        response = signer.sign(response, algorithm=algorithm)
    return response
