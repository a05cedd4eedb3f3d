"""Steps 1–6 of a sign-in (docs/reference/entra.md §11): an incoming SAML request checked in Entra's
order, up to the validated request that waits for the user (`PendingSignIn`).

Pure, like `sso.py`: parse (750054, 75005, 7500529) → app by Issuer (700016) → signed request
(76021) → Reply URL (50011, 900971) → request policy (75003, 75016, 750161, 75006, 900236, 75011).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mock_idp.protocol import errors
from mock_idp.protocol.authn_request import check_policy, choose_reply_url, parse_authn_request
from mock_idp.protocol.request_signature import verify_post, verify_redirect
from mock_idp.sessions import PendingSignIn
from mock_idp.tenant import EnterpriseApp, Tenant


@dataclass(frozen=True, kw_only=True, slots=True)
class Received:
    """A SAML message as it arrived at `/{tenant}/saml2`."""

    xml: bytes
    binding: Literal["redirect", "post"]
    raw_query: bytes = b""  # Redirect binding: the query string exactly as received (signatures)
    relay_state: str | None = None
    login_hint: str = ""


def find_app(tenant: Tenant, issuer: str) -> EnterpriseApp:
    """Step 3: the app whose Identifier is exactly the request's Issuer."""
    app = tenant.app_by_identifier(issuer)
    if app is None:
        raise errors.ApplicationNotFound(
            f"Application with identifier '{issuer}' was not found in the directory "
            f"'{tenant.name}'. This can happen if the application has not been installed by the "
            "administrator of the tenant or consented to by any user in the tenant. You may have "
            "sent your authentication request to the wrong tenant."
        )
    return app


def check_signed(
    app: EnterpriseApp, received: Received, *, tag: str, request_id: str, has_signature: bool
) -> None:
    """Step 4: only when the app requires verification certificates is a signature checked."""
    if not app.require_signed_requests:
        return
    certificates = app.verification_certificates
    if received.binding == "redirect":
        verify_redirect(received.raw_query, "SAMLRequest", certificates)
    else:
        verify_post(
            received.xml,
            tag=tag,
            request_id=request_id,
            has_signature=has_signature,
            certificates_pem=certificates,
        )


def receive(tenant: Tenant, received: Received) -> PendingSignIn:
    """Steps 1–6: parse, find the app, check its signature rule, Reply URL and request policy."""
    request = parse_authn_request(received.xml)
    app = find_app(tenant, request.issuer)
    check_signed(
        app, received, tag="AuthnRequest", request_id=request.id, has_signature=request.signed
    )
    acs_url = choose_reply_url(request, app.reply_urls, app.app_id)
    pending = PendingSignIn(
        app_id=app.app_id,
        acs_url=acs_url,
        request_id=request.id,
        relay_state=received.relay_state,
        name_id_format=request.name_id_format,
        force_authn=request.force_authn,
        is_passive=request.is_passive,
        login_hint=received.login_hint,
        requested_classes=request.authn_context_classes,
        audience=request.issuer,
    )
    check_policy(request, pending.reply)
    return pending
