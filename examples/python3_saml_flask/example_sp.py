"""A small SAML service provider on python3-saml and Flask, set up for Microsoft Entra ID.

It is written the way python3-saml's own Flask demo is, so that it shows what that library does
and leaves to the application: strict mode, signed assertions required (Entra's default signs
the assertion only), deprecated algorithms refused, the AuthnRequest ID kept in the session and
checked against InResponseTo. Like the demo it keeps no replay cache, and it accepts responses
that no request of this browser asked for: `mock-entra audit` reports both.

Run it: `python example_sp.py` with SP_URL, ENTRA_LOGIN_URL, ENTRA_IDENTIFIER and
ENTRA_CERTIFICATE (the Base64 certificate from Entra's "SAML Certificates") in the environment.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, redirect, request, session
from markupsafe import escape
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants as Saml


@dataclass(frozen=True)
class Settings:
    """What the SP's administrator copies from Entra's "Set up <app>", and the SP's own URL."""

    sp_url: str  # e.g. http://localhost:5000
    login_url: str  # Entra's Login URL
    entra_identifier: str  # Entra's Microsoft Entra Identifier (the Issuer)
    certificate: str  # Entra's signing certificate, Base64 (PEM body)

    @property
    def entity_id(self) -> str:
        return f"{self.sp_url}/metadata"

    @property
    def acs_url(self) -> str:
        return f"{self.sp_url}/acs"

    def saml(self) -> dict[str, Any]:
        return {
            "strict": True,
            "sp": {
                "entityId": self.entity_id,
                "assertionConsumerService": {
                    "url": self.acs_url,
                    "binding": Saml.BINDING_HTTP_POST,
                },
                "NameIDFormat": Saml.NAMEID_EMAIL_ADDRESS,
            },
            "idp": {
                "entityId": self.entra_identifier,
                "singleSignOnService": {
                    "url": self.login_url,
                    "binding": Saml.BINDING_HTTP_REDIRECT,
                },
                "x509cert": self.certificate,
            },
            "security": {
                "wantAssertionsSigned": True,
                "wantMessagesSigned": False,
                "rejectDeprecatedAlgorithm": True,
                "wantNameId": True,
                "requestedAuthnContext": False,
            },
        }


def create_app(settings: Settings) -> Flask:
    app = Flask(__name__)
    app.secret_key = secrets.token_hex(32)

    def saml_auth() -> OneLogin_Saml2_Auth:
        parts = urlsplit(settings.sp_url)
        saml_request = {
            "https": "on" if parts.scheme == "https" else "off",
            "http_host": parts.netloc,
            "script_name": request.path,
            "get_data": request.args.copy(),
            "post_data": request.form.copy(),
        }
        return OneLogin_Saml2_Auth(saml_request, settings.saml())

    @app.get("/")
    def home() -> str:
        if "name_id" not in session:
            return (
                '<h1>Example SP</h1><p>Not signed in. <a id="sign-in" href="/login">Sign in</a></p>'
            )
        return (
            f'<h1>Example SP</h1><p id="who">Signed in as {escape(session["name_id"])}</p>'
            '<form method="post" action="/logout"><button id="sign-out">Sign out</button></form>'
        )

    @app.get("/login")
    def login() -> Any:  # the Sign on URL
        auth = saml_auth()
        url = auth.login(return_to="/")
        session["request_id"] = auth.get_last_request_id()
        return redirect(url)

    @app.post("/acs")
    def acs() -> Any:  # the Reply URL
        auth = saml_auth()
        auth.process_response(request_id=session.get("request_id"))
        errors = auth.get_errors()
        if errors or not auth.is_authenticated():
            reason = auth.get_last_error_reason() or "not authenticated"
            return f'<h1>Sign-in refused</h1><p id="error">{escape(reason)}</p>', 403
        session.pop("request_id", None)
        session["name_id"] = auth.get_nameid()
        # Only a path on this site: RelayState comes from the browser (python3-saml's README).
        relay_state = request.form.get("RelayState", "/")
        local = relay_state.startswith("/") and not relay_state.startswith(("//", "/\\"))
        return redirect(relay_state if local else "/")

    @app.post("/logout")
    def logout() -> Any:
        session.clear()
        return redirect("/")

    return app


def settings_from_env() -> Settings:
    return Settings(
        sp_url=os.environ.get("SP_URL", "http://localhost:5000").rstrip("/"),
        login_url=os.environ["ENTRA_LOGIN_URL"],
        entra_identifier=os.environ["ENTRA_IDENTIFIER"],
        certificate=os.environ["ENTRA_CERTIFICATE"],
    )


if __name__ == "__main__":
    config = settings_from_env()
    port = urlsplit(config.sp_url).port or 5000
    create_app(config).run(host="127.0.0.1", port=port)
