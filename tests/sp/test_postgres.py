"""PostgreSQL as the SP's second database: `DATABASE_URL=postgresql://…` is all it takes.

The SP's database tests (replay cache, pending requests, people, settings) run on SQLite and on
a real PostgreSQL server (tests/postgres.py); these check the URL handling and a whole sign-in.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import inspect

from sp.app import create_app
from sp.config import SpConfig
from sp.db import engine_url, get_db
from sp.seed import DEFAULT_SEED, load_seed
from tests.attacks.driver import Browser
from tests.conftest import CERTS, FIXED_NOW, IDP_URL, SP_URL
from tests.postgres import postgres_server, postgres_url  # noqa: F401


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://sp@db.example/sp", "postgresql+psycopg://sp@db.example/sp"),
        ("postgres://sp:pw@127.0.0.1:5432/sp", "postgresql+psycopg://sp:pw@127.0.0.1:5432/sp"),
        ("postgresql+psycopg://sp@h/sp", "postgresql+psycopg://sp@h/sp"),
        ("sqlite:////tmp/sp.sqlite3", "sqlite:////tmp/sp.sqlite3"),
    ],
)
def test_a_postgresql_url_means_psycopg_3(given: str, used: str) -> None:
    assert engine_url(given) == used


def test_database_url_from_the_environment_runs_the_sp_on_postgresql(
    postgres_url: str,  # noqa: F811
    idp_app: Flask,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    monkeypatch.setenv("SP_SECRET_KEY", "tests")
    monkeypatch.setenv("SP_URL", SP_URL)
    app = create_app(SpConfig.from_env())
    with app.app_context():
        db = get_db()
        assert db.get_bind().dialect.name == "postgresql"
        assert {"people", "pending_requests", "seen_ids"} <= set(
            inspect(db.get_bind()).get_table_names()
        )
        load_seed(
            db,
            DEFAULT_SEED,
            substitutions={"IDP_URL": IDP_URL, "CERTS_DIR": str(CERTS)},
            now=FIXED_NOW,
        )

    browser = Browser(app, idp_app)
    seen = browser.post(browser.sign_in())

    assert seen.status == 303 and seen.signed_in and seen.pending_left == 0
    assert browser.whoami() == "Britta Simon"
