"""Property: whatever is posted to the ACS, never a 500 and never a session it should not give.

Random bodies (no XML at all, random base64, random form fields) and mutations of a genuine
response for a pending request (elements deleted, duplicated, moved or renamed, attributes
and text changed, comments inserted, bytes flipped). A mutation that changes what the
signature covers must never sign anyone in; one that leaves it intact (a changed KeyInfo, say,
which is a hint only) may sign in only B.Simon.
Example counts are modest: each mutated body that passes the gate runs xmlsec1.
"""

from __future__ import annotations

import base64
import copy

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.attacks.driver import Browser
from tests.flows import Posted, is_signed_in, post_to_acs

SAML_ASSERTION = "{urn:oasis:names:tc:SAML:2.0:assertion}Assertion"
DS_SIGNATURE = "{http://www.w3.org/2000/09/xmldsig#}Signature"
DS_SIGNED_INFO = "{http://www.w3.org/2000/09/xmldsig#}SignedInfo"
DS_SIGNATURE_VALUE = "{http://www.w3.org/2000/09/xmldsig#}SignatureValue"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OPS = ("delete", "duplicate", "move", "rename", "attribute", "text", "comment", "flip", "cut")


def signed_part(xml: bytes) -> bytes | None:
    """What the signature covers: the one Assertion without its Signature (the enveloped
    transform), plus SignedInfo and SignatureValue. KeyInfo is not covered, by design."""
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        return None
    found = root.findall(f".//{SAML_ASSERTION}")
    if len(found) != 1:
        return None
    assertion = copy.deepcopy(found[0])
    signature = assertion.find(DS_SIGNATURE)
    covered = b""
    if signature is not None:
        assertion.remove(signature)
        for part in (DS_SIGNED_INFO, DS_SIGNATURE_VALUE):
            element = signature.find(part)
            if element is not None:
                covered += etree.tostring(
                    element, method="c14n", exclusive=True, with_comments=False
                )
    c14n = etree.tostring(assertion, method="c14n", exclusive=True, with_comments=False)
    return c14n + covered


def mutate(xml: bytes, data: st.DataObject) -> bytes:
    op = data.draw(st.sampled_from(OPS), label="op")
    if op in ("flip", "cut"):
        at = data.draw(st.integers(0, len(xml) - 1), label="at")
        if op == "flip":
            return xml[:at] + bytes([xml[at] ^ data.draw(st.integers(1, 255))]) + xml[at + 1 :]
        return xml[:at] + xml[at + data.draw(st.integers(1, 64), label="length") :]
    root = etree.fromstring(xml)
    nodes = [e for e in root.iter() if isinstance(e.tag, str)]
    node = nodes[data.draw(st.integers(0, len(nodes) - 1), label="node")]
    text = data.draw(st.text(max_size=12), label="text")
    parent = node.getparent()
    if op == "delete" and parent is not None:
        parent.remove(node)
    elif op == "duplicate" and parent is not None:
        node.addnext(copy.deepcopy(node))
    elif op == "move" and parent is not None:
        target = nodes[data.draw(st.integers(0, len(nodes) - 1), label="target")]
        if node not in target.iterancestors() and node is not target:
            target.append(node)
    elif op == "rename":
        node.tag = etree.QName(etree.QName(node).namespace, text or "X").text
    elif op == "attribute":
        name = data.draw(st.sampled_from(sorted(node.attrib) or ["ID"]), label="attribute")
        node.set(name, text)
    elif op == "text":
        node.text = text
    elif op == "comment":
        node.insert(0, etree.Comment(text.replace("-", "")))
    return etree.tostring(root)


@FUZZ
@given(data=st.data())
def test_mutated_responses_never_crash_and_never_grant_more(
    data: st.DataObject, apps: tuple[Flask, Flask]
) -> None:
    browser = Browser(*apps)
    posted = browser.sign_in()
    original = base64.b64decode(posted.saml_response)
    mutated = original
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        try:
            mutated = mutate(mutated, data)
        except (etree.XMLSyntaxError, ValueError):
            break  # a byte-level cut made it unparsable: post what we have

    seen = browser.post(Posted(posted.action, base64.b64encode(mutated).decode(), None))

    assert seen.status < 500, seen.text[:500]
    if seen.signed_in:
        assert signed_part(mutated) == signed_part(original)
        assert browser.whoami() == "Britta Simon"
    else:
        assert 400 <= seen.status < 500 and "Single sign-on failed" in seen.text


BODIES = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=400).map(lambda b: base64.b64encode(b).decode()),
    st.text(alphabet="<>/=\"' abcdefghijklmnopqrstuvwxyz:!-[]&;#", max_size=300).map(
        lambda t: base64.b64encode(t.encode()).decode()
    ),
)


@FUZZ
@given(
    body=BODIES,
    relay_state=st.one_of(st.none(), st.text(max_size=40)),
    extra=st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=20), max_size=3),
)
def test_random_bodies_never_crash_and_never_sign_in(
    body: str, relay_state: str | None, extra: dict[str, str], apps: tuple[Flask, Flask]
) -> None:
    browser = Browser(*apps)
    browser.sign_in()  # a sign-in is pending: the body is what is judged

    form = {**extra, "SAMLResponse": body}
    if relay_state is not None:
        form["RelayState"] = relay_state
    response = browser.sp.post("/auth/saml/callback?namespace=contoso", data=form)

    assert 400 <= response.status_code < 500, response.text[:500]
    assert not is_signed_in(browser.sp)
    assert browser.pending() == 0


def test_the_fuzzer_can_sign_in_when_nothing_signed_changes(apps: tuple[Flask, Flask]) -> None:
    """The property above is not vacuous: an untouched response does sign in."""
    browser = Browser(*apps)
    posted = browser.sign_in()

    assert post_to_acs(browser.sp, posted.saml_response).status_code == 303
    assert browser.whoami() == "Britta Simon"
