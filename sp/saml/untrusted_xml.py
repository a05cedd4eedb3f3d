"""The one lxml parser the SP reads untrusted XML with (responses, signatures, metadata).

No entities, no DTD, no network, no huge trees. Comments and processing instructions are kept,
never dropped: they take part in canonicalisation, so dropping them would change what a
signature is checked over (a comment inside a NameID is a known attack on parsers that do).
"""

from __future__ import annotations

from lxml import etree

PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=False,
    remove_pis=False,
)
