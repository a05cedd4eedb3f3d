"""Fixtures for the fast tests: both apps from their factories, a fixed clock and fixed IDs."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from mock_idp import certificates
from mock_idp.app import create_app as create_idp
from mock_idp.certificates import SigningPair
from mock_idp.config import IdpConfig
from mock_idp.state import IdpState
from sp.app import create_app as create_sp
from sp.config import SpConfig
from sp.db import get_db
from sp.passwords import PasswordCost
from sp.seed import DEFAULT_SEED, load_seed
from tests.url_builders import share_url_builders

share_url_builders()  # the apps this process creates compile each URL builder once, not per app

ROOT = Path(__file__).resolve().parent.parent
CERTS = ROOT / "certs"
TENANT_ID = "8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14"
SP_URL = "http://localhost:8000"
IDP_URL = "http://127.0.0.1:8001"
FIXED_NOW = datetime(2026, 11, 28, 9, 30, 15, 123000, tzinfo=UTC)
# The suite signs in hundreds of times: argon2id at its minimum work, not ~0.1 s per check
# (sp/passwords.py). tests/sp/test_passwords.py proves the standard cost separately.
PASSWORD_COST = PasswordCost.TEST


@pytest.fixture
def now() -> datetime:
    return FIXED_NOW


@pytest.fixture
def new_id() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"_00000000-0000-4000-8000-{next(counter):012d}"


@pytest.fixture(scope="session")
def idp_pair() -> SigningPair:
    return certificates.load(CERTS / "idp-signing.key", CERTS / "idp-signing.crt")


@pytest.fixture(scope="session")
def attacker_pair() -> SigningPair:
    return certificates.generate(FIXED_NOW)


@pytest.fixture
def idp_app() -> Flask:
    app = create_idp(
        IdpConfig(base_url=IDP_URL, sp_url=SP_URL, certs_dir=CERTS, secret_key="tests")
    )
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def idp_state(idp_app: Flask) -> IdpState:
    state: IdpState = idp_app.extensions["mock_idp"]
    return state


@pytest.fixture
def sp_database_url(tmp_path: Path) -> str:
    """SQLite; a module runs on PostgreSQL too by importing tests.postgres's fixtures."""
    return f"sqlite:///{tmp_path / 'sp.sqlite3'}"


@pytest.fixture
def sp_app(sp_database_url: str) -> Flask:
    config = SpConfig(
        base_url=SP_URL,
        database_url=sp_database_url,
        secret_key="tests",
        password_cost=PASSWORD_COST,
    )
    app = create_sp(config)
    with app.app_context():
        load_seed(
            get_db(),
            DEFAULT_SEED,
            substitutions={"IDP_URL": IDP_URL, "CERTS_DIR": str(CERTS)},
            now=FIXED_NOW,
            password_cost=PASSWORD_COST,
        )
    return app
