"""`make run` found by use: an immediate restart works, and a new IDP_URL is followed (loopback)."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from devserver.processes import App, StartError
from sp.db import get_db
from sp.models import Organisation, SamlSettings
from sp.seed import DEFAULT_SEED, load_seed
from sp.seed_urls import follow_idp_url
from tests.conftest import CERTS, FIXED_NOW, IDP_URL

NEW_IDP_URL = "http://127.0.0.1:9001"


def _app_on(port: int, tmp_path: Path) -> App:
    return App(name="probe", argv=[], url=f"http://127.0.0.1:{port}", log_path=tmp_path / "x.log")


def _port_in_time_wait() -> int:
    """A port whose server closed first after serving a connection: it sits in TIME_WAIT."""
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = int(server.getsockname()[1])
        client = socket.create_connection(("127.0.0.1", port))
        served, _ = server.accept()
        served.close()  # the server side closes first, as after an answered request
        client.recv(1)  # sees the FIN
        client.close()
    return port


def test_a_port_left_in_time_wait_is_free_for_the_next_run(tmp_path: Path) -> None:
    port = _port_in_time_wait()
    with socket.socket() as naive, pytest.raises(OSError, match="Address already in use"):
        naive.bind(("127.0.0.1", port))  # the old check's bind: refused while in TIME_WAIT

    _app_on(port, tmp_path)._check_port_free()  # no StartError

    with socket.socket() as server:  # and the server itself binds there, as werkzeug does
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))


def test_a_port_something_listens_on_is_still_busy(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = int(listener.getsockname()[1])
        with pytest.raises(StartError, match=f"port {port} .* already in use"):
            _app_on(port, tmp_path)._check_port_free()


def _seed(sp_app: Flask, idp_url: str) -> list[str]:
    substitutions = {"IDP_URL": idp_url, "CERTS_DIR": str(CERTS)}
    with sp_app.app_context():
        load_seed(get_db(), DEFAULT_SEED, substitutions=substitutions, now=FIXED_NOW)
        later = FIXED_NOW + timedelta(minutes=5)
        followed = follow_idp_url(get_db(), DEFAULT_SEED, substitutions=substitutions, now=later)
        return [f.message() for f in followed]


def _contoso(sp_app: Flask) -> SamlSettings:
    with sp_app.app_context():
        settings = get_db().scalar(
            select(SamlSettings).join(Organisation).where(Organisation.namespace == "contoso")
        )
        assert settings is not None
        return settings


def test_a_second_run_with_another_idp_url_sends_browsers_there(sp_app: Flask) -> None:
    # sp_app is seeded with IDP_URL, as a first `make run` would.
    messages = _seed(sp_app, NEW_IDP_URL)

    settings = _contoso(sp_app)
    assert settings.idp_sso_url == f"{NEW_IDP_URL}/8f2c1d7e-4b3a-4e6f-9c21-5a7d0e3b9f14/saml2"
    assert settings.idp_logout_url == settings.idp_sso_url
    assert messages == [
        f"sp: note: contoso: Login and Logout URLs moved from {IDP_URL} to {NEW_IDP_URL} "
        "(IDP_URL changed since the last seed)"
    ]
    assert _seed(sp_app, NEW_IDP_URL) == []  # the same URL again: nothing to say


def test_settings_an_administrator_changed_are_kept_and_the_reset_is_named(
    sp_app: Flask,
) -> None:
    with sp_app.app_context():
        settings = get_db().scalar(select(SamlSettings))
        assert settings is not None
        settings.idp_entity_id = "https://sts.windows.net/another-tenant/"
        get_db().commit()

    messages = _seed(sp_app, NEW_IDP_URL)

    assert _contoso(sp_app).idp_sso_url.startswith(f"{IDP_URL}/")  # unchanged
    assert len(messages) == 1
    assert f"still send browsers to {IDP_URL}, not IDP_URL {NEW_IDP_URL}" in messages[0]
    assert "flask --app sp org reset contoso --yes" in messages[0]


def test_make_run_shows_this_runs_notes_from_the_sp_log(tmp_path: Path) -> None:
    app = _app_on(1, tmp_path)
    app.log_path.write_text("sp: note: from an earlier run\n")
    app.log_start = app.log_path.stat().st_size
    with app.log_path.open("a") as log:
        log.write("2026-01-01 sp GET /\nsp: note: contoso: Login and Logout URLs moved\n")

    assert app.notices() == ["sp: note: contoso: Login and Logout URLs moved"]
