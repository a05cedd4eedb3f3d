"""Entra's errors as typed exceptions, each carrying its AADSTS code (docs/reference/entra.md §7).

Where an error shows is part of its type, because that is what a user notices:
- `page` (default): Entra's error page, "Sorry, but we're having trouble signing you in.";
- `signin` / `password` / `mfa`: the sign-in step is shown again with Entra's inline prompt (the
  code is only in the log and in a `data-aadsts` attribute, as real Entra shows no code there);
- `AcsError`: a non-Success SAML Response auto-posted to the app's ACS (§4.5).
All are rendered by `mock_idp/views/errors.py`, the one place errors become pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

Shown = Literal["page", "signin", "password", "mfa"]

REQUESTER = "urn:oasis:names:tc:SAML:2.0:status:Requester"
RESPONDER = "urn:oasis:names:tc:SAML:2.0:status:Responder"
REQUEST_UNSUPPORTED = "urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported"
INVALID_NAMEID_POLICY = "urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy"
NO_PASSIVE = "urn:oasis:names:tc:SAML:2.0:status:NoPassive"


class AadstsError(Exception):
    """An error Entra reports as `AADSTS<code>: <message>`; the message is Entra's own text."""

    code: ClassVar[int] = 0
    http_status: ClassVar[int] = 400
    shown: ClassVar[Shown] = "page"
    prompt: ClassVar[str] = ""  # the inline text of a sign-in step (shown != "page")

    def __init__(self, message: str, *, login: str = "") -> None:
        super().__init__(f"AADSTS{self.code}: {message}")
        self.message = message
        self.login = login  # what the user typed, shown again on an inline error

    @property
    def text(self) -> str:
        return f"AADSTS{self.code}: {self.message}"


@dataclass(frozen=True, kw_only=True, slots=True)
class ErrorReply:
    """Where an error Response goes: the validated ACS, the request ID and the RelayState."""

    acs_url: str
    in_response_to: str | None
    relay_state: str | None


class AcsError(AadstsError):
    """An error Entra posts to the ACS as a SAML Response with a non-Success status (§4.5, §7)."""

    top_status: ClassVar[str] = REQUESTER
    second_status: ClassVar[str | None] = None

    def __init__(self, message: str, *, reply: ErrorReply) -> None:
        super().__init__(message)
        self.reply = reply


class SamlRequestMissing(AadstsError):
    """No SAMLRequest in the Redirect-binding query."""

    code = 750054


class InvalidSamlRequest(AadstsError):
    """Not a valid SAML 2.0 protocol message (encoding, structure, or a POSTed LogoutRequest)."""

    code = 75005


class InvalidRequestId(AadstsError):
    """The request ID is not a valid xs:ID."""

    code = 7500529


class ApplicationNotFound(AadstsError):
    """No app in the tenant has the request's Issuer as an Identifier."""

    code = 700016


class RequestNotSigned(AadstsError):
    """The app requires signed requests and this one is unsigned or badly signed."""

    code = 76021


class ReplyUrlMismatch(AadstsError):
    """The AssertionConsumerServiceURL is not one of the app's Reply URLs."""

    code = 50011


class NoReplyAddress(AadstsError):
    """No Reply URL in the request and none configured."""

    code = 900971


class UnsupportedBinding(AadstsError):
    """A response binding other than HTTP-POST was requested."""

    code = 75003


class InvalidNameIdPolicy(AadstsError):
    """The requested NameIDPolicy format is not one Entra allows."""

    code = 750161


class UnsupportedProperty(AadstsError):
    """The request carries a property Entra does not support (e.g. Subject)."""

    code = 900236


class AuthnContextMismatch(AadstsError):
    """RequestedAuthnContext cannot be satisfied by how the user signed in."""

    code = 75011


class SpNameQualifierUnsupported(AcsError):
    """NameIDPolicy/@SPNameQualifier: the docs' own error sample (75006 wrapping 90011)."""

    code = 75006
    second_status = REQUEST_UNSUPPORTED


class NameIdFormatEmpty(AcsError):
    """`NameIDPolicy Format=""`: Entra answers InvalidNameIDPolicy (gosaml2#88)."""

    code = 75016
    second_status = INVALID_NAMEID_POLICY


class NoPassiveSession(AcsError):
    """IsPassive was asked and there is no session to use silently."""

    code = 50058
    top_status = RESPONDER
    second_status = NO_PASSIVE


class UserNotFound(AadstsError):
    """No such user in the tenant: Entra says so on the username step."""

    code = 50034
    shown = "signin"
    prompt = (
        "This username may be incorrect. Make sure you typed it correctly. "
        "Otherwise, contact your admin."
    )


class InvalidPassword(AadstsError):
    """Wrong password: Entra says so on the password step."""

    code = 50126
    shown = "password"
    prompt = (
        "Your account or password is incorrect. If you don't remember your password, reset it now."
    )


class AccountLocked(AadstsError):
    """Smart lockout (IdsLocked): too many wrong passwords; shown on the password step."""

    code = 50053
    shown = "password"
    prompt = (
        "Your account is temporarily locked to prevent unauthorized use. Try again later, and if "
        "you still have trouble, contact your admin."
    )


class InvalidVerificationCode(AadstsError):
    """Wrong code on the MFA step."""

    code = 500121
    shown = "mfa"
    prompt = "You didn't enter the expected verification code. Please try again."


class UserDisabled(AadstsError):
    """The user account is disabled."""

    code = 50057


class ApplicationDisabled(AadstsError):
    """The app is not enabled for users to sign in."""

    code = 7000112


class UserNotAssigned(AadstsError):
    """Assignment is required and the user is not assigned."""

    code = 50105


class NameIdSourceMissing(AadstsError):
    """The NameID claim's source attribute is empty for this user."""

    code = 501241


class LogoutNameIdMissing(AadstsError):
    """A LogoutRequest without NameID."""

    code = 7500530


class SignoutInvalidRequest(AadstsError):
    """A sign-out message the mock was not waiting for (e.g. a stray LogoutResponse)."""

    code = 50061


class TenantNotFound(AadstsError):
    """The tenant in the URL is not this mock's tenant ID or domain."""

    code = 90002
    http_status = 404
