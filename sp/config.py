"""The Trakstar clone's typed configuration; only `from_env` reads the environment."""

from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sp.passwords import PasswordCost

PACKAGE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = PACKAGE_DIR.parent / "instance"
DEFAULT_URL = "http://localhost:8000"
ENTITY_ID = "https://perform.trakstar.com"  # fixed: Entra matches the Issuer exactly (§10)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
# Written by `make run` (devserver) with the URLs it started the apps on, so that
# `flask --app sp …` in another terminal prints the same URLs without SP_URL exported.
RUN_URLS = INSTANCE_DIR / "run-urls.json"


@dataclass(frozen=True, kw_only=True, slots=True)
class SpConfig:
    base_url: str = DEFAULT_URL
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'sp.sqlite3'}"
    secret_key: str = ""
    entity_id: str = ENTITY_ID
    xmlsec_binary: str = "/usr/bin/xmlsec1"
    clock_skew_seconds: int = 180  # docs/reference/attacks.md §5: 2–5 minutes; 3 as the issue asks
    pending_ttl_seconds: int = 600
    max_response_age_seconds: int = 600  # IssueInstant older than this is refused
    # Test mode: time travel at /_test/clock (sp/test_clock.py); never on by default.
    test_mode: bool = False
    # The work of each new password hash (sp/passwords.py); TEST only for test suites.
    password_cost: PasswordCost = PasswordCost.STANDARD

    @property
    def port(self) -> int:
        return urlsplit(self.base_url).port or 80

    @property
    def secure_cookies(self) -> bool:
        """https, or loopback, which browsers treat as a secure context (Secure cookies work)."""
        parts = urlsplit(self.base_url)
        return parts.scheme == "https" or (parts.hostname or "") in LOOPBACK_HOSTS

    def acs_url(self, namespace: str) -> str:
        return f"{self.base_url}/auth/saml/callback?namespace={namespace}"

    def sign_on_url(self, namespace: str) -> str:
        return f"{self.base_url}/auth/saml/?namespace={namespace}"

    def logout_url(self, namespace: str) -> str:
        return f"{self.base_url}/auth/saml/logout?namespace={namespace}"

    @classmethod
    def from_env(cls, **overrides: object) -> SpConfig:
        values: dict[str, object] = {
            "base_url": (os.environ.get("SP_URL") or last_run_url()).rstrip("/"),
            "secret_key": os.environ.get("SP_SECRET_KEY") or _instance_secret(),
            "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
            "test_mode": os.environ.get("SP_TEST_MODE", "") in ("1", "true", "yes"),
        }
        if os.environ.get("DATABASE_URL"):
            values["database_url"] = os.environ["DATABASE_URL"]
        values["password_cost"] = _password_cost(os.environ.get("SP_PASSWORD_COST", ""))
        values.update(overrides)
        if values["password_cost"] is PasswordCost.TEST and not values["test_mode"]:
            raise ValueError(
                "SP_PASSWORD_COST=test makes password hashes cheap to guess: "
                "it is for test suites only, with SP_TEST_MODE=1"
            )
        return cls(**values)  # type: ignore[arg-type]


def _password_cost(value: str) -> PasswordCost:
    try:
        return PasswordCost(value or PasswordCost.STANDARD)
    except ValueError:
        names = ", ".join(cost.value for cost in PasswordCost)
        raise ValueError(f"SP_PASSWORD_COST={value!r}: expected one of {names}") from None


def last_run_url() -> str:
    """The SP URL of the last `make run` in this checkout, else the default."""
    try:
        value = json.loads(RUN_URLS.read_text(encoding="utf-8")).get("sp_url")
    except (OSError, ValueError, AttributeError):
        return DEFAULT_URL
    return (
        value
        if isinstance(value, str) and value.startswith(("http://", "https://"))
        else (DEFAULT_URL)
    )


def _instance_secret() -> str:
    """A per-checkout secret kept in instance/, so sessions survive a restart of `make run`."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
