"""pysaml2 inside the SP's client without the work that checks nothing (sp/saml/lean.py): the
objects and verdicts of stock pysaml2, no temporary file, and tampered responses still refused."""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from saml2 import saml, samlp, sigver, time_util

from mock_idp.certificates import SigningPair
from sp.db import get_db
from sp.saml import errors, lean
from sp.saml.client import SamlClient, _saml2
from sp.saml.identity import IdpSettings
from sp.sso import organisation_for_sso
from sp.state import SpState
from tests.sp.test_client_post_binding import _client_and_response

LOGOUT_RESPONSE = (
    '<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1" '
    'Version="2.0" IssueInstant="2026-11-28T09:30:15Z"><samlp:Status><samlp:StatusCode '
    'Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>'
)


@pytest.fixture(autouse=True)
def _pysaml2_loaded() -> None:
    _saml2()  # installs lean's dispatch, as the SP's first sign-in does


def _tampered(saml_response: str) -> str:
    """The same signed response, naming someone else: the signature no longer covers it."""
    xml = base64.b64decode(saml_response)
    assert xml.count(b"B.Simon@contoso.com") >= 1
    changed = xml.replace(b"B.Simon@contoso.com", b"Alex.Wilber@contoso.com")
    return base64.b64encode(changed).decode()


def test_a_response_verifies_with_no_temporary_file(
    sp_app: Flask, idp_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, saml_response, request_id = _client_and_response(sp_app, idp_app)

    def no_file(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a temporary file was written")

    monkeypatch.setattr(sigver, "NamedTemporaryFile", no_file)

    verified = client.verify(saml_response, {request_id: "/dashboard"})  # type: ignore[attr-defined]

    assert verified.assertion.name_id == "B.Simon@contoso.com"


def test_a_tampered_response_is_still_refused(sp_app: Flask, idp_app: Flask) -> None:
    client, saml_response, request_id = _client_and_response(sp_app, idp_app)

    with pytest.raises(errors.InvalidSignature):
        client.verify(_tampered(saml_response), {request_id: "/dashboard"})  # type: ignore[attr-defined]


def test_a_response_signed_by_another_key_is_still_refused(
    sp_app: Flask, idp_app: Flask, attacker_pair: SigningPair
) -> None:
    """The in-memory certificate is the trusted one, not any certificate that verifies."""
    _client, saml_response, request_id = _client_and_response(sp_app, idp_app)
    state: SpState = sp_app.extensions["sp"]
    with sp_app.app_context():
        _org, idp = organisation_for_sso(get_db(), "contoso")
    pem = "-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(attacker_pair.cert_der).decode()
    other = IdpSettings(
        sso_url=idp.sso_url,
        entity_id=idp.entity_id,
        logout_url=idp.logout_url,
        certificates=(pem + "-----END CERTIFICATE-----\n",),
    )
    client = SamlClient(state.clients.get("contoso", idp).sp, other)

    with pytest.raises(errors.InvalidSignature):
        client.verify(saml_response, {request_id: "/dashboard"})


def test_a_certificate_in_memory_is_no_file_and_outside_the_sps_client_files_stay() -> None:
    pem = Path(__file__).resolve().parents[2].joinpath("certs", "idp-signing.crt").read_bytes()
    with lean.ours():
        in_memory = sigver.make_temp(pem.decode(), suffix=".pem", decode=False)
    assert isinstance(in_memory.name, lean.PemInMemory) and in_memory.name.pem == pem
    # Whatever takes it for a path finds nothing (pysaml2's certificate check would refuse).
    assert not os.path.exists(in_memory.name)

    on_disk = sigver.make_temp(pem.decode(), suffix=".pem", decode=False)  # pysaml2 alone
    assert Path(on_disk.name).read_bytes() == pem


def test_one_parse_gives_pysaml2s_objects_and_errors(sp_app: Flask, idp_app: Flask) -> None:
    _client, saml_response, _request_id = _client_and_response(sp_app, idp_app)
    response = base64.b64decode(saml_response)

    for xml in (response, response.decode(), LOGOUT_RESPONSE):
        ours, stock = lean.any_response(xml), samlp.any_response_from_string(xml)
        assert type(ours) is type(stock) and str(ours) == str(stock)
    assert isinstance(lean.any_response(response), samlp.Response)

    for bad in (b"<samlp:AuthnRequest xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'/>", b"<"):
        assert _error_of(lean.any_response, bad) == _error_of(samlp.any_response_from_string, bad)


def _error_of(parse: Callable[[bytes], object], xml: bytes) -> tuple[type, str]:
    try:
        parse(xml)
    except Exception as exc:  # whatever pysaml2 raises, ours must raise the same
        return type(exc), str(exc)
    raise AssertionError("parsed")


def test_timestamps_parse_as_pysaml2_parses_them_and_errors_are_never_remembered() -> None:
    values = ["2026-11-28T09:30:15Z", "2026-11-28T09:30:15.123Z", "2026-11-28T09:30:15.1234567Z"]
    stock = [time_util.str_to_time(value) for value in values]  # outside ours(): pysaml2's
    with lean.ours():
        assert [time_util.str_to_time(value) for value in values * 2] == stock * 2
        for _ in range(2):  # refused every time, not once and then remembered
            with pytest.raises(AttributeError):  # what pysaml2 raises for this one
                time_util.str_to_time("yesterday")
    with pytest.raises(AttributeError):
        time_util.str_to_time("yesterday")


def test_the_attribute_statement_is_formatted_only_for_debug_logging(
    sp_app: Flask,
    idp_app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, saml_response, request_id = _client_and_response(sp_app, idp_app)
    formatted: list[str] = []
    real_str = saml.AttributeStatement.__str__

    def counted(statement: saml.AttributeStatement) -> str:
        formatted.append("x")
        return real_str(statement)

    monkeypatch.setattr(saml.AttributeStatement, "__str__", counted)

    verified = client.verify(saml_response, {request_id: "/dashboard"})  # type: ignore[attr-defined]
    assert verified.assertion.attributes and formatted == []  # logging off: never built

    caplog.set_level(logging.DEBUG, logger="saml2")
    _client, saml_response, request_id = _client_and_response(sp_app, idp_app)
    client.verify(saml_response, {request_id: "/dashboard"})  # type: ignore[attr-defined]
    assert any("Attribute Statement: <" in r.getMessage() for r in caplog.records)
