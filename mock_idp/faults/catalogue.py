"""The catalogue: every case by stable name, in docs/reference/attacks.md §3 order."""

from __future__ import annotations

import difflib

from mock_idp.faults import (
    cases_identity,
    cases_protocol,
    cases_signature,
    cases_web,
    cases_wrapping,
)
from mock_idp.faults.model import FaultCase

SECTIONS: dict[str, str] = {
    "-": "Baseline",
    "A": "Signature presence and placement",
    "B": "Wrapping and multiple assertions",
    "C": "Key and certificate trust",
    "D": "Canonicalisation and XML parsing",
    "E": "Algorithm policy",
    "F": "Who, where, when and how many times",
    "G": "Web layer around the ACS",
    "T": "Transport: encoding and size",
}


class UnknownCase(KeyError):
    """A case name that is not in the catalogue; the message suggests close names."""

    def __init__(self, name: str) -> None:
        close = difflib.get_close_matches(name, BY_NAME, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        super().__init__(f"no fault case {name!r} in the catalogue.{hint}")
        self.name = name

    def __str__(self) -> str:
        return str(self.args[0])


def _ordered(*groups: tuple[FaultCase, ...]) -> tuple[FaultCase, ...]:
    cases = [case for group in groups for case in group]
    order = list(SECTIONS)
    return tuple(sorted(cases, key=lambda case: order.index(case.section)))


CATALOGUE: tuple[FaultCase, ...] = _ordered(
    cases_signature.CASES,
    cases_wrapping.CASES,
    cases_protocol.CASES,
    cases_identity.CASES,
    cases_web.CASES,
)
BY_NAME: dict[str, FaultCase] = {case.name: case for case in CATALOGUE}
if len(BY_NAME) != len(CATALOGUE):
    raise RuntimeError("two fault cases share a name")


def get(name: str) -> FaultCase:
    case = BY_NAME.get(name)
    if case is None:
        raise UnknownCase(name)
    return case
