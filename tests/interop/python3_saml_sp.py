"""A second, independent SP: python3-saml (OneLogin) in strict mode, set up for Entra's default.

wantAssertionsSigned, not wantMessagesSigned, rejectDeprecatedAlgorithm, a NameID required,
and the same ACS, entity ID, IdP entity ID and certificate as the reference SP. Its clock drift
is set to the reference SP's 3 minutes so the two judge time alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants

from tests.conftest import CERTS, TENANT_ID
from tests.flows import Posted

SKEW_SECONDS = 180  # the reference SP's clock_skew_seconds


def settings() -> dict[str, object]:
    cert = Path(CERTS / "idp-signing.crt").read_text()
    return {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": "https://perform.trakstar.com",
            "assertionConsumerService": {
                "url": "http://localhost:8000/auth/saml/callback?namespace=contoso",
                "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST,
            },
            "NameIDFormat": OneLogin_Saml2_Constants.NAMEID_EMAIL_ADDRESS,
        },
        "idp": {
            "entityId": f"https://sts.windows.net/{TENANT_ID}/",
            "singleSignOnService": {
                "url": f"http://127.0.0.1:8001/{TENANT_ID}/saml2",
                "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
            },
            "x509cert": cert,
        },
        "security": {
            "wantAssertionsSigned": True,
            "wantMessagesSigned": False,
            "rejectDeprecatedAlgorithm": True,
            "wantNameId": True,
            "wantAttributeStatement": False,
            "requestedAuthnContext": False,
        },
    }


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    name_id: str | None
    error: str


def consume(posted: Posted, request_id: str | None) -> Verdict:
    """What python3-saml says about this POST to the ACS, for this pending request ID."""
    request = {
        "https": "off",
        "http_host": "localhost:8000",
        "script_name": "/auth/saml/callback",
        "get_data": {"namespace": "contoso"},
        "post_data": {"SAMLResponse": posted.saml_response, "RelayState": posted.relay_state},
    }
    auth = OneLogin_Saml2_Auth(request, settings())
    try:
        auth.process_response(request_id=request_id)
    except Exception as exc:  # python3-saml raises on unparsable input: a refusal too
        return Verdict(accepted=False, name_id=None, error=f"{type(exc).__name__}: {exc}")
    if auth.get_errors() or not auth.is_authenticated():
        return Verdict(accepted=False, name_id=None, error=str(auth.get_last_error_reason()))
    return Verdict(accepted=True, name_id=auth.get_nameid(), error="")
