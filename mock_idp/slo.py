"""Single logout as the session authority: end the mock's session, tell the other apps, answer.

An SP sends a LogoutRequest (HTTP-Redirect only). The mock ends its session, then sends each
*other* participant of the session a signed LogoutRequest, one after the other, as a
front-channel chain of redirects: the participant signs the user out and redirects back with its
LogoutResponse, which moves the chain on. Last, the initiator's Logout URL gets the signed
LogoutResponse. The chain lives in the mock's session cookie between the hops. Pure: the views
move it in and out of the session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from mock_idp.protocol import errors
from mock_idp.protocol.logout import (
    build_logout_request,
    build_logout_response,
    parse_logout_request,
    parse_logout_response,
    redirect_url,
)
from mock_idp.request_checks import Received, check_signed, find_app
from mock_idp.sessions import Participant, SignedInUser
from mock_idp.tenant import Tenant

NewId = Callable[[], str]


@dataclass(frozen=True, kw_only=True, slots=True)
class LogoutChain:
    """A sign-out in progress: who asked, who is left to tell, whose answer is awaited."""

    initiator_app_id: str
    initiator_request_id: str
    relay_state: str | None
    remaining: tuple[Participant, ...]
    waiting_for: str | None = None  # ID of the LogoutRequest sent to the current participant

    def to_session(self) -> dict[str, object]:
        return {
            "initiator_app_id": self.initiator_app_id,
            "initiator_request_id": self.initiator_request_id,
            "relay_state": self.relay_state,
            "remaining": [p.to_session() for p in self.remaining],
            "waiting_for": self.waiting_for,
        }

    @classmethod
    def from_session(cls, data: Mapping[str, Any]) -> LogoutChain:
        return cls(
            initiator_app_id=str(data["initiator_app_id"]),
            initiator_request_id=str(data["initiator_request_id"]),
            relay_state=data.get("relay_state"),
            remaining=tuple(Participant.from_session(p) for p in data.get("remaining") or ()),
            waiting_for=data.get("waiting_for"),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class LogoutStep:
    """Where the browser goes next (None: Entra's "You signed out" page) and what is left."""

    url: str | None
    chain: LogoutChain | None


def begin(tenant: Tenant, received: Received, signed_in: SignedInUser | None) -> LogoutChain:
    """Check the LogoutRequest as Entra does; the NameID value itself is not used (ED-slo)."""
    request = parse_logout_request(received.xml)
    app = find_app(tenant, request.issuer)
    check_signed(app, received, tag="LogoutRequest", request_id=request.id, has_signature=False)
    others = tuple(
        p
        for p in (signed_in.participants if signed_in else ())
        if p.app_id != app.app_id and p.app_id in tenant.apps and tenant.apps[p.app_id].logout_url
    )
    return LogoutChain(
        initiator_app_id=app.app_id,
        initiator_request_id=request.id,
        relay_state=received.relay_state,
        remaining=others,
    )


def next_step(tenant: Tenant, chain: LogoutChain, *, now: datetime, new_id: NewId) -> LogoutStep:
    """The next participant's LogoutRequest, or, when none is left, the initiator's answer."""
    for index, participant in enumerate(chain.remaining):
        app = tenant.apps.get(participant.app_id)
        if app is None or not app.logout_url:
            continue  # removed or reconfigured since it joined: nothing to tell it
        message = build_logout_request(
            issuer=tenant.issuer,
            destination=app.logout_url,
            name_id=participant.name_id,
            session_index=participant.session_index,
            now=now,
            new_id=new_id,
        )
        url = redirect_url(
            app.logout_url,
            message,
            param="SAMLRequest",
            relay_state=None,
            key=app.active_certificate.pair.key,
            algorithm=app.signing_algorithm,
        )
        rest = chain.remaining[index + 1 :]
        return LogoutStep(
            url=url, chain=replace(chain, remaining=rest, waiting_for=message.get("ID"))
        )
    initiator = tenant.apps.get(chain.initiator_app_id)
    if initiator is None or not initiator.logout_url:
        return LogoutStep(url=None, chain=None)
    response = build_logout_response(
        issuer=tenant.logout_issuer,
        in_response_to=chain.initiator_request_id,
        now=now,
        new_id=new_id,
    )
    url = redirect_url(
        initiator.logout_url,
        response,
        param="SAMLResponse",
        relay_state=chain.relay_state,
        key=initiator.active_certificate.pair.key,
        algorithm=initiator.signing_algorithm,
    )
    return LogoutStep(url=url, chain=None)


def answered(chain: LogoutChain | None, xml: bytes) -> LogoutChain:
    """A participant's LogoutResponse moves the chain on, whatever its status: the mock's
    session is already over. One the mock did not ask for is refused (50061)."""
    response = parse_logout_response(xml)
    if chain is None or chain.waiting_for is None or response.in_response_to != chain.waiting_for:
        raise errors.SignoutInvalidRequest("Unable to complete sign out. The request was invalid.")
    return replace(chain, waiting_for=None)
