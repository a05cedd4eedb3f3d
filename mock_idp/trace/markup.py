"""A SAML message as highlighted, indented lines, each element's notes on its first line.

The template escapes every token; here a token is only (class, text), so highlighting needs no
script and no third-party highlighter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from lxml import etree

from mock_idp.trace.annotate import Note, Pairs

TokenClass = Literal["punct", "tag", "attr", "value", "text", "ns"]
Token = tuple[TokenClass, str]
TEXT_LIMIT = 120  # signature values and certificates are folded past this; raw keeps them whole


@dataclass(frozen=True, kw_only=True, slots=True)
class Line:
    depth: int
    tokens: tuple[Token, ...]
    notes: tuple[Note, ...] = ()


def lines(root: etree._Element, pairs: Pairs) -> list[Line]:
    notes: dict[int, list[Note]] = {}
    for element, note in pairs:
        notes.setdefault(id(element), []).append(note)
    return list(_element(root, 0, notes, {}))


def _qname(name: str, nsmap: dict[str | None, str]) -> str:
    qname = etree.QName(name)
    if qname.namespace is None:
        return str(qname.localname)
    prefix = next((p for p, uri in nsmap.items() if uri == qname.namespace and p), None)
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _fold(text: str) -> str:
    text = text.strip()
    return text if len(text) <= TEXT_LIMIT else f"{text[:TEXT_LIMIT]}… ({len(text)} characters)"


def _element(
    element: etree._Element,
    depth: int,
    notes: dict[int, list[Note]],
    parent_ns: dict[str | None, str],
) -> Iterator[Line]:
    nsmap = dict(element.nsmap)
    tag = _qname(element.tag, nsmap) if isinstance(element.tag, str) else ""
    if not tag:  # comments, processing instructions: shown as text
        yield Line(depth=depth, tokens=(("text", _fold(str(element))),))
        return
    start: list[Token] = [("punct", "<"), ("tag", tag)]
    for name, value in element.attrib.items():
        start += [("attr", f" {_qname(str(name), nsmap)}"), ("punct", '="'), ("value", str(value))]
        start.append(("punct", '"'))
    for prefix, uri in nsmap.items():
        if parent_ns.get(prefix) != uri:
            name = f" xmlns:{prefix}" if prefix else " xmlns"
            start += [("ns", name), ("punct", '="'), ("ns", uri), ("punct", '"')]
    children = list(element)
    text = (element.text or "").strip()
    own = tuple(notes.get(id(element), ()))
    if not children and not text:
        yield Line(depth=depth, tokens=(*start, ("punct", "/>")), notes=own)
        return
    end: tuple[Token, ...] = (("punct", "</"), ("tag", tag), ("punct", ">"))
    if not children:
        yield Line(
            depth=depth, tokens=(*start, ("punct", ">"), ("text", _fold(text)), *end), notes=own
        )
        return
    yield Line(depth=depth, tokens=(*start, ("punct", ">")), notes=own)
    if text:
        yield Line(depth=depth + 1, tokens=(("text", _fold(text)),))
    for child in children:
        yield from _element(child, depth + 1, notes, nsmap)
    yield Line(depth=depth, tokens=end)
