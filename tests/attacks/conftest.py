"""Fixtures for the attack tests: the mock in test mode (its control API on) next to the SP.

`idp_test_app` is a fresh mock per test. `apps` shares one SP and one mock across a module
(building them costs more than most cases): each test still gets fresh browsers, Entra's
default signing option and an empty queue, and the catalogue never depends on what an earlier
test left behind (replay signs in first, in the same test).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from mock_idp.app import create_app as create_idp
from mock_idp.config import IdpConfig
from mock_idp.faults.runtime import EXTENSION
from tests.attacks.driver import APP_ID
from tests.attacks.pysaml2_alone import build_apps
from tests.conftest import CERTS, IDP_URL, SP_URL


@pytest.fixture
def idp_test_app() -> Flask:
    app = create_idp(
        IdpConfig(
            base_url=IDP_URL, sp_url=SP_URL, certs_dir=CERTS, secret_key="tests", test_mode=True
        )
    )
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture(scope="module")
def shared_apps(tmp_path_factory: pytest.TempPathFactory) -> tuple[Flask, Flask]:
    return build_apps(Path(tmp_path_factory.mktemp("attacks")))


@pytest.fixture
def apps(shared_apps: tuple[Flask, Flask]) -> Iterator[tuple[Flask, Flask]]:
    sp_app, idp_app = shared_apps
    app = idp_app.extensions["mock_idp"].tenant.apps[APP_ID]
    option = app.signing_option
    idp_app.extensions[EXTENSION].clear(APP_ID)
    yield sp_app, idp_app
    app.signing_option = option
