"""Small tree edits the recipes are made of: find, set, remove, evil-edit, re-time.

Each factory returns a `TreeEdit` (element, context) -> None | replacement. Paths are XPath
relative to the element the edit receives (the Assertion or the Response), with `saml:`,
`samlp:` and `ds:` prefixes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from lxml import etree

from mock_idp.faults.model import Context, IssuanceEdit, TreeEdit
from mock_idp.protocol.response import Issuance
from mock_idp.protocol.xml import DS, NS, SAML, SAMLP, saml_time

ValueFn = Callable[[Context], str]


def find(element: etree._Element, path: str) -> etree._Element:
    """The one element at `path`; a recipe that names a missing element is a bug."""
    found = element.xpath(path, namespaces=NS)
    if not found or not isinstance(found[0], etree._Element):
        raise LookupError(f"{path} not found under {element.tag}")
    result: etree._Element = found[0]
    return result


def assertion_of(response: etree._Element) -> etree._Element:
    return find(response, "saml:Assertion")


def signature_of(element: etree._Element) -> etree._Element:
    """The element's own (enveloped) Signature: a direct child, in either namespace form."""
    return find(element, "ds:Signature")


def first_signature(element: etree._Element) -> etree._Element:
    """The first Signature in document order, as SAMLRaider's transforms pick it."""
    return find(element, "descendant-or-self::ds:Signature")


def detach(element: etree._Element) -> None:
    """Remove an element, keeping its tail text where it was (as signxml's _remove_sig does)."""
    parent = element.getparent()
    if parent is None:
        raise ValueError(f"cannot detach the root {element.tag}")
    previous = element.getprevious()
    if element.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def evilize(element: etree._Element, ctx: Context) -> None:
    """SAMLRaider's evil edit: every text node equal to the victim's value becomes the target's."""
    for node in element.iter():
        if isinstance(node.tag, str) and node.text == ctx.victim:
            node.text = ctx.evil


def unsigned_copy(element: etree._Element) -> etree._Element:
    """A deep copy without its own Signature."""
    twin = copy.deepcopy(element)
    detach(signature_of(twin))
    return twin


def at(delta: timedelta) -> ValueFn:
    """A timestamp `delta` from the mock's now, in Entra's format."""
    return lambda ctx: saml_time(ctx.now + delta)


def const(value: str) -> ValueFn:
    return lambda _ctx: value


def set_attribute(path: str, name: str, value: ValueFn) -> TreeEdit:
    def edit(element: etree._Element, ctx: Context) -> None:
        target = element if path == "." else find(element, path)
        target.set(name, value(ctx))

    return edit


def remove_attribute(path: str, name: str) -> TreeEdit:
    def edit(element: etree._Element, _ctx: Context) -> None:
        target = element if path == "." else find(element, path)
        del target.attrib[name]

    return edit


def remove(path: str) -> TreeEdit:
    def edit(element: etree._Element, _ctx: Context) -> None:
        detach(find(element, path))

    return edit


def set_text(path: str, value: ValueFn) -> TreeEdit:
    def edit(element: etree._Element, ctx: Context) -> None:
        find(element, path).text = value(ctx)

    return edit


def in_assertion(edit: TreeEdit) -> TreeEdit:
    """Run an Assertion-level edit from a Response-level hook (after signing)."""

    def wrapped(response: etree._Element, ctx: Context) -> None:
        edit(assertion_of(response), ctx)

    return wrapped


def chain(*edits: TreeEdit) -> TreeEdit:
    def edit(element: etree._Element, ctx: Context) -> etree._Element | None:
        current = element
        for step in edits:
            replacement = step(current, ctx)
            current = current if replacement is None else replacement
        return current if current is not element else None

    return edit


def evil_edit(element: etree._Element, ctx: Context) -> None:
    evilize(element, ctx)


def saml(tag: str) -> str:
    return f"{{{SAML}}}{tag}"


def samlp(tag: str) -> str:
    return f"{{{SAMLP}}}{tag}"


def ds(tag: str) -> str:
    return f"{{{DS}}}{tag}"


def issued(**changes: str | None) -> IssuanceEdit:
    """An IdP-signed negative: the IdP itself decides a wrong value (audience, issuer…)."""

    def edit(issuance: Issuance, _ctx: Context) -> Issuance:
        return replace(issuance, **changes)  # type: ignore[arg-type]

    return edit


def fresh_request_id(issuance: Issuance, ctx: Context) -> Issuance:
    """InResponseTo a request nobody made (#40)."""
    return replace(issuance, in_response_to=ctx.new_id())
