"""For each element of a SAML message that matters: what it is and where its value came from.

`annotate` returns (element, Note) pairs; a Note is one line a trainer can read aloud, plus a
check against the app's settings when there is one to make ("matches the Reply URL").
"""

from __future__ import annotations

from lxml import etree

from mock_idp.trace.facts import AppFacts
from mock_idp.trace.notes import Note, Pairs
from mock_idp.trace.request_notes import authn_request, logout
from mock_idp.trace.response_notes import response

__all__ = ["Note", "Pairs", "annotate"]


def annotate(root: etree._Element, facts: AppFacts | None, *, request_id: str | None) -> Pairs:
    kind = etree.QName(root).localname
    if kind == "AuthnRequest":
        return authn_request(root, facts)
    if kind == "Response":
        return response(root, facts, request_id)
    return logout(root, kind)
