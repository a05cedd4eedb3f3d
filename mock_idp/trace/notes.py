"""The note a tracer shows beside an element: what it is, where its value came from, a check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lxml import etree

from mock_idp.protocol.xml import DS, SAML, SAMLP

Check = Literal["", "ok", "mismatch"]
NS = {"samlp": SAMLP, "saml": SAML, "ds": DS}
NO_CHECK: tuple[Check, str] = ("", "")
BASIC = "Basic SAML Configuration"


@dataclass(frozen=True, kw_only=True, slots=True)
class Note:
    label: str  # what a reader looks for: "Audience", "NameID", "Signing certificate"
    value: str
    text: str  # what it is ← where its value came from
    check: Check = ""
    check_text: str = ""


Pairs = list[tuple[etree._Element, Note]]


def checked(ok: bool, good: str, bad: str) -> tuple[Check, str]:
    return ("ok", good) if ok else ("mismatch", bad)
