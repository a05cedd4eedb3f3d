"""Test your own SAML SP against the mock Entra ID: the `entra` pytest fixture and its client.

    def test_sign_in(entra, page):
        app = entra.add_app(name="My app", identifier="urn:my-app",
                            reply_url="http://localhost:5000/saml/acs")
        user = entra.add_user("pat@contoso.com", password="Passw0rd!")
        entra.assign(user, app)
        page.goto("http://localhost:5000/login")      # your SP sends the browser to app.login_url
        entra.sign_in(page, user.upn, user.password)  # back at your SP, signed in

`EntraClient(url, token)` is the same client for a mock started elsewhere (`mock-entra serve`,
a CI service). It speaks only HTTP: the Graph-shaped API (`/v1.0`, `/mock`) and, for
`response()` and `cases()`, the test-mode API (`/_harness`, `mock-entra serve --test-mode`).
"""

from mock_idp.testing.client import App, Case, EntraClient, EntraError, Group, User
from mock_idp.testing.server import EntraOptions, EntraServer

__all__ = [
    "App",
    "Case",
    "EntraClient",
    "EntraError",
    "EntraOptions",
    "EntraServer",
    "Group",
    "User",
]
