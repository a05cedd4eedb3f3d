"""pysaml2's schema check, run by libxml2 for the SP's client: the same verdicts as pysaml2's own
validator, on the same documents, and a response is parsed once, not twice."""

from __future__ import annotations

import base64
from collections.abc import Callable

import defusedxml.ElementTree
import pytest
from flask import Flask
from lxml import etree
from saml2 import samlp
from saml2.xml.schema import XMLSchemaError
from saml2.xml.schema import validate as pysaml2_validate

from sp.saml import schema
from sp.saml.client import _saml2
from tests.attacks.driver import Browser

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


@pytest.fixture
def response_xml(sp_app: Flask, idp_app: Flask) -> bytes:
    """A real response of the mock (Entra's default: only the Assertion is signed)."""
    return base64.b64decode(Browser(sp_app, idp_app).sign_in().saml_response)


@pytest.fixture
def assertion(response_xml: bytes) -> str:
    """The Assertion as pysaml2 hands it to its schema check: its own serialisation."""
    return str(samlp.response_from_string(response_xml.decode()).assertion[0])


def _changed(assertion: str, change: Callable[[etree._Element], object]) -> str:
    root = etree.fromstring(assertion.encode())
    change(root)
    return etree.tostring(root, encoding="unicode")


def _move_conditions_first(root: etree._Element) -> None:
    conditions = root.find(f"{{{SAML}}}Conditions")
    root.remove(conditions)
    root.insert(0, conditions)  # before Issuer: out of the schema's order


def _abstract_condition(root: etree._Element) -> None:
    etree.SubElement(root.find(f"{{{SAML}}}Conditions"), f"{{{SAML}}}Condition")


def _response_inside_signature(root: etree._Element) -> None:
    """A signature-wrapping shape: a Response hidden in ds:Object."""
    obj = etree.SubElement(root.find(f"{{{DS}}}Signature"), f"{{{DS}}}Object")
    etree.SubElement(obj, "{urn:oasis:names:tc:SAML:2.0:protocol}Response")


def _second_subject(root: etree._Element) -> None:
    subject = root.find(f"{{{SAML}}}Subject")
    subject.addnext(etree.fromstring(etree.tostring(subject)))


CHANGES: dict[str, Callable[[etree._Element], object]] = {
    "unchanged": lambda root: None,
    "conditions before the issuer": _move_conditions_first,
    "a second subject": _second_subject,
    "an unknown element in the subject": lambda root: etree.SubElement(
        root.find(f"{{{SAML}}}Subject"), f"{{{SAML}}}Evil"
    ),
    "no Version": lambda root: root.attrib.pop("Version"),
    "an IssueInstant that is not a time": lambda root: root.set("IssueInstant", "yesterday"),
    "an ID that is not an NCName": lambda root: root.set("ID", "1 2"),
    "an abstract Condition": _abstract_condition,
    "a Response inside the signature": _response_inside_signature,
    "an xsi:type naming an unknown type": lambda root: root.find(f"{{{SAML}}}Issuer").set(
        f"{{{XSI}}}type", "saml:Nothing"
    ),
}


def _verdict(validate: Callable[[str], object], doc: str) -> str:
    try:
        validate(doc)
    except XMLSchemaError:
        return "refused"
    return "valid"


@pytest.mark.parametrize("name", CHANGES)
def test_libxml2_gives_pysaml2s_verdict(assertion: str, name: str) -> None:
    doc = _changed(assertion, CHANGES[name])

    ours = _verdict(schema.validate_with_libxml2, doc)

    assert ours == _verdict(pysaml2_validate, doc)
    assert ours == ("valid" if name == "unchanged" else "refused")


def test_only_the_sps_client_uses_it(assertion: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _saml2()  # loads pysaml2 and installs the dispatch
    from saml2 import sigver

    used: list[str] = []
    monkeypatch.setattr(schema, "validate_with_libxml2", lambda doc: used.append(doc))

    sigver.validate_doc_with_schema(assertion)  # pysaml2 on its own: its own validator
    assert used == []
    with schema.ours():
        sigver.validate_doc_with_schema(assertion)
    assert used == [assertion]


def test_a_sign_in_is_checked_against_the_schema_by_libxml2_parsing_the_response_once(
    sp_app: Flask, idp_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    _saml2()
    checked: list[str] = []
    parsed: list[object] = []
    real_check, real_parse = schema.validate_with_libxml2, defusedxml.ElementTree.fromstring

    def check(doc: str) -> None:
        checked.append(doc)
        real_check(doc)

    def parse(xml: str | bytes, **kwargs: object) -> object:
        parsed.append(xml)
        return real_parse(xml, **kwargs)

    monkeypatch.setattr(schema, "validate_with_libxml2", check)
    # Every pysaml2 parse of a message goes through defusedxml (ours in lean.py too).
    monkeypatch.setattr(defusedxml.ElementTree, "fromstring", parse)
    browser = Browser(sp_app, idp_app)
    posted = browser.sign_in()

    seen = browser.post(posted)

    assert seen.status == 303 and browser.whoami() == "Britta Simon"
    assert len(checked) == 1 and "B.Simon@contoso.com" in checked[0]  # the Assertion
    response = base64.b64decode(posted.saml_response)
    # Stock pysaml2 parses an assertion-signed Response four times: twice per attempt
    # (StatusResponseType, then Response), and it attempts twice (response signature or not).
    texts = [p if isinstance(p, bytes) else str(p).encode() for p in parsed]
    assert [t for t in texts if t != response and b"Response" in t[:200]] == []
    assert texts.count(response) == 1
