"""Three live apps on loopback ports for the audit tests: the mock Entra ID in test mode, our
Trakstar clone, and the python3-saml example SP (examples/), each its own process.

The mock's tenant is the default one (which already trusts the Trakstar clone) plus one app for
the example SP, configured as its administrator would: Identifier, Reply URL, Sign on URL, and
B.Simon assigned. The example trusts the mock's signing certificate.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devserver.processes import ROOT, App, both_apps, free_port, start_all, stop_all
from mock_idp.config import DEFAULT_TENANT
from tests.conftest import CERTS, TENANT_ID

TOKEN = "audit-api-token"
EXAMPLE = ROOT / "examples" / "python3_saml_flask" / "example_sp.py"
EXAMPLE_APP = """
[[apps]]
name = "Example SP (python3-saml)"
app_id = "0d6f5c2a-7e41-4b8c-9a3d-2f1e6b5c4d39"
identifiers = ["{url}/metadata"]
reply_urls = ["{url}/acs"]
sign_on_url = "{url}/login"
assignment_required = true
assigned = ["B.Simon@contoso.com"]
signing = {{ option = "assertion", algorithm = "sha256" }}

[[apps.certificates]]
key = "{{CERTS_DIR}}/idp-signing.key"
cert = "{{CERTS_DIR}}/idp-signing.crt"
active = true

[[apps]]
# The same example, started a second time, with no Sign on URL: My Apps signs in IdP-initiated.
name = "Example SP, IdP-initiated"
app_id = "4a8e2d1c-3b6f-4e07-8c95-1d2e3f4a5b6c"
identifiers = ["{idp_initiated_url}/metadata"]
reply_urls = ["{idp_initiated_url}/acs"]
assignment_required = true
assigned = ["B.Simon@contoso.com"]
signing = {{ option = "assertion", algorithm = "sha256" }}

[[apps.certificates]]
key = "{{CERTS_DIR}}/idp-signing.key"
cert = "{{CERTS_DIR}}/idp-signing.crt"
active = true
"""


@dataclass(frozen=True)
class Live:
    idp_url: str
    sp_url: str  # the Trakstar clone
    example_url: str
    idp_initiated_url: str  # a second example SP whose app has no Sign on URL

    @property
    def trakstar_args(self) -> list[str]:
        return [
            *("--entra", self.idp_url, "--token", TOKEN),
            *("--identifier", "https://perform.trakstar.com"),
            *("--sign-on-url", f"{self.sp_url}/auth/saml/?namespace=contoso"),
            *("--user", "B.Simon@contoso.com", "--password", "Passw0rd!"),
            *("--probe-url", f"{self.sp_url}/dashboard", "--probe-text", "Signed in as"),
        ]

    @property
    def example_args(self) -> list[str]:
        return [
            *("--entra", self.idp_url, "--token", TOKEN),
            *("--identifier", f"{self.example_url}/metadata"),
            *("--sign-on-url", f"{self.example_url}/login"),
            *("--user", "B.Simon@contoso.com", "--password", "Passw0rd!"),
            *("--probe-url", f"{self.example_url}/", "--probe-text", "Signed in as"),
        ]


def certificate_base64() -> str:
    pem = (CERTS / "idp-signing.crt").read_text()
    return "".join(line for line in pem.splitlines() if "-----" not in line)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("audit")
    sp_url = f"http://localhost:{free_port()}"
    idp_url = f"http://127.0.0.1:{free_port()}"
    example_url = f"http://localhost:{free_port()}"
    idp_initiated_url = f"http://localhost:{free_port()}"
    tenant = folder / "tenant.toml"
    tenant.write_text(
        DEFAULT_TENANT.read_text()
        + EXAMPLE_APP.format(url=example_url, idp_initiated_url=idp_initiated_url)
    )
    env = {
        "DATABASE_URL": f"sqlite:///{folder / 'sp.sqlite3'}",
        "SP_SECRET_KEY": "audit-only",
        "MOCK_IDP_SECRET_KEY": "audit-only",
        "MOCK_IDP_API_TOKEN": TOKEN,
        "MOCK_IDP_TENANT": str(tenant),
    }
    idp, sp = both_apps(sp_url=sp_url, idp_url=idp_url, log_dir=folder, env=env, test_mode=True)
    examples = [
        App(
            name=f"example SP at {url}",
            argv=[str(EXAMPLE)],
            url=url,
            log_path=folder / f"example-{index}.log",
            env={
                "SP_URL": url,
                "ENTRA_LOGIN_URL": f"{idp_url}/{TENANT_ID}/saml2",
                "ENTRA_IDENTIFIER": f"https://sts.windows.net/{TENANT_ID}/",
                "ENTRA_CERTIFICATE": certificate_base64(),
            },
        )
        for index, url in enumerate((example_url, idp_initiated_url))
    ]
    apps = [idp, sp, *examples]
    start_all(apps)
    try:
        yield Live(
            idp_url=idp_url,
            sp_url=sp_url,
            example_url=example_url,
            idp_initiated_url=idp_initiated_url,
        )
    finally:
        stop_all(apps)


def audit_command(*args: str) -> list[str]:
    """`mock-entra audit …` through the installed console script."""
    return [str(Path(sys.executable).parent / "mock-entra"), "audit", *args]


__all__ = ["Live", "Path", "audit_command", "live"]
