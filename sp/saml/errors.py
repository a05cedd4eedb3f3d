"""Why a sign-in was refused: a safe public message for the page, a private detail for the log."""

from __future__ import annotations


class SsoError(Exception):
    """Base of every SSO refusal. Rendered in one place (sp/views/errors.py) with an error id."""

    status: int = 400
    public_message: str = "We could not sign you in with single sign-on."

    def __init__(self, detail: str = "", *, public_message: str | None = None) -> None:
        super().__init__(detail or self.public_message)
        self.detail = detail
        if public_message is not None:
            self.public_message = public_message


class SsoNotAvailable(SsoError):
    status = 404
    public_message = (
        "Single sign-on is not available for this organisation. Check the namespace in the "
        "address; if it is right, ask your Trakstar administrator, who can have Trakstar "
        "support turn single sign-on on (it is a paid feature)."
    )


class SsoNotConfigured(SsoError):
    status = 409
    public_message = (
        "Single sign-on is not set up for this organisation yet. Ask your "
        "Trakstar administrator to finish Settings > Authentication & SSO."
    )


class MalformedResponse(SsoError):
    public_message = "The sign-in response was not a valid SAML message."


class OversizedResponse(MalformedResponse):
    status = 413
    public_message = "The sign-in response was too large to be a genuine one."


class DisallowedAlgorithm(SsoError):
    public_message = "The sign-in response was signed with an algorithm we do not accept."


class InvalidSignature(SsoError):
    status = 403
    public_message = "The sign-in response could not be verified."


class UnsignedAssertion(InvalidSignature):
    """Entra set to "Sign SAML response" only: we require the assertion's own signature."""

    public_message = (
        "The sign-in response's assertion is not signed. In Entra, the SAML signing option must "
        "be 'Sign SAML assertion' (the default) or 'Sign SAML response and assertion'."
    )


class UntrustedCertificate(InvalidSignature):
    """Signed, but by a certificate the admin did not paste: typically after Entra's rollover."""

    public_message = (
        "The sign-in response names a signing certificate this organisation does not trust"
    )

    def __init__(self, detail: str, *, thumbprint: str) -> None:
        # Thumbprints are public: the certificate is in Entra's published metadata.
        super().__init__(
            detail,
            public_message=(
                f"{self.public_message} (thumbprint {thumbprint}). If Entra's signing "
                "certificate was renewed, your Trakstar administrator must paste the new "
                "Certificate (Base64) under Settings > Authentication & SSO > SAML 2.0 > Configure."
            ),
        )


class UnsolicitedResponse(SsoError):
    status = 403
    public_message = (
        "This sign-in response does not match a sign-in started in this browser. "
        "Start again from Trakstar's sign-in page."
    )


class ResponseRejected(SsoError):
    """A verified response that fails one of our exact checks (audience, time, issuer…)."""

    status = 403
    public_message = "The sign-in response is not valid for Trakstar Perform."


class ReplayedResponse(SsoError):
    status = 403
    public_message = "This sign-in response has already been used."


class IdpReportedError(SsoError):
    public_message = "Microsoft Entra ID reported an error and did not sign you in."


class UnknownPerson(SsoError):
    status = 403
    public_message = (
        "You signed in with Microsoft, but there is no Trakstar account for this "
        "email in this organisation. Ask your Trakstar administrator to add you "
        "as a person and activate your account."
    )


class InactivePerson(SsoError):
    status = 403
    public_message = (
        "Your Trakstar account is not active. Ask your Trakstar administrator to activate it."
    )


class LogoutRejected(SsoError):
    """A sign-out message from the IdP that fails verification or does not match ours."""

    public_message = (
        "Microsoft Entra ID's sign-out message could not be verified. You are signed out of "
        "Trakstar Perform; close your browser to be sure your Microsoft session has ended too."
    )


class AccountNotBound(SsoError):
    """The token is genuine, but it does not prove it is this person's Entra account: the
    NameID is the wrong format, the account claims are missing, or (tenant ID, object ID)
    differs from the one this person is linked to (or may not be claimed by a first sign-in)."""

    status = 403
    public_message = "This Microsoft account is not the one linked to this Trakstar account."


class NameIdFormatRefused(AccountNotBound):
    """Only emailAddress (Entra's default with user.userprincipalname) identifies a person."""

    status = 403
    public_message = (
        "Microsoft Entra ID sent the user identifier (NameID) in a format Trakstar does not "
        "accept. In Entra, under Single sign-on > Attributes & Claims, the Unique User "
        "Identifier must be user.userprincipalname with the format Email address."
    )


class MissingAccountClaims(AccountNotBound):
    status = 403
    public_message = (
        "The sign-in response does not name the Microsoft Entra account (the tenantid and "
        "objectidentifier claims are missing). Keep Entra's default claims for Trakstar."
    )


class IdentityMismatch(AccountNotBound):
    """The NameID names a person linked to another Entra account (or the reverse)."""

    status = 403
    public_message = (
        "This Trakstar account is linked to a different Microsoft account, so you were not "
        "signed in. If your Microsoft account was replaced, ask your Trakstar administrator to "
        "re-link it on the People page."
    )


class PasswordAccountNotLinked(AccountNotBound):
    status = 403
    public_message = (
        "This Trakstar account signs in with a password and has not linked a Microsoft account "
        "yet. Sign in with your email and password, then choose 'Link your Microsoft account' "
        "on your dashboard."
    )


class LinkMismatch(AccountNotBound):
    status = 403
    public_message = (
        "The Microsoft account you signed in with is not the one for this Trakstar account "
        "(its user name differs). Nothing was linked."
    )
