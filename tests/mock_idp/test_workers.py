"""Several workers of one mock (`mock-entra serve --workers N`) see one tenant, one set of
sessions, one secret and one API token: here two app instances share one store file, as two
gunicorn workers do."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from mock_idp.app import create_app
from mock_idp.config import IdpConfig
from tests.mock_idp.test_admin_pages import ROOT, SP, TENANT_ID, end_user_signs_in
from tests.mock_idp.test_graph_api import NEW_USER


def worker(store: Path) -> Flask:
    config = IdpConfig(
        base_url="http://127.0.0.1:8001",
        sp_url=SP,
        certs_dir=ROOT / "certs",
        store_path=store,
        secret_key="",  # each worker would make its own: the store keeps the first one
    )
    app = create_app(config)
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Flask, Flask]:
    return worker(tmp_path / "mock.sqlite3"), worker(tmp_path / "mock.sqlite3")


def test_workers_share_the_secret_and_the_api_token(pair: tuple[Flask, Flask]) -> None:
    first, second = pair
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    token = first.extensions["mock_idp"].config.api_token
    assert token and token == second.extensions["mock_idp"].config.api_token


def test_a_user_created_on_one_worker_signs_in_on_the_other(pair: tuple[Flask, Flask]) -> None:
    first, second = pair
    headers = {"Authorization": f"Bearer {first.extensions['mock_idp'].config.api_token}"}
    refused = second.test_client().post(
        f"/{TENANT_ID}/login/password",
        data={"login": "Pat.Lee@contoso.com", "passwd": "Str0ng-Pass"},
    )
    assert "This username may be incorrect" in refused.text  # AADSTS50034 on this worker
    created = first.test_client().post("/v1.0/users", headers=headers, json=NEW_USER)
    assert created.status_code == 201
    listed = second.test_client().get("/v1.0/users/pat.lee@contoso.com", headers=headers)
    assert listed.status_code == 200 and listed.json["id"] == created.json["id"]
    signed_in = end_user_signs_in(second.test_client(), "Pat.Lee@contoso.com", "Str0ng-Pass")
    assert signed_in.status_code == 302  # on to the app: the other worker knows Pat now


def test_a_session_started_on_one_worker_is_live_on_the_other(pair: tuple[Flask, Flask]) -> None:
    first, second = pair
    browser = first.test_client()
    end_user_signs_in(browser)
    cookie = browser.get_cookie("idp_session")
    assert cookie is not None
    other = second.test_client()
    other.set_cookie("idp_session", cookie.value)
    with other.session_transaction() as session:
        assert session.get("user", {}).get("object_id")
