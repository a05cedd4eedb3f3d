"""Hops (one browser request each) kept in a shared, bounded log, grouped into flows.

A hop is a JSON record: what the browser sent and got back, the SAML message it carried, and
the app settings it is explained against. Hops the mock cannot see (the SP's pages before and
after) are recorded from what it does know and marked `seen: false` with where that came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mock_idp.store import Store

LOG = "trace"
FLOWS = "trace-flows"  # one record per flow: its sequence number is the flow's ID
SETTINGS = "trace-settings"
SIGNIN_FLOWS = "trace-signins"  # a sign-in log row's Request ID -> the flow that recorded it
KEEP_HOPS = 500  # the trace is bounded: older hops fall off

Record = dict[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class Flow:
    id: str
    hops: tuple[Record, ...]  # oldest first
    truncated: bool = False  # its first hops already fell off the bounded log

    @property
    def kind(self) -> str:
        kinds = [kind for h in self.hops for kind in _message_kinds(h)]
        if "LogoutRequest" in kinds or "LogoutResponse" in kinds:
            return "sign-out"
        if "AuthnRequest" in kinds:
            return "sign-in"
        if "Response" in kinds:
            return "IdP-initiated"
        return "sign-in"

    @property
    def started(self) -> str:
        return str(self.hops[0]["at"]) if self.hops else ""

    @property
    def app(self) -> str:
        return next((str(h["facts"]["name"]) for h in self.hops if h.get("facts")), "")

    @property
    def outcome(self) -> str:
        """The last answer the mock gave: an AADSTS error, a Response sent, or still going."""
        seen = [h for h in self.hops if h.get("seen", True)]
        last_error = seen[-1].get("error") if seen else None
        if last_error:
            return f"AADSTS{last_error['code']}"
        if any("Response" in _message_kinds(h) for h in self.hops):
            return "Response sent"
        return "ended" if any(h.get("end") for h in self.hops) else "in progress"

    @property
    def request_id(self) -> str | None:
        """The ID of the flow's AuthnRequest: what InResponseTo must say."""
        for hop in self.hops:
            message = hop.get("message") or {}
            if message.get("kind") == "AuthnRequest" and message.get("id"):
                return str(message["id"])
        return None


def _message_kinds(hop: Mapping[str, Any]) -> list[str]:
    return [str(hop[side]["kind"]) for side in ("message", "out") if hop.get(side)]


def new_flow(store: Store, at: str) -> str:
    """A flow ID every worker agrees on, taken from the shared store (no random, no clock)."""
    return f"f{store.append(FLOWS, {'at': at}, keep=KEEP_HOPS)}"


def record(store: Store, hops: Iterable[Record], *, later: bool = False) -> None:
    """One request's hops, in one write; `later`: with the request's other writes, at its end
    (`Store.batch`), when nothing in this request reads them back."""
    batch = list(hops)
    if not batch:
        return
    if later:
        for hop in batch:
            store.append_later(LOG, hop, keep=KEEP_HOPS)
    else:
        store.append_many(LOG, batch, keep=KEEP_HOPS)


def group(records: Sequence[tuple[int, Record]]) -> list[Flow]:
    """Flows, newest first (by their latest hop)."""
    by_flow: dict[str, list[tuple[int, Record]]] = {}
    for seq, hop in records:
        by_flow.setdefault(str(hop.get("flow", "")), []).append((seq, hop))
    full = len(records) >= KEEP_HOPS
    oldest = min((seq for seq, _ in records), default=0)
    flows = []
    for flow_id, items in by_flow.items():
        items.sort(key=lambda item: item[0])
        truncated = full and items[0][0] == oldest and not items[0][1].get("first")
        flows.append(
            (items[-1][0], Flow(id=flow_id, hops=tuple(h for _, h in items), truncated=truncated))
        )
    return [flow for _, flow in sorted(flows, key=lambda f: f[0], reverse=True)]


def recent(store: Store) -> list[Flow]:
    return group(store.tail(LOG, KEEP_HOPS))


def find(store: Store, flow_id: str) -> Flow | None:
    return next((f for f in recent(store) if f.id == flow_id), None)


def step_mode(store: Store, default: bool) -> bool:
    value = store.get(SETTINGS, "step")
    return default if value is None else bool(value)


def set_step_mode(store: Store, on: bool) -> None:
    store.put(SETTINGS, "step", on)


def offset(start: str, at: str) -> float:
    """Seconds from a flow's first hop to this one."""
    try:
        return (datetime.fromisoformat(at) - datetime.fromisoformat(start)).total_seconds()
    except ValueError:
        return 0.0
