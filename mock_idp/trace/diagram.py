"""A flow as a sequence diagram: three lifelines (browser, Trakstar, Entra), one arrow per hop.

Pure layout: coordinates and labels; the template draws them as inline SVG.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mock_idp.trace.flows import offset

LANES = ("Browser", "Trakstar (SP)", "Entra ID (mock)")
LANE_X = (110, 420, 730)
WIDTH = 860
TOP = 70
ROW = 50
ANSWER = 34  # below the request arrow and its time line


@dataclass(frozen=True, kw_only=True, slots=True)
class Arrow:
    y: int
    x1: int
    x2: int
    label: str
    detail: str  # time since the flow started, time spent, status
    seen: bool
    back: bool  # an answer to the browser


@dataclass(frozen=True, kw_only=True, slots=True)
class Diagram:
    width: int
    height: int
    lanes: tuple[tuple[str, int], ...]
    arrows: tuple[Arrow, ...]


def _lane(hop: Mapping[str, Any]) -> int:
    return LANE_X[2] if hop.get("to") == "entra" else LANE_X[1]


def _path(url: str) -> str:
    """The path, long segments (a tenant ID) shortened, the query elided."""
    parts = urlsplit(url)
    path = "/".join(s if len(s) <= 24 else f"{s[:8]}…" for s in parts.path.split("/"))
    return path + ("?…" if parts.query else "")


def layout(hops: Sequence[Mapping[str, Any]]) -> Diagram:
    arrows: list[Arrow] = []
    start = str(hops[0]["at"]) if hops else ""
    y = TOP
    for hop in hops:
        y += ROW
        message = (hop.get("message") or {}).get("kind")
        carries = f" + {message}" if message else ""
        elapsed = f"+{offset(start, str(hop['at'])):.3f} s"
        spent = f" · {hop['ms']:.0f} ms at Entra" if hop.get("ms") is not None else ""
        unseen = "" if hop.get("seen", True) else " · not seen by the mock"
        arrows.append(Arrow(
            y=y, x1=LANE_X[0], x2=_lane(hop), seen=bool(hop.get("seen", True)), back=False,
            label=f"{hop.get('method', 'GET')} {_path(str(hop['url']))}{carries}"
            if hop.get("url") else str(hop.get("label", "")),
            detail=f"{elapsed}{spent}{unseen}",
        ))  # fmt: skip
        if hop.get("status") is not None:
            y += ANSWER
            answer = str(hop["status"])
            if hop.get("error"):
                answer += f" AADSTS{hop['error']['code']}"
            elif hop.get("answer"):
                answer += f" {hop['answer']}"
            arrows.append(Arrow(
                y=y, x1=_lane(hop), x2=LANE_X[0], seen=True, back=True, label=answer, detail="",
            ))  # fmt: skip
    return Diagram(
        width=WIDTH,
        height=y + ROW,
        lanes=tuple(zip(LANES, LANE_X, strict=True)),
        arrows=tuple(arrows),
    )
