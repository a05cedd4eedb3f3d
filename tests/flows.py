"""Drive both apps' test clients through one SP-initiated sign-in, as the browser would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

TENANT_ID = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
ACS_PATH = "/auth/saml/callback?namespace=contoso"


@dataclass(frozen=True)
class Posted:
    """What the mock's auto-post page would submit to the ACS."""

    action: str
    saml_response: str
    relay_state: str | None


def start_sp_login(sp: FlaskClient, namespace: str = "contoso") -> str:
    """GET the Sign on URL; returns the mock's `/saml2?…` path and query."""
    response = sp.get(f"/auth/saml/?namespace={namespace}")
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    return f"{location.path}?{location.query}"


def sign_in_at_idp(
    idp: FlaskClient, saml2_path: str, upn: str = "B.Simon@contoso.com", password: str = "Passw0rd!"
) -> Posted:
    response = idp.get(saml2_path)
    if response.status_code == 302:
        response = answer_kmsi(
            idp,
            idp.post(f"/{TENANT_ID}/login/password", data={"loginfmt": upn, "passwd": password}),
        )
    assert response.status_code == 200, response.text
    return parse_post_page(response.text)


def answer_kmsi(idp: FlaskClient, response, *, stay: bool = False):  # type: ignore[no-untyped-def]
    """Entra's "Stay signed in?" after the password (shown by default): answer it, No unless
    `stay`; any other page is returned as it is."""
    if response.status_code != 200 or 'id="KmsiCheckboxField"' not in response.text:
        return response
    return idp.post(f"/{TENANT_ID}/kmsi", data={"LoginOptions": "1" if stay else "3"})


def parse_post_page(html: str) -> Posted:
    action = re.search(r'action="([^"]+)"', html)
    saml = re.search(r'name="SAMLResponse" value="([^"]+)"', html)
    relay = re.search(r'name="RelayState" value="([^"]*)"', html)
    assert action and saml, html[:500]
    return Posted(
        action=action.group(1).replace("&amp;", "&"),
        saml_response=saml.group(1),
        relay_state=relay.group(1) if relay else None,
    )


def post_to_acs(
    sp: FlaskClient, saml_response: str, relay_state: str | None = None, path: str = ACS_PATH
) -> TestResponse:
    data = {"SAMLResponse": saml_response}
    if relay_state is not None:
        data["RelayState"] = relay_state
    return sp.post(path, data=data)


def is_signed_in(sp: FlaskClient) -> bool:
    """The user's view: does the protected page open, or send us to sign in?"""
    response = sp.get("/dashboard")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    return False
