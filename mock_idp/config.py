"""The mock Entra ID's typed configuration; only `from_env` reads the environment."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from mock_idp.determinism import parse_clock, parse_seed
from mock_idp.keys import KeyFolder

PACKAGE_DIR = Path(__file__).resolve().parent
TENANTS_DIR = PACKAGE_DIR / "tenants"  # the packaged tenant files a reset may name
DEFAULT_TENANT = TENANTS_DIR / "default.toml"
DEFAULT_CERTS = PACKAGE_DIR.parent / "certs"
DEFAULT_URL = "http://127.0.0.1:8001"
DEFAULT_SP_URL = "http://localhost:8000"


@dataclass(frozen=True, kw_only=True, slots=True)
class IdpConfig:
    base_url: str = DEFAULT_URL
    sp_url: str = DEFAULT_SP_URL
    tenant_file: Path = DEFAULT_TENANT
    certs_dir: Path = DEFAULT_CERTS
    secret_key: str = ""
    # Test mode exposes the harness control API and the Scenario menu; never on by default.
    test_mode: bool = False
    # Bearer token of the automation API (/v1.0, /mock); create_app generates one when empty.
    api_token: str = ""
    # The SAML tracer (/trace/): records what the browser exchanges with the mock. `make run`
    # turns it on; `step` stops the auto-post page before it posts (needs `trace`).
    trace: bool = False
    step: bool = False
    # The SQLite file every worker shares (`mock-entra serve --workers N`); None: in memory.
    store_path: Path | None = None
    # Deterministic mode (mock_idp/determinism.py): a fixed clock and a seed for IDs and tokens.
    clock: datetime | None = None
    seed: int | None = None
    # Stable keys (mock_idp.keys): generated signing pairs are kept here; None: new each start.
    keys_dir: Path | None = None

    @property
    def port(self) -> int:
        return urlsplit(self.base_url).port or 80

    @property
    def secure_cookies(self) -> bool:
        """https, or loopback, which browsers treat as a secure context (Secure cookies work)."""
        parts = urlsplit(self.base_url)
        return parts.scheme == "https" or (parts.hostname or "") in (
            "localhost",
            "127.0.0.1",
            "::1",
        )

    @classmethod
    def from_env(cls, **overrides: object) -> IdpConfig:
        values: dict[str, object] = {
            "base_url": os.environ.get("IDP_URL", DEFAULT_URL).rstrip("/"),
            "sp_url": os.environ.get("SP_URL", DEFAULT_SP_URL).rstrip("/"),
            "tenant_file": Path(os.environ.get("MOCK_IDP_TENANT", str(DEFAULT_TENANT))),
            "certs_dir": Path(os.environ.get("CERTS_DIR", str(DEFAULT_CERTS))),
            "secret_key": os.environ.get("MOCK_IDP_SECRET_KEY") or secrets.token_hex(32),
            "test_mode": os.environ.get("MOCK_IDP_TEST_MODE", "") in ("1", "true", "yes"),
            "api_token": os.environ.get("MOCK_IDP_API_TOKEN", ""),
            "trace": _flag(os.environ.get("MOCK_IDP_TRACE", "")),
            "step": _flag(os.environ.get("MOCK_IDP_STEP", "")),
            "store_path": Path(os.environ["MOCK_IDP_STORE"])
            if os.environ.get("MOCK_IDP_STORE")
            else None,
            "clock": parse_clock(os.environ["MOCK_IDP_CLOCK"], "MOCK_IDP_CLOCK")
            if os.environ.get("MOCK_IDP_CLOCK")
            else None,
            "seed": parse_seed(os.environ["MOCK_IDP_SEED"], "MOCK_IDP_SEED")
            if os.environ.get("MOCK_IDP_SEED")
            else None,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    def key_folder(self) -> KeyFolder | None:
        return KeyFolder(self.keys_dir) if self.keys_dir else None

    def substitutions(self) -> dict[str, str]:
        """Placeholders a tenant file may use."""
        return {"SP_URL": self.sp_url, "IDP_URL": self.base_url, "CERTS_DIR": str(self.certs_dir)}


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")
