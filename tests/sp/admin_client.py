"""Drive the Trakstar clone's admin pages through Flask's test client, CSRF tokens included."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

ADMIN = "admin@contoso.com"
ADMIN_PASSWORD = "Adm1n-Passw0rd!"
SAML_PAGE = "/settings/authentication/saml"


def csrf_token(client: FlaskClient, page: str = "/login") -> str:
    """The token a browser would find in the page's form."""
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def post(
    client: FlaskClient, action: str, data: Mapping[str, Any], *, page: str | None = None
) -> TestResponse:
    """Submit a form the way the browser does: with the token from the page that shows it."""
    token = csrf_token(client, page or action)
    return client.post(action, data={"csrf_token": token, **data})


def sign_in(
    client: FlaskClient, email: str = ADMIN, password: str = ADMIN_PASSWORD, **extra: str
) -> TestResponse:
    return post(client, "/login", {"email": email, "password": password, **extra})


def signed_in_admin(client: FlaskClient, email: str = ADMIN) -> FlaskClient:
    response = sign_in(client, email)
    assert response.status_code == 303, response.text
    return client


def field_error(html: str, field: str) -> str:
    """The message shown under a form field, tags stripped."""
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</p>', html, re.DOTALL)
    assert match, f"no error shown for {field}"
    return re.sub(r"\s+", " ", match.group(1).replace("&#39;", "'")).strip()
