"""The audit's two outputs: a plain-text table (one row per case) and JUnit XML for CI."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree

from mock_idp.audit.model import CaseResult

HEADERS = ("case", "expected", "what the SP did", "verdict")


def table(results: Sequence[CaseResult]) -> str:
    rows = [HEADERS, *((r.case, r.expected, r.observed, r.verdict) for r in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS) - 1)]
    lines = [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)), row[-1]])
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in [*widths, len(HEADERS[-1])]))
    return "\n".join(lines) + "\n"


def summary(results: Sequence[CaseResult]) -> str:
    findings = [r.case for r in results if r.verdict == "FINDING"]
    failed = [r.case for r in results if r.verdict == "FAIL"]
    if results and results[0].case == "valid" and not results[0].passed:
        return (
            "The SP refused Entra's own response (the control case): fix its SAML settings "
            "first; no other case means anything until it signs the user in."
        )
    text = f"{len(results)} cases: {len(results) - len(findings) - len(failed)} passed"
    if findings:
        text += f", {len(findings)} findings (a session where none is due): {', '.join(findings)}"
    if failed:
        text += f", {len(failed)} failed: {', '.join(failed)}"
    return text + "."


def junit(results: Sequence[CaseResult], *, suite: str) -> bytes:
    failures = sum(not r.passed for r in results)
    root = ElementTree.Element(
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(failures),
        errors="0",
        skipped="0",
    )
    for result in results:
        case = ElementTree.SubElement(
            root, "testcase", classname="mock-entra.audit", name=result.case
        )
        message = f"expected {result.expected}; the SP: {result.observed}"
        if result.passed:
            ElementTree.SubElement(case, "system-out").text = message
        else:
            failure = ElementTree.SubElement(case, "failure", type=result.verdict, message=message)
            failure.text = message
    ElementTree.indent(root)
    body: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"
