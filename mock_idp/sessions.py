"""The mock's Entra session for one browser, as typed records.

`PendingSignIn`: the validated request waiting for a sign-in. `SignInProgress`: a sign-in under
way on Entra's pages (password done; the code or "Stay signed in?" still to answer).
`SignedInUser`: who signed in, when (AuthnInstant survives reuse) and how (authentication
methods), plus the session's participants: each app that received a token, with the NameID and
SessionIndex it got, so a single logout can send each of them a LogoutRequest
(docs/reference/entra.md §9). `BrowserSession` holds all of them; `views/browser.py` is the
one place that reads and writes it from the Flask session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from mock_idp.protocol import claims
from mock_idp.protocol.errors import ErrorReply
from mock_idp.protocol.xml import parse_saml_time, saml_time


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
    requested_classes: tuple[str, ...] = ()  # RequestedAuthnContext (exact) class refs
    audience: str = ""  # the app Identifier the AuthnRequest's Issuer matched ("" IdP-initiated)
    # Entra's Correlation ID: one per sign-in flow, on its error page and its sign-in log rows.
    correlation_id: str = ""

    @property
    def reply(self) -> ErrorReply:
        """Where an error Response for this request goes."""
        return ErrorReply(
            acs_url=self.acs_url, in_response_to=self.request_id, relay_state=self.relay_state
        )

    def to_session(self) -> dict[str, object]:
        return {
            "app_id": self.app_id,
            "acs_url": self.acs_url,
            "request_id": self.request_id,
            "relay_state": self.relay_state,
            "name_id_format": self.name_id_format,
            "force_authn": self.force_authn,
            "is_passive": self.is_passive,
            "login_hint": self.login_hint,
            "requested_classes": list(self.requested_classes),
            "correlation_id": self.correlation_id,
            "audience": self.audience,
        }

    @classmethod
    def from_session(cls, data: Mapping[str, Any]) -> PendingSignIn:
        values = dict(data)
        values["requested_classes"] = tuple(values.get("requested_classes") or ())
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclass(frozen=True, kw_only=True, slots=True)
class Participant:
    """An app that received a token in this session: what to name in its LogoutRequest."""

    app_id: str
    name_id: str
    session_index: str

    def to_session(self) -> dict[str, str]:
        return {"app_id": self.app_id, "name_id": self.name_id, "session_index": self.session_index}

    @classmethod
    def from_session(cls, data: Mapping[str, Any]) -> Participant:
        return cls(
            app_id=str(data["app_id"]),
            name_id=str(data["name_id"]),
            session_index=str(data["session_index"]),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class SignedInUser:
    """The mock's own session: who signed in, when, how, and to which apps."""

    object_id: str
    authn_instant: datetime
    methods: tuple[str, ...] = (claims.PASSWORD_METHOD,)
    participants: tuple[Participant, ...] = ()

    def joined(self, participant: Participant | None) -> SignedInUser:
        """The session after `participant` received a token (its latest SessionIndex kept)."""
        if participant is None:
            return self
        others = tuple(p for p in self.participants if p.app_id != participant.app_id)
        return replace(self, participants=(*others, participant))

    def to_session(self) -> dict[str, object]:
        return {
            "object_id": self.object_id,
            "authn_instant": saml_time(self.authn_instant),
            "methods": list(self.methods),
            "participants": [p.to_session() for p in self.participants],
        }

    @classmethod
    def from_session(cls, data: Mapping[str, Any]) -> SignedInUser:
        methods = data.get("methods", [claims.PASSWORD_METHOD])
        participants: Sequence[Mapping[str, Any]] = data.get("participants") or ()
        return cls(
            object_id=str(data["object_id"]),
            authn_instant=parse_saml_time(str(data["authn_instant"])),
            methods=tuple(methods) if isinstance(methods, list | tuple) else (),
            participants=tuple(Participant.from_session(p) for p in participants),
        )


def signed_in_as(
    previous: SignedInUser | None, object_id: str, *, now: datetime, methods: Sequence[str]
) -> SignedInUser:
    """A fresh sign-in: a new AuthnInstant; the same user keeps the apps already joined."""
    kept = previous.participants if previous and previous.object_id == object_id else ()
    return SignedInUser(
        object_id=object_id, authn_instant=now, methods=tuple(methods), participants=kept
    )


Awaiting = Literal["mfa", "kmsi"]


@dataclass(frozen=True, kw_only=True, slots=True)
class SignInProgress:
    """Password accepted; the user still answers `awaiting` before the sign-in completes."""

    object_id: str
    methods: tuple[str, ...]
    awaiting: Awaiting

    def to_session(self) -> dict[str, object]:
        return {
            "object_id": self.object_id,
            "methods": list(self.methods),
            "awaiting": self.awaiting,
        }

    @classmethod
    def from_session(cls, data: Mapping[str, Any]) -> SignInProgress | None:
        awaiting = data.get("awaiting")
        if awaiting not in ("mfa", "kmsi"):
            return None
        methods = data.get("methods") or ()
        return cls(
            object_id=str(data.get("object_id", "")), methods=tuple(methods), awaiting=awaiting
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class BrowserSession:
    """All the mock knows about one browser. `persistent`: the answer Yes to "Stay signed in?"
    (a cookie that outlives the browser); otherwise the SSO cookie ends with the browser."""

    user: SignedInUser | None = None
    pending: PendingSignIn | None = None
    progress: SignInProgress | None = None
    after_sign_in: str | None = None  # My Apps: where to go once signed in, with no request
    persistent: bool = False
