"""One recorded message, ready to show: decoded, pretty, highlighted lines and their notes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mock_idp.trace.annotate import Note, annotate
from mock_idp.trace.facts import AppFacts
from mock_idp.trace.markup import Line, lines
from mock_idp.trace.messages import Decoded, decode, pretty


@dataclass(frozen=True, kw_only=True, slots=True)
class Explained:
    kind: str
    decoded: Decoded
    relay_state: str | None
    lines: tuple[Line, ...]
    notes: tuple[Note, ...]

    @property
    def pretty_xml(self) -> str:
        return pretty(self.decoded.xml) if self.decoded.xml else ""

    def note(self, label: str) -> Note | None:
        return next((n for n in self.notes if n.label == label), None)


def explain(
    message: Mapping[str, Any], facts: Mapping[str, Any] | None, *, request_id: str | None
) -> Explained:
    decoded = decode(
        str(message.get("raw", "")),
        param=str(message.get("param", "SAMLResponse")),
        binding="redirect" if message.get("binding") == "redirect" else "post",
    )
    root = decoded.root
    app = AppFacts.from_dict(facts) if facts else None
    pairs = annotate(root, app, request_id=request_id) if root is not None else []
    return Explained(
        kind=decoded.kind,
        decoded=decoded,
        relay_state=message.get("relay_state"),
        lines=tuple(lines(root, pairs)) if root is not None else (),
        notes=tuple(note for _, note in pairs),
    )
