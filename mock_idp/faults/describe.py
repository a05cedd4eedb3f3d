"""The catalogue and the mock's records as JSON and Markdown (control API, docs, CLI)."""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Iterable
from typing import Any

from mock_idp.faults.book import Issued
from mock_idp.faults.catalogue import SECTIONS
from mock_idp.faults.model import PROFILE_LABELS, FaultCase

TABLE_START = "<!-- fault-catalogue:start (generated: python -m mock_idp.faults --markdown) -->"
TABLE_END = "<!-- fault-catalogue:end -->"


def case_json(case: FaultCase) -> dict[str, Any]:
    return {
        "name": case.name,
        "description": case.description,
        "source": case.source,
        "section": case.section,
        "section_title": SECTIONS[case.section],
        "profiles": [PROFILE_LABELS[p] for p in case.profiles],
        "expected": {
            "verdict": case.expected.verdict,
            "refusal": case.expected.refusal,
            "note": case.expected.note,
        },
        "delivery": case.delivery,
        "needs_test_mode": case.needs_test_mode,
    }


def issued_json(issued: Issued) -> dict[str, Any]:
    xml, encoding = decoded(issued.form.saml_response)
    return {
        "serial": issued.serial,
        "app_id": issued.app_id,
        "case": issued.case,
        "issued_at": issued.issued_at.isoformat(),
        "replayable": issued.replayable,
        "action": issued.form.action,
        "saml_response": issued.form.saml_response,
        "relay_state": issued.form.relay_state,
        "encoding": encoding,
        "xml": xml,
    }


def decoded(saml_response: str) -> tuple[str | None, str]:
    """The XML for reading, and how it was encoded ("base64", "deflate" or "opaque")."""
    try:
        raw = base64.b64decode(saml_response, validate=True)
    except (binascii.Error, ValueError):
        return None, "opaque"
    if raw.lstrip()[:1] == b"<":
        return raw.decode("utf-8", errors="replace"), "base64"
    try:
        inflated = zlib.decompressobj(-15).decompress(raw, 1024 * 1024)
    except zlib.error:
        return None, "opaque"
    return inflated.decode("utf-8", errors="replace"), "deflate"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(cases: Iterable[FaultCase]) -> str:
    """One row per case: name, description, source, profiles, expected SP outcome."""
    lines = [
        "| case | § | what the mock sends | source | profiles | expected SP outcome |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for case in cases:
        profiles = ", ".join(PROFILE_LABELS[p] for p in case.profiles)
        lines.append(
            f"| `{case.name}` | {case.section} | {_cell(case.description)} | "
            f"{_cell(case.source)} | {profiles} | {_cell(case.expected.label)} |"
        )
    return "\n".join(lines) + "\n"


def with_table(document: str, table: str) -> str:
    """`document` with the text between the catalogue markers replaced by `table`."""
    start, end = document.find(TABLE_START), document.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"markers {TABLE_START!r} … {TABLE_END!r} not found")
    return document[: start + len(TABLE_START)] + "\n" + table + document[end:]
