"""The mock's output against skeletons of real Entra output.

The skeletons transcribe docs/reference/entra.md §2.1, §4.4, §4.5 and §9.

Compared, element by element: namespace and local name, prefix, namespace declarations made on
the element, attribute names in order, and each value and text against the skeleton's literal
or placeholder format. A skeleton element followed by nothing of its kind stands for a run of
them (the 19 ClaimTypes). The skeletons are in `tests/data/golden/skeletons/`.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from flask import Flask
from lxml import etree

from tests.mock_idp.saml_requests import (
    TENANT_ID,
    authn_request,
    get,
    inflate,
    logout_request,
    password_step,
    redirect_query,
    split_redirect,
)

SKELETONS = Path(__file__).resolve().parent.parent / "data" / "golden" / "skeletons"
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PLACEHOLDERS = {
    "guid": GUID,
    "tid": re.escape(TENANT_ID),
    "time": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
    "url": r"https?://\S+",
    "idp": r"http://127\.0\.0\.1:8001",
    "id": r"[A-Za-z_][\w.-]*",
    "b64": r"[A-Za-z0-9+/]+={0,2}",
    "text": r"(?s).+",
}
_PARSER = etree.XMLParser(remove_blank_text=True, remove_comments=True)


def pattern(skeleton_value: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", skeleton_value)
    regex = "".join(PLACEHOLDERS[p] if i % 2 else re.escape(p) for i, p in enumerate(parts))
    return re.compile(regex)


def declared(element: etree._Element) -> set[tuple[str | None, str]]:
    parent = element.getparent()
    inherited = parent.nsmap if parent is not None else {}
    return {(k, v) for k, v in element.nsmap.items() if inherited.get(k) != v}


def compare(skeleton: etree._Element, actual: etree._Element, path: str = "") -> None:
    here = f"{path}/{etree.QName(actual).localname}"
    assert actual.tag == skeleton.tag, f"{here}: {actual.tag} where Entra has {skeleton.tag}"
    assert actual.prefix == skeleton.prefix, f"{here}: prefix {actual.prefix!r}"
    assert declared(actual) == declared(skeleton), f"{here}: xmlns {declared(actual)}"
    assert list(actual.attrib) == list(skeleton.attrib), f"{here}: attributes {list(actual.attrib)}"
    for name, value in skeleton.attrib.items():
        assert pattern(value).fullmatch(actual.get(name)), f"{here}/@{name}: {actual.get(name)!r}"
    expected_text = (skeleton.text or "").strip()
    if expected_text:
        assert pattern(expected_text).fullmatch(actual.text or ""), f"{here}: {actual.text!r}"
    else:
        assert not (actual.text or "").strip(), f"{here}: unexpected text {actual.text!r}"
    children, expected = list(actual), list(skeleton)
    index = 0
    for position, model in enumerate(expected):
        run_allowed = position + 1 == len(expected) or expected[position + 1].tag != model.tag
        assert index < len(children), f"{here}: missing {model.tag}"
        compare(model, children[index], here)
        index += 1
        while run_allowed and index < len(children) and children[index].tag == model.tag:
            compare(model, children[index], here)
            index += 1
    assert index == len(children), f"{here}: extra {[c.tag for c in children[index:]]}"


def skeleton(name: str) -> etree._Element:
    return etree.fromstring((SKELETONS / name).read_bytes(), _PARSER)


def posted_xml(response) -> bytes:  # type: ignore[no-untyped-def]
    value = re.search(r'name="SAMLResponse" value="([^"]+)"', response.text)
    assert value, response.text[:500]
    return base64.b64decode(value.group(1))


def test_response_matches_entras_skeleton(idp_app: Flask) -> None:
    idp = idp_app.test_client()
    get(idp, redirect_query(authn_request()))
    wire = posted_xml(password_step(idp))
    assert b"\n" not in wire and not wire.startswith(b"<?xml")
    compare(skeleton("response.xml"), etree.fromstring(wire))


def test_error_response_matches_the_docs_sample(idp_app: Flask) -> None:
    policy = '<samlp:NameIDPolicy SPNameQualifier="https://perform.trakstar.com"/>'
    response = get(idp_app.test_client(), redirect_query(authn_request(body=policy)))
    compare(skeleton("error-response.xml"), etree.fromstring(posted_xml(response)))


def test_logout_response_matches_the_docs_sample(idp_app: Flask) -> None:
    location = get(idp_app.test_client(), redirect_query(logout_request())).headers["Location"]
    message = split_redirect(location).params["SAMLResponse"]
    compare(skeleton("logout-response.xml"), etree.fromstring(inflate(message)))


def test_metadata_matches_entras_skeleton(idp_app: Flask) -> None:
    app_id = "b6e1f3a8-0c2d-4d7e-a9f5-3c8b1e2d4f60"
    url = f"/{TENANT_ID}/federationmetadata/2007-06/federationmetadata.xml?appid={app_id}"
    document = idp_app.test_client().get(url).data
    assert document.startswith(b'<?xml version="1.0" encoding="utf-8"?><EntityDescriptor ')
    root = etree.fromstring(document)
    compare(skeleton("metadata.xml"), root)
    offered = root.findall(".//{http://docs.oasis-open.org/wsfed/authorization/200706}ClaimType")
    assert len(offered) == 19


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda r: r.set("Consent", "x"), "attributes"),
        (
            lambda r: r.insert(1, etree.Element("{urn:oasis:names:tc:SAML:2.0:assertion}X")),
            "Status",
        ),
    ],
)
def test_the_comparison_notices_a_difference(idp_app: Flask, change, complaint: str) -> None:  # type: ignore[no-untyped-def]
    idp = idp_app.test_client()
    get(idp, redirect_query(authn_request()))
    root = etree.fromstring(posted_xml(password_step(idp)))
    change(root)
    with pytest.raises(AssertionError, match=complaint):
        compare(skeleton("response.xml"), root)
