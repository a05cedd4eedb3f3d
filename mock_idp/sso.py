"""One sign-in from AuthnRequest to Response, with Entra's checks in Entra's order (§11).

Pure: the tenant, the clock and the ID source are passed in; views only move HTTP in and out.
Steps 1–6 (the request) are in `request_checks.py`; the sign-in pages' flow (lockout, code,
"Stay signed in?") in `signin.py`; here: session reuse (IsPassive, ForceAuthn), the account
checks (50034, 50126, 50057), authentication context (75011) → app enabled (7000112) →
assignment (50105) → token (501241), and the error Responses posted to the ACS.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from lxml import etree

from mock_idp import certificates
from mock_idp.protocol import claims, errors
from mock_idp.protocol.authn_request import satisfied_class
from mock_idp.protocol.response import (
    Issuance,
    build_assertion,
    build_error_response,
    build_response,
)
from mock_idp.protocol.signing import Signer
from mock_idp.protocol.xml import to_bytes
from mock_idp.sessions import Participant, PendingSignIn, SignedInUser
from mock_idp.tenant import EnterpriseApp, Tenant, User

__all__ = ["Participant", "PendingSignIn", "SignedInUser"]  # re-exported: the session types

NewId = Callable[[], str]


@dataclass(frozen=True, kw_only=True, slots=True)
class PostForm:
    """What the auto-submitting page posts to the ACS.

    `participant` is not posted: it is who the mock's session now includes, for single logout.
    """

    action: str
    saml_response: str
    relay_state: str | None
    participant: Participant | None = None


def reuse_session(pending: PendingSignIn, signed_in: SignedInUser | None) -> bool:
    """True: issue from the existing session. False: ask the user to sign in.

    ForceAuthn always asks; IsPassive never may, so without a usable session it is NoPassive.
    """
    if signed_in is not None and not pending.force_authn:
        return True
    if pending.is_passive:
        raise errors.NoPassiveSession(
            "A silent sign-in request was sent but no user is signed in. The cookies used to "
            "represent the user's session were not sent in the request to Azure AD.",
            reply=pending.reply,
        )
    return False


def find_user(tenant: Tenant, upn: str) -> User:
    """First sign-in step: the account must exist in this directory."""
    user = tenant.user_by_upn(upn)
    if user is None:
        raise errors.UserNotFound(
            f"The user account {{EmailHidden}} does not exist in the '{tenant.tenant_id}' "
            "directory. To sign into this application, the account must be added to the "
            "directory.",
            login=upn,
        )
    return user


def authenticate(tenant: Tenant, upn: str, password: str) -> User:
    """Step 7: password, then account state."""
    user = find_user(tenant, upn)
    if password != user.password:
        raise errors.InvalidPassword(
            "Error validating credentials due to invalid username or password.", login=user.upn
        )
    if not user.enabled:
        raise errors.UserDisabled("The user account is disabled.")
    return user


def authorize(app: EnterpriseApp, user: User) -> None:
    """Step 8: the app must be enabled, and the user assigned when assignment is required."""
    if not app.enabled:
        raise errors.ApplicationDisabled(f"Application '{app.app_id}'({app.name}) is disabled.")
    if app.assignment_required and not app.is_assigned(user):
        raise errors.UserNotAssigned(
            f"Your administrator has configured the application {app.name} ('{app.app_id}') to "
            "block users unless they are specifically granted ('assigned') access to the "
            "application. The signed in user '{EmailHidden}' is blocked because they are not a "
            "direct member of a group with access, nor had access directly assigned by an "
            "administrator. Please contact your administrator to assign access to this "
            "application."
        )


def admit(app: EnterpriseApp, user: User, pending: PendingSignIn, signed_in: SignedInUser) -> None:
    """After sign-in: the requested authentication context (75011), then `authorize`."""
    satisfied_class(pending.requested_classes, signed_in.methods, app.name)
    authorize(app, user)


def name_id_for(
    tenant: Tenant, app: EnterpriseApp, user: User, requested: str | None, new_id: NewId
) -> tuple[str, str]:
    """NameID value and Format; a requested format wins over the configured one (§5).

    persistent is a stable pairwise value per app; transient a new value each time;
    emailAddress and unspecified keep the configured source value, only the Format changes
    (§5 [Unc]).
    """
    fmt = requested or app.name_id_format
    if fmt == claims.TRANSIENT_FORMAT:  # new per sign-in, in the pairwise value's shape [Unc]
        fresh = hashlib.sha256(f"transient|{new_id()}".encode()).digest()
        return base64.urlsafe_b64encode(fresh).decode().rstrip("="), fmt
    if fmt == claims.PERSISTENT_FORMAT:
        digest = hashlib.sha256(f"{tenant.tenant_id}|{app.app_id}|{user.object_id}".encode())
        return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("="), fmt
    values = claims.values_of(user.attributes(), app.name_id_source)
    if not values:
        raise errors.NameIdSourceMissing(
            f"Mandatory Input '{app.name_id_source}' missing from transformation ID "
            "'NameIdentifier'. The user has no value for the attribute the application's "
            "Unique User Identifier (Name ID) claim is built from."
        )
    return values[0], fmt


def groups_link(tenant: Tenant, user: User) -> str:
    """Where an app reads the groups of a user past the overage limit (ED-saml-tokens)."""
    return f"https://graph.windows.net/{tenant.tenant_id}/users/{user.object_id}/getMemberObjects"


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
    assertion_id = new_id()
    name_id, name_id_format = name_id_for(tenant, app, user, pending.name_id_format, new_id)
    return Issuance(
        issuer=tenant.issuer,
        destination=pending.acs_url,
        in_response_to=pending.request_id,
        # The Identifier the request's Issuer matched; the default one when Entra starts it.
        audience=pending.audience or app.identifiers[0],
        name_id=name_id,
        name_id_format=name_id_format,
        claims=claims.release(
            user.attributes(),
            app.claim_rules,
            tenant_id=tenant.tenant_id,
            idp_entity_id=tenant.issuer,
            auth_methods=signed_in.methods,
            groups_link=groups_link(tenant, user),
        ),
        authn_instant=signed_in.authn_instant,
        authn_context_class=satisfied_class(pending.requested_classes, signed_in.methods, app.name),
        assertion_id=assertion_id,
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
    delivered = deliver(app, issuance, form, now=now, new_id=new_id)
    participant = Participant(
        app_id=app.app_id, name_id=issuance.name_id, session_index=str(issuance.assertion_id)
    )
    return replace(delivered, participant=participant)


def sign_as_configured(
    app: EnterpriseApp, issuance: Issuance, *, now: datetime, new_id: NewId
) -> etree._Element:
    """Entra's signing options: assertion (default), response, or both (assertion first)."""
    signer = Signer(pair=certificates.signing_pair(app.certificates, now))
    algorithm = app.signing_algorithm
    assertion = build_assertion(issuance, now=now, new_id=new_id)
    if app.signing_option in ("assertion", "both"):
        assertion = signer.sign(assertion, algorithm=algorithm)
    response = build_response(issuance, assertion, now=now, new_id=new_id)
    if app.signing_option in ("response", "both"):
        response = signer.sign(response, algorithm=algorithm)
    return response


def error_form(
    tenant: Tenant, error: errors.AcsError, *, now: datetime, new_id: NewId, trace_id: str
) -> PostForm:
    """The non-Success Response Entra posts to the ACS (§4.5): unsigned, as the docs' sample."""
    message = f"{error.text}\nTrace ID: {trace_id}\nTimestamp: {now:%Y-%m-%d %H:%M:%S}Z"
    response = build_error_response(
        issuer=tenant.issuer,
        destination=None,
        in_response_to=error.reply.in_response_to,
        top_code=error.top_status,
        second_code=error.second_status,
        message=message,
        now=now,
        new_id=new_id,
    )
    return PostForm(
        action=error.reply.acs_url,
        saml_response=base64.b64encode(to_bytes(response)).decode("ascii"),
        relay_state=error.reply.relay_state,
    )
