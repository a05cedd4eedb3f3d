"""The work of a password hash: argon2id always, RFC 9106's profile unless a test suite asks.

The suite itself hashes at the minimal test cost (tests/conftest.py); these tests prove the
standard cost, that the test cost is refused outside test mode, and that hashes made at another
cost still verify and are replaced at the next successful sign-in.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from sp.app import create_app
from sp.config import SpConfig
from sp.db import get_db
from sp.models import Person
from sp.passwords import PasswordCost, dummy_hash, hash_password, needs_rehash, verify_password
from sp.seed import DEFAULT_SEED, load_seed
from tests.conftest import CERTS, FIXED_NOW, IDP_URL, SP_URL
from tests.sp.admin_client import ADMIN, ADMIN_PASSWORD, sign_in

STANDARD = "$argon2id$v=19$m=65536,t=3,p=4$"  # RFC 9106 low memory: 64 MiB, 3 passes, 4 lanes
MINIMAL = "$argon2id$v=19$m=8,t=1,p=1$"


def seeded_app(tmp_path: Path, cost: PasswordCost) -> Flask:
    app = create_app(
        SpConfig(
            base_url=SP_URL,
            database_url=f"sqlite:///{tmp_path / 'sp.sqlite3'}",
            secret_key="tests",
            password_cost=cost,
        )
    )
    with app.app_context():
        substitutions = {"IDP_URL": IDP_URL, "CERTS_DIR": str(CERTS)}
        load_seed(
            get_db(), DEFAULT_SEED, substitutions=substitutions, now=FIXED_NOW, password_cost=cost
        )
    return app


def stored_hash(app: Flask, email: str = ADMIN) -> str:
    with app.app_context():
        person = get_db().scalar(select(Person).where(Person.email == email))
        assert person is not None and person.password_hash is not None
        return person.password_hash


def set_hash(app: Flask, password_hash: str, email: str = ADMIN) -> None:
    with app.app_context():
        db = get_db()
        person = db.scalar(select(Person).where(Person.email == email))
        assert person is not None
        person.password_hash = password_hash
        db.commit()


def test_the_standard_cost_is_argon2id_with_rfc_9106s_low_memory_profile() -> None:
    hashed = hash_password("Britta-Passw0rd!")

    assert hashed.startswith(STANDARD)
    assert verify_password(hashed, "Britta-Passw0rd!") and not verify_password(hashed, "wrong")
    assert dummy_hash(PasswordCost.STANDARD).startswith(STANDARD)  # unknown emails cost the same


def test_the_test_cost_is_argon2id_at_its_minimum_and_any_hash_verifies_at_any_cost() -> None:
    cheap = hash_password("Britta-Passw0rd!", PasswordCost.TEST)

    assert cheap.startswith(MINIMAL)
    assert dummy_hash(PasswordCost.TEST).startswith(MINIMAL)
    assert verify_password(cheap, "Britta-Passw0rd!") and not verify_password(cheap, "wrong")
    assert needs_rehash(cheap, PasswordCost.STANDARD)
    assert not needs_rehash(cheap, PasswordCost.TEST)
    assert needs_rehash("not a hash", PasswordCost.STANDARD)


def test_the_environment_gets_the_test_cost_in_test_mode_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SP_TEST_MODE", raising=False)
    monkeypatch.delenv("SP_PASSWORD_COST", raising=False)
    assert SpConfig.from_env(secret_key="t").password_cost is PasswordCost.STANDARD

    monkeypatch.setenv("SP_PASSWORD_COST", "test")
    with pytest.raises(ValueError, match="cheap to guess.*SP_TEST_MODE=1"):
        SpConfig.from_env(secret_key="t")
    with pytest.raises(ValueError, match="cheap to guess"):
        SpConfig.from_env(secret_key="t", password_cost=PasswordCost.TEST)

    monkeypatch.setenv("SP_TEST_MODE", "1")
    assert SpConfig.from_env(secret_key="t").password_cost is PasswordCost.TEST

    monkeypatch.setenv("SP_PASSWORD_COST", "cheap")
    with pytest.raises(ValueError, match="'cheap': expected one of standard, test"):
        SpConfig.from_env(secret_key="t")


def test_the_seeds_ready_hash_is_kept_at_the_standard_cost_and_remade_at_another(
    tmp_path: Path,
) -> None:
    seed = tomllib.loads(DEFAULT_SEED.read_text(encoding="utf-8"))
    ready = seed["organisations"][0]["people"][0]["password_hash"]
    assert ready.startswith(STANDARD)

    standard = seeded_app(tmp_path / "standard", PasswordCost.STANDARD)
    cheap = seeded_app(tmp_path / "cheap", PasswordCost.TEST)

    assert stored_hash(standard) == ready  # no argon2 work while seeding
    assert stored_hash(cheap).startswith(MINIMAL)
    assert verify_password(stored_hash(cheap), ADMIN_PASSWORD)


def test_a_sign_in_replaces_a_hash_made_at_another_cost(tmp_path: Path) -> None:
    """A deployment whose hashes were made cheaper (an older setting, a copied test database)
    gets them at the standard cost as each person next signs in."""
    app = seeded_app(tmp_path, PasswordCost.STANDARD)
    set_hash(app, hash_password(ADMIN_PASSWORD, PasswordCost.TEST))

    assert sign_in(app.test_client(), ADMIN, "Wrong-Passw0rd!").status_code == 401
    assert stored_hash(app).startswith(MINIMAL)  # a wrong password changes nothing
    assert sign_in(app.test_client(), ADMIN, ADMIN_PASSWORD).status_code == 303
    upgraded = stored_hash(app)
    assert upgraded.startswith(STANDARD) and verify_password(upgraded, ADMIN_PASSWORD)
    assert sign_in(app.test_client(), ADMIN, ADMIN_PASSWORD).status_code == 303
    assert stored_hash(app) == upgraded  # made once, kept


def test_the_suites_apps_replace_a_standard_hash_with_a_cheap_one(sp_app: Flask) -> None:
    set_hash(sp_app, hash_password(ADMIN_PASSWORD))

    assert sign_in(sp_app.test_client(), ADMIN, ADMIN_PASSWORD).status_code == 303
    assert stored_hash(sp_app).startswith(MINIMAL)
