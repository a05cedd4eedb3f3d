"""The SAML schema check pysaml2 runs before every signature check, done by libxml2.

pysaml2 validates each element whose signature it checks (for Entra, the Assertion) against the
SAML XSDs first: its defence against a signature-wrapping variant (CVE-2021-21238). It does so
with `xmlschema`, in pure Python: about 2.5 ms, close to half of what the SP spends on a
response. This module runs the same check, on the same text pysaml2 builds, against the same
XSD files (pysaml2's own copies), in libxml2 through lxml, as python3-saml does: about 0.05 ms.

Only the SP's own client uses it, inside `ours()` (sp/saml/client.py). Any other pysaml2 use in
the process (the tests' "pysaml2 alone" comparison) keeps pysaml2's validator. Loaded with
pysaml2, on the first SAML request.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from lxml import etree

from sp.saml import scope
from sp.saml.scope import ours as ours  # the scope these changes apply in
from sp.saml.untrusted_xml import PARSER

_lock = threading.Lock()  # one lxml validator, whose error log is per object, not per call

# What pysaml2 serialised itself: no DTD, no entity, no network, nothing huge.


class _PysamlSchemas(etree.Resolver):  # type: ignore[misc]  # lxml's stubs lack the base
    """Every schema the protocol XSD imports (by http URL or file name), from pysaml2's own
    copies on disk; nothing else, and never the network."""

    def __init__(self, folder: Any) -> None:
        super().__init__()
        self._folder = folder

    def resolve(self, url: str | None, _pubid: str | None, context: Any) -> Any:
        local = self._folder.joinpath((url or "").rsplit("/", 1)[-1])
        if not local.is_file():
            raise LookupError(f"SAML schema import {url!r} is not among pysaml2's schemas")
        return self.resolve_filename(str(local), context)


@functools.cache
def _schema() -> etree.XMLSchema:
    """The SAML 2.0 protocol schema and what it imports (assertion, xmldsig, xenc): the one
    `saml2.xml.schema` builds by default."""
    import saml2.data.schemas

    folder = files(saml2.data.schemas)
    # The xmldsig XSD declares its own entities in an internal subset: a trusted local file.
    parser = etree.XMLParser(no_network=True, load_dtd=False, resolve_entities=True)
    parser.resolvers.add(_PysamlSchemas(folder))
    source = etree.parse(str(folder.joinpath("saml-schema-protocol-2.0.xsd")), parser)
    return etree.XMLSchema(source)


def load() -> None:
    """Build the schema now (with pysaml2, once per process)."""
    _schema()


def validate_with_libxml2(doc: str) -> None:
    """Raise pysaml2's `XMLSchemaError` unless `doc` is valid against the SAML schema."""
    from saml2.xml.schema import XMLSchemaError

    try:
        root = etree.fromstring(doc.encode("utf-8"), parser=PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise XMLSchemaError({"doc": doc, "error": str(exc)}) from exc
    schema = _schema()
    with _lock:
        if schema.validate(root):
            return
        error = str(schema.error_log.last_error)
    raise XMLSchemaError({"doc": doc, "error": error})


def install(sigver: Any) -> None:
    """Route `saml2.sigver`'s schema check here while `ours()` is active (idempotent)."""
    original: Callable[[str], None] = sigver.validate_doc_with_schema
    if getattr(original, "sp_dispatch", False):
        return

    def validate_doc_with_schema(doc: str, *args: Any, **kwargs: Any) -> None:
        if scope.active() and not args and not kwargs:
            validate_with_libxml2(doc)
        else:
            original(doc, *args, **kwargs)

    validate_doc_with_schema.sp_dispatch = True  # type: ignore[attr-defined]
    sigver.validate_doc_with_schema = validate_doc_with_schema
