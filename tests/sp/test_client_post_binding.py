"""pysaml2 behind our adapter parses exactly the bytes the input gate checked: no DEFLATE guess.

Stock pysaml2 tries raw DEFLATE first on HTTP-POST, without a size limit (docs/reference/attacks.md
#36); a body that is both well-formed XML and a DEFLATE stream would reach it as something else.
"""

from __future__ import annotations

import base64
import zlib

import pytest
from flask import Flask

from sp.db import get_db
from sp.saml import errors
from sp.sso import organisation_for_sso
from sp.state import SpState
from tests.flows import sign_in_at_idp, start_sp_login


def _client_and_response(sp_app: Flask, idp_app: Flask) -> tuple[object, str, str]:
    sp = sp_app.test_client()
    saml2_path = start_sp_login(sp)
    posted = sign_in_at_idp(idp_app.test_client(), saml2_path)
    request_id = base64.b64decode(posted.saml_response).split(b'InResponseTo="', 1)[1]
    state: SpState = sp_app.extensions["sp"]
    with sp_app.app_context():
        _org, idp = organisation_for_sso(get_db(), "contoso")
    client = state.clients.get("contoso", idp)
    return client, posted.saml_response, request_id.split(b'"', 1)[0].decode()


def test_a_plain_response_verifies(sp_app: Flask, idp_app: Flask) -> None:
    client, saml_response, request_id = _client_and_response(sp_app, idp_app)

    verified = client.verify(saml_response, {request_id: "/dashboard"})  # type: ignore[attr-defined]

    assert verified.assertion.name_id == "B.Simon@contoso.com"


def test_a_deflated_response_is_not_inflated_even_past_the_gate(
    sp_app: Flask, idp_app: Flask
) -> None:
    """Stock pysaml2 accepts this (it inflates first); ours refuses it as what it is."""
    client, saml_response, request_id = _client_and_response(sp_app, idp_app)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = base64.b64decode(saml_response)
    deflated = base64.b64encode(compressor.compress(raw) + compressor.flush()).decode()

    with pytest.raises(errors.SsoError):
        client.verify(deflated, {request_id: "/dashboard"})  # type: ignore[attr-defined]
