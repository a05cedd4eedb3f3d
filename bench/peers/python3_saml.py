"""python3-saml (OneLogin) in strict mode, set up like the reference SP: the verification peer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C

ROOT = Path(__file__).resolve().parents[2]


def settings(*, acs_url: str, idp_entity_id: str, sso_url: str) -> dict[str, object]:
    return {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": "https://perform.trakstar.com",
            "assertionConsumerService": {"url": acs_url, "binding": C.BINDING_HTTP_POST},
            "NameIDFormat": C.NAMEID_EMAIL_ADDRESS,
        },
        "idp": {
            "entityId": idp_entity_id,
            "singleSignOnService": {"url": sso_url, "binding": C.BINDING_HTTP_REDIRECT},
            "x509cert": (ROOT / "certs" / "idp-signing.crt").read_text(),
        },
        "security": {
            "wantAssertionsSigned": True,
            "wantMessagesSigned": False,
            "rejectDeprecatedAlgorithm": True,
            "wantNameId": True,
        },
    }


def verifier(
    saml_response: str, *, request_id: str, host: str, idp_entity_id: str, sso_url: str
) -> Callable[[], str]:
    """A call that verifies the response as python3-saml's ACS would and returns the NameID."""
    config = settings(
        acs_url=f"http://{host}/auth/saml/callback?namespace=contoso",
        idp_entity_id=idp_entity_id,
        sso_url=sso_url,
    )
    request = {
        "https": "off",
        "http_host": host,
        "script_name": "/auth/saml/callback",
        "get_data": {"namespace": "contoso"},
        "post_data": {"SAMLResponse": saml_response},
    }

    def verify() -> str:
        auth = OneLogin_Saml2_Auth(request, config)
        auth.process_response(request_id=request_id)
        if auth.get_errors() or not auth.is_authenticated():
            raise AssertionError(f"python3-saml refused: {auth.get_last_error_reason()}")
        return str(auth.get_nameid())

    return verify
