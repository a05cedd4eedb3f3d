"""Federation Metadata XML import: the mock's real signed metadata, and every way it is refused."""

from __future__ import annotations

import io
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from lxml import etree
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from mock_idp.certificates import SigningPair
from mock_idp.federation import app_metadata
from mock_idp.protocol.metadata import MetadataSpec, build_metadata, to_document
from mock_idp.protocol.signing import Signer
from mock_idp.state import IdpState
from mock_idp.tenant import EnterpriseApp
from sp.db import get_db
from sp.models import Organisation, SamlSettings
from sp.saml import fetch, metadata
from sp.saml.fetch import GENERIC, FetchRefused
from sp.saml.metadata import MetadataError
from tests.conftest import IDP_URL, TENANT_ID
from tests.sp.admin_client import SAML_PAGE, field_error, post, signed_in_admin

XMLSEC = "/usr/bin/xmlsec1"
IMPORT = "/settings/authentication/saml/metadata"


def _trakstar(idp_state: IdpState) -> EnterpriseApp:
    app = idp_state.tenant.app_by_identifier("https://perform.trakstar.com")
    assert app is not None
    return app


@pytest.fixture
def signed(idp_state: IdpState) -> bytes:
    return app_metadata(idp_state, _trakstar(idp_state))


def _read(xml: bytes) -> metadata.FederationMetadata:
    return metadata.read(xml, xmlsec_binary=XMLSEC)


def _signed_by(signer: SigningPair, carried: SigningPair, idp_state: IdpState) -> bytes:
    spec = MetadataSpec(
        entity_id=f"https://sts.windows.net/{TENANT_ID}/",
        saml2_url=f"{IDP_URL}/{TENANT_ID}/saml2",
        wsfed_url=f"{IDP_URL}/{TENANT_ID}/wsfed",
        certificates_b64=(carried.cert_b64,),
    )
    unsigned = build_metadata(spec, new_id=idp_state.new_id)
    return to_document(Signer(pair=signer).sign(unsigned, after=None))


# --- reading -----------------------------------------------------------------------------


def test_the_mocks_metadata_is_verified_and_read(signed: bytes, idp_state: IdpState) -> None:
    pair = _trakstar(idp_state).active_certificate.pair

    meta = _read(signed)

    assert meta.entity_id == f"https://sts.windows.net/{TENANT_ID}/"
    assert meta.sso_url == meta.logout_url == f"{IDP_URL}/{TENANT_ID}/saml2"
    assert meta.certificates == (pair.cert_der,)
    assert meta.signer_thumbprint == pair.thumbprint


def test_one_changed_byte_breaks_the_signature(signed: bytes) -> None:
    tampered = signed.replace(b"/saml2", b"/saml3", 1)
    assert tampered != signed

    with pytest.raises(MetadataError, match="does not verify with the certificate it carries"):
        _read(tampered)


def test_metadata_signed_by_another_key_than_the_one_it_carries_is_refused(
    idp_state: IdpState, idp_pair: SigningPair, attacker_pair: SigningPair
) -> None:
    forged = _signed_by(attacker_pair, idp_pair, idp_state)

    with pytest.raises(MetadataError, match="does not verify"):
        _read(forged)


def test_self_consistent_foreign_metadata_shows_its_own_thumbprint(
    idp_state: IdpState, idp_pair: SigningPair, attacker_pair: SigningPair
) -> None:
    """Only the admin's thumbprint comparison can catch this one: so it must be shown."""
    meta = _read(_signed_by(attacker_pair, attacker_pair, idp_state))

    assert meta.signer_thumbprint == attacker_pair.thumbprint != idp_pair.thumbprint


def _edit(xml: bytes, change: str) -> bytes:
    root = etree.fromstring(xml)
    ds = "{http://www.w3.org/2000/09/xmldsig#}"
    md = "{urn:oasis:names:tc:SAML:2.0:metadata}"
    signature = root.find(f"{ds}Signature")
    assert signature is not None
    if change == "unsigned":
        root.remove(signature)
    elif change == "two signatures":
        root.find(f"{md}IDPSSODescriptor").append(etree.fromstring(etree.tostring(signature)))  # type: ignore[union-attr]
    elif change == "reference elsewhere":
        signature.find(f".//{ds}Reference").set("URI", "#_other")  # type: ignore[union-attr]
    elif change == "sha1":
        method = signature.find(f".//{ds}SignatureMethod")
        method.set("Algorithm", "http://www.w3.org/2000/09/xmldsig#rsa-sha1")  # type: ignore[union-attr]
    elif change == "no idp":
        root.remove(root.find(f"{md}IDPSSODescriptor"))  # type: ignore[arg-type]
    elif change == "duplicate id":
        root.find(f"{md}IDPSSODescriptor").set("ID", root.get("ID"))  # type: ignore[union-attr, arg-type]
    return bytes(etree.tostring(root))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("unsigned", "The metadata is not signed"),
        ("two signatures", "exactly one signature"),
        ("reference elsewhere", "does not cover the whole file"),
        ("sha1", "algorithm we do not accept"),
        ("no idp", "0 IDPSSODescriptor"),
        ("duplicate id", "An ID occurs twice"),
    ],
)
def test_a_signature_that_does_not_protect_the_whole_file_is_refused(
    signed: bytes, change: str, message: str
) -> None:
    with pytest.raises(MetadataError, match=message):
        _read(_edit(signed, change))


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"", "empty"),
        (b"not xml", "not a Federation Metadata XML file"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DOCTYPE"),
        (b"<x/>" + b" " * (300 * 1024), "larger than 256 KB"),
        (b'<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"/>', "several entities"),
        (b"<html><body>Sign in</body></html>", "no EntityDescriptor"),
    ],
)
def test_what_is_not_metadata_is_said_so(xml: bytes, message: str) -> None:
    with pytest.raises(MetadataError, match=message):
        _read(xml)


# --- fetching ----------------------------------------------------------------------------


@contextmanager
def _serve(app: object) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def _metadata_url(base: str, idp_state: IdpState) -> str:
    app_id = _trakstar(idp_state).app_id
    return f"{base}/{TENANT_ID}/federationmetadata/2007-06/federationmetadata.xml?appid={app_id}"


def test_fetching_the_mocks_metadata_url(idp_app: Flask, idp_state: IdpState) -> None:
    with _serve(idp_app) as base:
        xml = fetch.fetch(_metadata_url(base, idp_state))

    assert _read(xml).signer_thumbprint == _trakstar(idp_state).active_certificate.pair.thumbprint


OTHER_TENANT = "00000000-0000-4000-8000-000000000000"


def test_an_http_error_is_reported(idp_app: Flask) -> None:
    with _serve(idp_app) as base, pytest.raises(FetchRefused) as refused:
        # Tenant-wide metadata exists (no appid); another tenant's does not: HTTP 404.
        fetch.fetch(f"{base}/{OTHER_TENANT}/federationmetadata/2007-06/federationmetadata.xml")
    # The admin sees the one generic message; the status is for the log (finding 3).
    assert str(refused.value) == GENERIC and refused.value.detail == "HTTP 404"


def test_a_silent_server_times_out() -> None:
    with socket.socket() as listener:  # accepts connections (backlog), never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/metadata.xml"

        with pytest.raises(FetchRefused) as refused:
            fetch.fetch(url, timeout=0.3)
        assert refused.value.detail == "no answer within 0.3 seconds"


@Request.application
def _odd_server(request: Request) -> Response:
    if request.path == "/big":
        return Response(b"<" + b"x" * (300 * 1024), mimetype="application/xml")
    return Response(status=302, headers={"Location": request.args["to"]})


def test_a_response_over_the_size_cap_is_refused() -> None:
    with _serve(_odd_server) as base, pytest.raises(FetchRefused) as refused:
        fetch.fetch(f"{base}/big")
    assert refused.value.detail == "larger than 256 KB"


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://example.com/m.xml"])
def test_a_redirect_away_from_http_is_refused(target: str) -> None:
    with _serve(_odd_server) as base, pytest.raises(FetchRefused) as refused:
        fetch.fetch(f"{base}/redirect?to={target}")
    assert "not followed" in refused.value.detail and target in refused.value.detail


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/m.xml", "gopher://x"])
def test_only_http_urls_are_fetched(url: str) -> None:
    with pytest.raises(MetadataError, match="must start with https://"):
        fetch.fetch(url)


def test_an_unreachable_host_is_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, not listening: connection refused

        with pytest.raises(FetchRefused) as refused:
            fetch.fetch(f"http://127.0.0.1:{port}/m.xml", timeout=1)
        assert str(refused.value) == GENERIC and "connecting to 127.0.0.1" in refused.value.detail


# --- the page ----------------------------------------------------------------------------


def _fabrikam_row(sp_app: Flask) -> SamlSettings | None:
    with sp_app.app_context():
        db = get_db()
        org = db.scalar(select(Organisation).where(Organisation.namespace == "fabrikam"))
        assert org is not None
        return db.get(SamlSettings, org.id)


def test_uploaded_metadata_fills_the_form_and_shows_the_thumbprint(
    sp_app: Flask, signed: bytes, idp_state: IdpState
) -> None:
    admin = signed_in_admin(sp_app.test_client(), "admin@fabrikam.com")
    pair = _trakstar(idp_state).active_certificate.pair

    filled = post(
        admin, IMPORT, {"metadata_file": (io.BytesIO(signed), "Trakstar.xml")}, page=SAML_PAGE
    )

    assert filled.status_code == 200
    assert f'<code id="metadata-thumbprint">{pair.thumbprint}</code>' in filled.text
    assert f'name="login_url" value="{IDP_URL}/{TENANT_ID}/saml2"' in filled.text
    assert f'name="identifier" value="https://sts.windows.net/{TENANT_ID}/"' in filled.text
    assert "-----BEGIN CERTIFICATE-----" in filled.text
    assert _fabrikam_row(sp_app) is None  # nothing saved until the admin presses Save

    form = {
        name: re.search(rf'name="{name}" value="([^"]*)"', filled.text).group(1)  # type: ignore[union-attr]
        for name in ("login_url", "identifier", "logout_url")
    }
    certificate = re.search(r'name="certificate"[^>]*>([^<]+)</textarea>', filled.text)
    assert certificate
    saved = post(admin, SAML_PAGE, {**form, "certificate": certificate.group(1)})

    assert saved.status_code == 303
    row = _fabrikam_row(sp_app)
    assert row is not None and row.idp_entity_id == f"https://sts.windows.net/{TENANT_ID}/"
    assert f'<code id="thumbprint">{pair.thumbprint}</code>' in admin.get(SAML_PAGE).text


def test_metadata_from_its_url_fills_the_form(
    sp_app: Flask, idp_app: Flask, idp_state: IdpState
) -> None:
    admin = signed_in_admin(sp_app.test_client(), "admin@fabrikam.com")

    with _serve(idp_app) as base:
        filled = post(
            admin, IMPORT, {"metadata_url": _metadata_url(base, idp_state)}, page=SAML_PAGE
        )

    assert filled.status_code == 200
    thumbprint = _trakstar(idp_state).active_certificate.pair.thumbprint
    assert f'<code id="metadata-thumbprint">{thumbprint}</code>' in filled.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Upload the Federation Metadata XML file or enter its URL"),
        ({"metadata_url": "http://metadata.example.com/x.xml"}, "must start with https://"),
        ({"metadata_file": (io.BytesIO(b"<x/>"), "x.xml")}, "no EntityDescriptor"),
    ],
)
def test_refused_metadata_is_explained_and_nothing_is_saved(
    sp_app: Flask, data: dict[str, object], message: str
) -> None:
    admin = signed_in_admin(sp_app.test_client(), "admin@fabrikam.com")

    response = post(admin, IMPORT, data, page=SAML_PAGE)

    assert response.status_code == 400
    assert message in field_error(response.text, "metadata")
    assert _fabrikam_row(sp_app) is None


def test_tampered_metadata_is_refused_on_the_page(sp_app: Flask, signed: bytes) -> None:
    admin = signed_in_admin(sp_app.test_client(), "admin@fabrikam.com")
    tampered = signed.replace(b"/saml2", b"/saml3", 1)

    response = post(
        admin, IMPORT, {"metadata_file": (io.BytesIO(tampered), "m.xml")}, page=SAML_PAGE
    )

    assert response.status_code == 400
    assert "changed after Entra signed it" in field_error(response.text, "metadata")
    assert "metadata-thumbprint" not in response.text


def test_the_import_form_refuses_a_post_without_its_csrf_token(
    sp_app: Flask, signed: bytes
) -> None:
    admin = signed_in_admin(sp_app.test_client(), "admin@fabrikam.com")

    response = admin.post(IMPORT, data={"metadata_file": (io.BytesIO(signed), "m.xml")})

    assert response.status_code == 400
    assert "metadata-thumbprint" not in response.text
