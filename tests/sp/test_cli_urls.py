"""Issue 13 papercut: the Trakstar CLI prints the URLs `make run` uses, without SP_URL exported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sp import config
from sp.app import create_app
from sp.config import SpConfig
from sp.db import get_db
from sp.seed import DEFAULT_SEED, load_seed
from tests.conftest import CERTS, FIXED_NOW, IDP_URL


def test_the_cli_reads_the_url_of_the_last_make_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_urls = tmp_path / "run-urls.json"
    run_urls.write_text(json.dumps({"sp_url": "http://localhost:9000", "idp_url": IDP_URL}))
    monkeypatch.setattr(config, "RUN_URLS", run_urls)
    monkeypatch.delenv("SP_URL", raising=False)
    app = create_app(
        SpConfig.from_env(database_url=f"sqlite:///{tmp_path / 'sp.db'}", secret_key="tests")
    )
    with app.app_context():
        load_seed(
            get_db(),
            DEFAULT_SEED,
            substitutions={"IDP_URL": IDP_URL, "CERTS_DIR": str(CERTS)},
            now=FIXED_NOW,
        )

    shown = app.test_cli_runner().invoke(args=["saml", "show", "contoso"])

    assert shown.exit_code == 0, shown.output
    assert "http://localhost:9000/auth/saml/callback?namespace=contoso" in shown.output
    assert ":8000" not in shown.output


def test_sp_url_still_wins_and_no_run_means_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "RUN_URLS", tmp_path / "absent.json")
    monkeypatch.delenv("SP_URL", raising=False)
    assert SpConfig.from_env(secret_key="x").base_url == "http://localhost:8000"
    monkeypatch.setenv("SP_URL", "http://localhost:7000/")
    assert SpConfig.from_env(secret_key="x").base_url == "http://localhost:7000"
