"""Entra's errors as typed exceptions, each carrying its AADSTS code (entra-saml.md §7)."""

from __future__ import annotations


class AadstsError(Exception):
    """An error Entra reports as `AADSTS<code>: <message>`; the message is Entra's own text."""

    code: int = 0
    http_status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(f"AADSTS{self.code}: {message}")
        self.message = message

    @property
    def text(self) -> str:
        return f"AADSTS{self.code}: {self.message}"


class SamlRequestMissing(AadstsError):
    """No SAMLRequest in the Redirect-binding query."""

    code = 750054


class InvalidSamlRequest(AadstsError):
    """Not a valid SAML 2.0 protocol message (encoding or structure)."""

    code = 75005


class InvalidRequestId(AadstsError):
    """The AuthnRequest ID is not a valid xs:ID."""

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


class UserNotFound(AadstsError):
    """No such user in the tenant."""

    code = 50034


class InvalidPassword(AadstsError):
    """Wrong password."""

    code = 50126


class UserDisabled(AadstsError):
    """The user account is disabled."""

    code = 50057


class ApplicationDisabled(AadstsError):
    """The app is not enabled for users to sign in."""

    code = 7000112


class UserNotAssigned(AadstsError):
    """Assignment is required and the user is not assigned."""

    code = 50105


class LogoutNameIdMissing(AadstsError):
    """A LogoutRequest without NameID."""

    code = 7500530


class NoPassiveSession(AadstsError):
    """IsPassive was asked and there is no session."""

    code = 50058


class TenantNotFound(AadstsError):
    """The tenant in the URL is not this mock's tenant ID or domain."""

    code = 90002
    http_status = 404
